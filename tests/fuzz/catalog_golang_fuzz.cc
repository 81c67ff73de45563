// Fuzz target for the ELF-based catalogers: Go build info (both formats), modinfo text, the
// -ldflags heuristics, and cargo-auditable sections. Nothing may crash; results are checked for
// the invariants the parsers promise.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "catalog/golang.h"
#include "catalog/rust.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pith::catalog;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto r = parse_go_binary(bytes, "/fuzz")) {
    // stdlib is always reported, and every package is golang with a location.
    bool has_stdlib = false;
    for (const Package& p : r->packages) {
      if (p.type != PackageType::golang || p.location != "/fuzz") std::abort();
      has_stdlib |= p.name == "stdlib";
    }
    if (!has_stdlib) std::abort();
  }
  (void)parse_go_modinfo(bytes);
  (void)go_ldflags_version("example.com/app", split_shell_words(bytes));
  (void)go_elf_symbol_version(bytes, "example.com/app");
  (void)is_go_pseudo_version(bytes);
  (void)parse_rust_binary(bytes, "/fuzz");
  return 0;
}
