// Fuzz target: parse_rpmdb on arbitrary bytes (sqlite, BerkeleyDB and NDB, chosen by magic),
// every input also as a single rpm header blob, and as the source of a subset database (what
// `pith build` writes from a root's rpmdb, index tables included).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/rpm_header.h"
#include "catalog/rpmdb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<pith::catalog::Warning> warnings;
  pith::catalog::OsContext os{"fedora", "39"};
  auto packages = pith::catalog::parse_rpmdb(bytes, "Packages", os, &warnings);
  if (packages) {
    for (const auto& p : *packages) {
      if (p.name.empty() || p.purl.rfind("pkg:rpm/", 0) != 0) __builtin_trap();
    }
  }
  auto one = pith::catalog::parse_rpm_header(bytes, "blob", os, &warnings);
  if (one && one->name.empty()) __builtin_trap();
  bool keep_next = false;
  (void)pith::catalog::write_rpmdb_sqlite_subset(
      bytes, [&](std::string_view) { return keep_next = !keep_next; }, [](std::string) {});
  return 0;
}
