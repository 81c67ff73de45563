// Fuzz target for the apk installed-database parser. Whatever comes back must satisfy its
// contract: named, versioned packages with absolute file paths, and a bounded warning list.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "catalog/apk.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pith::catalog;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<Warning> warnings;
  auto pkgs = parse_apk_installed(bytes, "lib/apk/db/installed", {"alpine", "3.19"}, &warnings);
  check(warnings.size() <= 101);
  if (!pkgs.ok()) return 0;
  for (const auto& p : *pkgs) {
    check(!p.name.empty() && !p.version.empty());
    check(p.purl.starts_with("pkg:apk/alpine/"));
    for (const auto& f : p.files) check(f.size() > 1 && f.front() == '/');
  }
  return 0;
}
