// Fuzz target for the text catalogers: Python core metadata, npm package.json and
// cargo-auditable JSON, and the release files OS purls read (os_purl.h). Each either fails
// cleanly or yields well-formed packages; a release stays within its bound.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "catalog/npm.h"
#include "catalog/os_purl.h"
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
  for (std::string_view id : {"debian", "alpine", "centos"}) {
    OsContext os = make_os_context(id, "1", [&](std::string_view) { return std::string(bytes); });
    if (os.release.size() > 64) std::abort();
    std::string purl = os_package_purl(PackageType::deb, "p", "1", std::nullopt, "amd64", os);
    if (!purl.starts_with("pkg:deb/")) std::abort();
  }
  return 0;
}
