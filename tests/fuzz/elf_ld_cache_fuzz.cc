// Fuzz target for the ld.so.cache parser: any bytes give an error or entries whose strings
// came from inside the input, and lookups over them stay consistent.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "elf/ld_cache.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto cache = pith::elf::parse_ld_cache(bytes);
  if (!cache.ok()) return 0;
  for (const auto& e : cache->entries) {
    check(e.name.size() < size && e.path.size() < size);
    for (const auto* found : cache->lookup(e.name, e.flags)) check(found->name == e.name);
  }
  return 0;
}
