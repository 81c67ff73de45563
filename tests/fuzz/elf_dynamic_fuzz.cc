// Fuzz target for the ELF dynamic reader: any bytes give an error or dynamic info whose
// strings came from inside the input.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "elf/dynamic.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto info = pith::elf::read_dynamic_bytes(bytes);
  if (!info.ok()) return 0;
  check(pith::elf::has_elf_magic(bytes));
  check(info->interpreter.size() <= size);
  for (const auto& n : info->needed) check(n.size() <= size && n.find('\0') == std::string::npos);
  check(info->version_definitions.size() <= 1024);
  return 0;
}
