// elf::File against binutils' readelf: section names and offsets, program headers, the same
// answers in memory and through pread; a damaged section table matters only when asked for.
#include "elf/file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <vector>

#include "elf_test_util.h"
#include "test_paths.h"
#include "util/file.h"

namespace pith::elf {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> k_files = {"/bin/bash", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                                          "/lib32/libc.so.6"};

// readelf -SW: "name offset size" of each section, the null one (index 0, no name) included.
std::vector<std::string> readelf_sections(const std::string& file) {
  std::istringstream in(pith::test::run_capture("readelf -SW " + pith::test::shell_quote(file)));
  std::vector<std::string> v;
  for (std::string line; std::getline(in, line);) {
    size_t close = line.find("] ");
    if (line.find("  [") != 0 || close == std::string::npos ||
        line.find("[Nr]") != std::string::npos)
      continue;
    std::istringstream fields(line.substr(close + 2));
    std::string name, type, addr, off, size;
    fields >> name >> type >> addr >> off >> size;
    if (v.empty()) {  // section 0: no name, so the columns start with its type
      v.push_back(" 0 0");
      continue;
    }
    v.push_back(name + " " + std::to_string(std::stoull(off, nullptr, 16)) + " " +
                std::to_string(std::stoull(size, nullptr, 16)));
  }
  return v;
}

TEST(File, SectionsMatchReadelf) {
  for (const std::string& file : k_files) {
    if (!fs::exists(file)) continue;
    SCOPED_TRACE(file);
    std::string bytes = pith::test::slurp(file);
    auto f = File::parse(bytes);
    ASSERT_TRUE(f) << f.error().message;
    std::vector<std::string> got;
    for (const Section& s : f->sections())
      got.push_back(s.name + " " + std::to_string(s.offset) + " " + std::to_string(s.size));
    EXPECT_EQ(got, readelf_sections(file));
    const Section* dynstr = f->find_section(".dynstr");
    ASSERT_NE(dynstr, nullptr);
    auto data = f->section_data(*dynstr);
    ASSERT_TRUE(data);
    EXPECT_EQ(data->data(), bytes.data() + dynstr->offset);  // a view, not a copy
  }
}

TEST(File, MemoryAndPreadAgree) {
  for (const std::string& file : k_files) {
    if (!fs::exists(file)) continue;
    SCOPED_TRACE(file);
    std::string bytes = pith::test::slurp(file);
    auto fd = open_read(file);
    ASSERT_TRUE(fd);
    int raw = fd->get();
    ReadAt read = [raw](uint64_t offset, uint64_t len) { return pread_exact(raw, offset, len); };
    auto a = File::parse(bytes);
    auto b = File::open(read, bytes.size(), Sections::read);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->is_64(), b->is_64());
    EXPECT_EQ(a->machine(), b->machine());
    ASSERT_EQ(a->segments().size(), b->segments().size());
    for (size_t i = 0; i < a->segments().size(); ++i) {
      const Segment& s = a->segments()[i];
      EXPECT_EQ(s.vaddr, b->segments()[i].vaddr);
      EXPECT_EQ(s.filesz, b->segments()[i].filesz);
      EXPECT_EQ(a->read_vaddr(s.vaddr, 4096), b->read_vaddr(s.vaddr, 4096));
    }
    ASSERT_EQ(a->sections().size(), b->sections().size());
    for (size_t i = 0; i < a->sections().size(); ++i)
      EXPECT_EQ(a->sections()[i].name, b->sections()[i].name);
    auto sa = a->symbols(), sb = b->symbols();
    ASSERT_TRUE(sa && sb);
    EXPECT_EQ(sa->size(), sb->size());
  }
}

TEST(File, DamagedSectionTableMattersOnlyWhenRead) {
  std::string bash = pith::test::slurp("/bin/bash");
  auto good = File::parse(bash);
  ASSERT_TRUE(good);
  // e_shoff far past the end: the loader's view does not look, the catalogers' view fails.
  std::string damaged = bash;
  for (size_t i = 0; i < 8; ++i) damaged[40 + i] = '\x7f';
  EXPECT_TRUE(File::parse(damaged, Sections::skip));
  auto f = File::parse(damaged);
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().message.find("section 0"), std::string::npos) << f.error().message;
}

TEST(File, VirtualAddressesStopAtTheSegmentsFileImage) {
  std::string bash = pith::test::slurp("/bin/bash");
  auto f = File::parse(bash);
  ASSERT_TRUE(f);
  for (const Segment& s : f->segments()) {
    if (s.type != k_pt_load || s.filesz == 0) continue;
    EXPECT_EQ(f->read_vaddr(s.vaddr + s.filesz - 1, 100).size(), 1u);
    EXPECT_EQ(f->read_vaddr(s.vaddr, 16), std::string_view(bash).substr(s.offset, 16));
  }
  EXPECT_TRUE(f->read_vaddr(~uint64_t{0} - 3, 8).empty());
  EXPECT_EQ(f->read_uint("\x01\x02", 2), f->big_endian() ? 0x0102u : 0x0201u);
  EXPECT_EQ(f->read_uint("\x01", 2), 0u);  // too short
}

TEST(File, NotElf) {
  EXPECT_FALSE(has_elf_magic("#!/bin/sh"));
  EXPECT_TRUE(
      has_elf_magic("\x7f"
                    "ELF"));
  EXPECT_EQ(File::parse(std::string(100, 'x')).error().message, "not an ELF file");
  EXPECT_EQ(File::parse("\x7f"
                        "ELF")
                .error()
                .message,
            "not an ELF file (too short)");
}

}  // namespace
}  // namespace pith::elf
