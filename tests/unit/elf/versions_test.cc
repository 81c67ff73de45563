// Symbol versions (DT_VERDEF, DT_VERNEED) against binutils' readelf -V on real files of both
// classes, and hand-made hostile tables: bounded results or clear errors, never a long walk.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "elf/dynamic.h"
#include "elf_test_util.h"
#include "util/file.h"

namespace pith::elf {
namespace {

namespace fs = std::filesystem;

struct Versions {
  std::set<std::string> defined;
  std::map<std::string, std::set<std::string>> needed;
};

// The text after `key` up to the next two spaces (readelf's field separator) or the line's end.
std::string field(const std::string& line, const std::string& key) {
  size_t start = line.find(key);
  if (start == std::string::npos) return {};
  start += key.size();
  size_t end = line.find("  ", start);
  return line.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// readelf -V --wide, read section by section: definitions without the BASE one (the file's own
// name), and the needed versions of each file.
Versions readelf_versions(const std::string& file) {
  std::string out = pith::test::run_capture("readelf -V --wide " + pith::test::shell_quote(file));
  Versions v;
  enum { other, definitions, needs } part = other;
  std::string needed_file;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t end = out.find('\n', pos);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(pos, end - pos);
    pos = end + 1;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (line.starts_with("Version definition section")) part = definitions;
    if (line.starts_with("Version needs section")) part = needs;
    if (line.starts_with("Version symbols section")) part = other;
    if (part == definitions && line.find(" Rev: ") != std::string::npos &&
        field(line, "Flags: ").find("BASE") == std::string::npos)
      v.defined.insert(field(line, "Name: "));
    if (part == needs && line.find(" File: ") != std::string::npos) {
      needed_file = field(line, "File: ");
      v.needed[needed_file];  // a file may need no version
    }
    if (part == needs && line.find(" Name: ") != std::string::npos)
      v.needed[needed_file].insert(field(line, "Name: "));
  }
  return v;
}

TEST(Versions, MatchReadelf) {
  int compared = 0;
  bool saw_both = false;
  for (std::string file :
       {"/usr/bin/ls", "/bin/bash", "/usr/bin/curl", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libcurl.so.4",
        "/lib32/libc.so.6"}) {
    if (!fs::exists(file)) continue;
    SCOPED_TRACE(file);
    auto fd = open_read(file);
    ASSERT_TRUE(fd);
    auto info = read_dynamic_fd(fd->get());
    ASSERT_TRUE(info) << info.error().message;
    Versions want = readelf_versions(file);
    Versions got;
    got.defined.insert(info->version_definitions.begin(), info->version_definitions.end());
    for (const VersionNeed& n : info->version_needs) {
      EXPECT_FALSE(got.needed.contains(n.file)) << n.file << " listed twice";
      got.needed[n.file].insert(n.versions.begin(), n.versions.end());
      EXPECT_EQ(n.versions.size(), got.needed[n.file].size()) << n.file << ": a version twice";
    }
    EXPECT_EQ(got.defined, want.defined);
    EXPECT_EQ(got.needed, want.needed);
    saw_both |= !want.defined.empty() && !want.needed.empty();
    ++compared;
  }
  EXPECT_GE(compared, 3);
  EXPECT_TRUE(saw_both);  // libc and libstdc++ both define and need versions
}

TEST(Versions, LsNeedsGlibc) {
  auto fd = open_read("/usr/bin/ls");
  ASSERT_TRUE(fd);
  auto info = read_dynamic_fd(fd->get());
  ASSERT_TRUE(info);
  bool found = false;
  for (const VersionNeed& n : info->version_needs) {
    if (n.file != "libc.so.6") continue;
    found = true;
    EXPECT_NE(std::find(n.versions.begin(), n.versions.end(), "GLIBC_2.2.5"), n.versions.end());
  }
  EXPECT_TRUE(found);
}

// A minimal dynamic ELF file of either class and byte order: one PT_LOAD mapping the whole file
// at k_base, a PT_DYNAMIC at k_dynamic, a string table at k_strtab; the tests write version
// records at k_records and further.
class TinyElf {
 public:
  static constexpr uint64_t k_base = 0x10000;
  static constexpr size_t k_dynamic = 256;
  static constexpr size_t k_strtab = 512;
  static constexpr size_t k_records = 1024;

