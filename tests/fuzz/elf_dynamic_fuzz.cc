// Fuzz target for the ELF reader (elf::File) and the dynamic reader on it: any bytes give an
// error or results whose strings came from inside the input, within the readers' caps; reading
// in memory and through pieces (the build's pread mode) gives the same answer.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "elf/dynamic.h"
#include "elf/file.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool same(const pith::elf::DynamicInfo& a, const pith::elf::DynamicInfo& b) {
  if (a.version_needs.size() != b.version_needs.size()) return false;
  for (size_t i = 0; i < a.version_needs.size(); ++i) {
    if (a.version_needs[i].file != b.version_needs[i].file ||
        a.version_needs[i].versions != b.version_needs[i].versions)
      return false;
  }
  return a.is_64 == b.is_64 && a.big_endian == b.big_endian && a.type == b.type &&
         a.machine == b.machine && a.interpreter == b.interpreter && a.needed == b.needed &&
         a.rpath == b.rpath && a.runpath == b.runpath && a.soname == b.soname &&
         a.flags_1 == b.flags_1 && a.version_definitions == b.version_definitions &&
         a.names_thread_cancellation == b.names_thread_cancellation;
}

void check_dynamic(std::string_view bytes) {
  auto info = pith::elf::read_dynamic_bytes(bytes);
  pith::elf::ReadAt read = [bytes](uint64_t offset, uint64_t len) -> pith::Result<std::string> {
    return std::string(bytes.substr(offset, len));
  };
  auto pieces = pith::elf::read_dynamic(read, bytes.size());
  check(info.ok() == pieces.ok());
  if (!info.ok()) return;
  check(same(*info, *pieces));
  check(pith::elf::has_elf_magic(bytes));
  size_t size = bytes.size();
  check(info->interpreter.size() <= size);
  for (const auto& n : info->needed) check(n.size() <= size && n.find('\0') == std::string::npos);
  check(info->version_definitions.size() <= 1024);
  check(info->version_needs.size() <= 1024);
  size_t versions = 0;
  for (const auto& need : info->version_needs) {
    check(need.file.size() <= size && need.file.find('\0') == std::string::npos);
    for (const auto& v : need.versions) check(v.size() <= size);
    versions += need.versions.size();
  }
  check(versions <= 4096);
}

// Sections, symbols and virtual addresses: every view lies inside the input.
void check_file(std::string_view bytes) {
  auto file = pith::elf::File::parse(bytes);
  if (!file) return;
  auto inside = [bytes](std::string_view v) {
    return v.empty() ||
           (v.data() >= bytes.data() && v.data() + v.size() <= bytes.data() + bytes.size());
  };
  for (const auto& s : file->sections()) {
    if (auto data = file->section_data(s)) check(inside(*data));
  }
  for (const auto& p : file->segments()) check(inside(file->read_vaddr(p.vaddr, 64)));
  if (auto symbols = file->symbols()) {
    for (const auto& sym : *symbols) check(inside(sym.name));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check_dynamic(bytes);
  check_file(bytes);
  return 0;
}
