// Fuzz target for the text catalogers: Python core metadata, npm package.json and
// cargo-auditable JSON. Each either fails cleanly or yields well-formed packages.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "catalog/npm.h"
#include "catalog/python.h"
#include "catalog/rust.h"

namespace {

void check(const pith::Result<pith::catalog::Findings>& r, std::string_view purl_prefix) {
  if (!r) return;
  for (const auto& p : r->packages)
    if (p.name.empty() || p.version.empty() || !p.purl.starts_with(purl_prefix)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pith::catalog;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check(parse_python_metadata(bytes, "/x.dist-info/METADATA"), "pkg:pypi/");
  check(parse_npm_package_json(bytes, "/app/node_modules/x/package.json"), "pkg:npm/");
  check(parse_cargo_auditable_json(bytes, "/bin/x"), "pkg:cargo/");
  (void)looks_like_npm_package_json(bytes, bytes);
  (void)looks_like_python_metadata(bytes, bytes);
  return 0;
}