  TinyElf(bool is_64, bool big, size_t size = 4096) : m_is_64(is_64), m_big(big), m_bytes(size, 0) {
    m_bytes.replace(0, 4,
                    "\x7f"
                    "ELF");
    m_bytes[4] = is_64 ? 2 : 1;
    m_bytes[5] = big ? 2 : 1;
    m_bytes[6] = 1;
    put(16, 3, 2);   // ET_DYN
    put(18, 62, 2);  // EM_X86_64
    size_t phentsize = is_64 ? 56 : 32;
    put(is_64 ? 32 : 28, 64, word());                             // e_phoff
    put(is_64 ? 54 : 42, phentsize, 2);                           // e_phentsize
    put(is_64 ? 56 : 44, 2, 2);                                   // e_phnum
    segment(64, 1, 0, size);                                      // PT_LOAD
    segment(64 + phentsize, 2, k_dynamic, k_strtab - k_dynamic);  // PT_DYNAMIC
  }

  // Writes `v` as `width` bytes at `at`, in the file's byte order.
  void put(size_t at, uint64_t v, size_t width) {
    for (size_t i = 0; i < width; ++i)
      m_bytes[at + (m_big ? width - 1 - i : i)] = static_cast<char>(v >> (8 * i));
  }
  size_t word() const { return m_is_64 ? 8 : 4; }
  static uint64_t addr(size_t offset) { return k_base + offset; }

  // The dynamic table: DT_STRTAB and DT_STRSZ, then `entries`, then DT_NULL.
  void dynamic(const std::vector<std::pair<uint64_t, uint64_t>>& entries) {
    std::vector<std::pair<uint64_t, uint64_t>> all = {{5, addr(k_strtab)}, {10, m_strings.size()}};
    all.insert(all.end(), entries.begin(), entries.end());
    all.push_back({0, 0});
    size_t at = k_dynamic;
    for (auto [tag, val] : all) {
      put(at, tag, word());
      put(at + word(), val, word());
      at += 2 * word();
    }
  }
  // Adds a string to the string table; returns its index.
  uint32_t string(const std::string& s) {
    auto index = static_cast<uint32_t>(m_strings.size());
    m_strings += s + '\0';
    m_bytes.replace(k_strtab, m_strings.size(), m_strings);
    return index;
  }
  // An Elf_Verneed and an Elf_Vernaux (same layout in both classes).
  void verneed(size_t at, uint16_t cnt, uint32_t file, uint32_t aux, uint32_t next) {
    put(at, 1, 2);
    put(at + 2, cnt, 2);
    put(at + 4, file, 4);
    put(at + 8, aux, 4);
    put(at + 12, next, 4);
  }
  void vernaux(size_t at, uint32_t name, uint32_t next) {
    put(at + 8, name, 4);
    put(at + 12, next, 4);
  }
  const std::string& bytes() const { return m_bytes; }

 private:
  void segment(size_t at, uint32_t type, uint64_t offset, uint64_t size) {
    put(at, type, 4);
    if (m_is_64) {
      put(at + 8, offset, 8);
      put(at + 16, addr(offset), 8);
      put(at + 32, size, 8);
      put(at + 40, size, 8);
    } else {
      put(at + 4, offset, 4);
      put(at + 8, addr(offset), 4);
      put(at + 16, size, 4);
      put(at + 20, size, 4);
    }
  }

