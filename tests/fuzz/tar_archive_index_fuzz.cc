// Fuzz target: ArchiveIndex::parse on arbitrary bytes, then find_file on every member.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tar/archive_index.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto index = pith::tar::ArchiveIndex::parse(bytes);
  if (!index) return 0;
  for (const auto& m : index->members()) {
    // Every recorded member must lie inside the input.
    if (m.offset > size || m.size > size - m.offset) __builtin_trap();
    const auto* found = index->find_file(m.name);
    if (found && (found->offset > size || found->size > size - found->offset)) __builtin_trap();
    index->find_file(m.link);
  }
  return 0;
}