  bool m_is_64;
  bool m_big;
  std::string m_bytes;
  std::string m_strings{'\0'};
};

constexpr uint64_t k_dt_verneed = 0x6ffffffe;
constexpr uint64_t k_dt_verneednum = 0x6fffffff;

// libc.so.6 needing GLIBC_2.2.5 and GLIBC_2.34, libm.so.6 needing GLIBC_2.29.
TinyElf two_needs(bool is_64, bool big) {
  TinyElf e(is_64, big);
  uint32_t libc = e.string("libc.so.6"), libm = e.string("libm.so.6");
  uint32_t v1 = e.string("GLIBC_2.2.5"), v2 = e.string("GLIBC_2.34"), v3 = e.string("GLIBC_2.29");
  size_t r = TinyElf::k_records;
  e.verneed(r, 2, libc, 16, 48);
  e.vernaux(r + 16, v1, 16);
  e.vernaux(r + 32, v2, 0);
  e.verneed(r + 48, 1, libm, 16, 0);
  e.vernaux(r + 64, v3, 0);
  e.dynamic({{k_dt_verneed, TinyElf::addr(r)}, {k_dt_verneednum, 2}});
  return e;
}

TEST(Versions, EveryClassAndByteOrder) {
  for (bool is_64 : {true, false}) {
    for (bool big : {false, true}) {
      SCOPED_TRACE(std::to_string(is_64) + std::to_string(big));
      auto info = read_dynamic_bytes(two_needs(is_64, big).bytes());
      ASSERT_TRUE(info) << info.error().message;
      EXPECT_EQ(info->is_64, is_64);
      EXPECT_EQ(info->big_endian, big);
      ASSERT_EQ(info->version_needs.size(), 2u);
      EXPECT_EQ(info->version_needs[0].file, "libc.so.6");
      EXPECT_EQ(info->version_needs[0].versions,
                (std::vector<std::string>{"GLIBC_2.2.5", "GLIBC_2.34"}));
      EXPECT_EQ(info->version_needs[1].file, "libm.so.6");
      EXPECT_EQ(info->version_needs[1].versions, std::vector<std::string>{"GLIBC_2.29"});
    }
  }
}

// Next offsets are unsigned, so a chain only moves forward or ends at 0: a next of 0 on an
// entry that claims more ends the walk, however large the counts.
TEST(Versions, ChainsEndAtZeroWhateverTheCounts) {
  TinyElf e(true, false);
  uint32_t libc = e.string("libc.so.6"), v = e.string("GLIBC_2.34");
  e.verneed(TinyElf::k_records, 0xffff, libc, 16, 0);
  e.vernaux(TinyElf::k_records + 16, v, 0);
  e.dynamic({{k_dt_verneed, TinyElf::addr(TinyElf::k_records)}, {k_dt_verneednum, 1024}});
  auto info = read_dynamic_bytes(e.bytes());
  ASSERT_TRUE(info) << info.error().message;
  ASSERT_EQ(info->version_needs.size(), 1u);
  EXPECT_EQ(info->version_needs[0].versions, std::vector<std::string>{"GLIBC_2.34"});
}

TEST(Versions, LongChainsAreCapped) {
  // 5000 needed versions of one file, each record pointing to the next.
  size_t records = 5000;
  TinyElf e(true, false, TinyElf::k_records + 16 * (records + 1));
  uint32_t libc = e.string("libc.so.6"), v = e.string("GLIBC_2.34");
  e.verneed(TinyElf::k_records, 0xffff, libc, 16, 0);
  for (size_t i = 0; i < records; ++i) e.vernaux(TinyElf::k_records + 16 * (i + 1), v, 16);
  e.dynamic({{k_dt_verneed, TinyElf::addr(TinyElf::k_records)}, {k_dt_verneednum, 1}});
  auto info = read_dynamic_bytes(e.bytes());
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().message, "PT_DYNAMIC: DT_VERNEED: too many needed versions");

  e.dynamic({{k_dt_verneed, TinyElf::addr(TinyElf::k_records)}, {k_dt_verneednum, 1u << 31}});
  info = read_dynamic_bytes(e.bytes());
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().message, "PT_DYNAMIC: DT_VERNEED: too many version needs");
}

TEST(Versions, RecordsPastTheFileAreErrors) {
  TinyElf e = two_needs(true, false);
  e.verneed(TinyElf::k_records + 48, 1, 1, 16, 0x7fffffff);  // next points past the end
  e.dynamic({{k_dt_verneed, TinyElf::addr(TinyElf::k_records)}, {k_dt_verneednum, 3}});
  auto info = read_dynamic_bytes(e.bytes());
  ASSERT_FALSE(info);
  EXPECT_NE(info.error().message.find("past the end of the file"), std::string::npos)
      << info.error().message;

  e.dynamic({{k_dt_verneed, TinyElf::addr(1 << 20)}, {k_dt_verneednum, 1}});  // unmapped
  info = read_dynamic_bytes(e.bytes());
  ASSERT_FALSE(info);
  EXPECT_NE(info.error().message.find("is not mapped from the file"), std::string::npos)
      << info.error().message;
}

TEST(Versions, CountsPastTheTableStopAtTheLastRecord) {
  TinyElf e = two_needs(false, true);
  e.dynamic({{k_dt_verneed, TinyElf::addr(TinyElf::k_records)}, {k_dt_verneednum, 1000}});
  auto info = read_dynamic_bytes(e.bytes());
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->version_needs.size(), 2u);  // the second need's vn_next is 0
}

TEST(Versions, NamesOutsideTheStringTableAreErrors) {
  TinyElf e = two_needs(true, false);
  e.vernaux(TinyElf::k_records + 32, 100000, 0);
  auto info = read_dynamic_bytes(e.bytes());
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().message, "PT_DYNAMIC: DT_VERNEED: vna_name: string index past DT_STRSZ");

  e = two_needs(true, false);
  e.verneed(TinyElf::k_records, 2, 0xfffffff0, 16, 48);
  info = read_dynamic_bytes(e.bytes());
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().message, "PT_DYNAMIC: DT_VERNEED: vn_file: string index past DT_STRSZ");
}

}  // namespace
}  // namespace pith::elf
