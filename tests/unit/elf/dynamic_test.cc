// The ELF dynamic reader against binutils' readelf: DT_NEEDED, DT_SONAME, DT_RUNPATH and
// PT_INTERP of real files of both classes, and clear errors on damaged ones.
#include "elf/dynamic.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "elf_test_util.h"
#include "test_paths.h"
#include "util/file.h"

namespace pith::elf {
namespace {

namespace fs = std::filesystem;

// readelf -d: the bracketed values of one tag ("NEEDED", "SONAME", ...).
std::vector<std::string> readelf_tag(const std::string& file, const std::string& tag) {
  std::string out = pith::test::run_capture("readelf -dW " + pith::test::shell_quote(file));
  std::vector<std::string> v;
  size_t pos = 0;
  while ((pos = out.find("(" + tag + ")", pos)) != std::string::npos) {
    size_t open = out.find('[', pos), close = out.find(']', open);
    v.push_back(out.substr(open + 1, close - open - 1));
    pos = close;
  }
  return v;
}

TEST(Dynamic, MatchesReadelf) {
  for (std::string file : {"/bin/bash", "/usr/bin/curl", "/lib/x86_64-linux-gnu/libc.so.6",
                           "/lib/x86_64-linux-gnu/libcurl.so.4", "/lib32/libc.so.6"}) {
    if (!fs::exists(file)) continue;
    SCOPED_TRACE(file);
    auto fd = open_read(file);
    ASSERT_TRUE(fd);
    auto info = read_dynamic_fd(fd->get());
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->needed, readelf_tag(file, "NEEDED"));
    auto soname = readelf_tag(file, "SONAME");
    EXPECT_EQ(info->soname.value_or(""), soname.empty() ? "" : soname[0]);
    auto runpath = readelf_tag(file, "RUNPATH");
    EXPECT_EQ(info->runpath.value_or(""), runpath.empty() ? "" : runpath[0]);
    std::string interp = pith::test::run_capture("readelf -lW " + file +
                                                 " | sed -n 's/.*interpreter: \\(.*\\)]/\\1/p'");
    if (!interp.empty()) interp.pop_back();
    EXPECT_EQ(info->interpreter, interp);
    EXPECT_EQ(info->is_64, !file.starts_with("/lib32/"));
  }
}

TEST(Dynamic, LibcDefinesItsVersions) {
  auto fd = open_read("/lib/x86_64-linux-gnu/libc.so.6");
  ASSERT_TRUE(fd);
  auto info = read_dynamic_fd(fd->get());
  ASSERT_TRUE(info);
  std::string out = pith::test::run_capture(
      "readelf -VW /lib/x86_64-linux-gnu/libc.so.6 | sed -n '/Version definition/,/Version "
      "needs/p' | grep -o 'Name: GLIBC[^ ]*' | cut -c7-");
  std::vector<std::string> want;
  for (size_t pos = 0, end; (end = out.find('\n', pos)) != std::string::npos; pos = end + 1)
    want.push_back(out.substr(pos, end - pos));
  EXPECT_EQ(info->version_definitions, want);
}

TEST(Dynamic, DamagedFilesAreErrors) {
  std::string bash = pith::test::slurp("/bin/bash");
  EXPECT_EQ(read_dynamic_bytes("#!/bin/sh\n").error().message, "not an ELF file (too short)");
  EXPECT_EQ(read_dynamic_bytes(std::string(100, 'x')).error().message, "not an ELF file");
  auto cut = read_dynamic_bytes(std::string_view(bash).substr(0, 1000));
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message.find("past the end of the file"), std::string::npos)
      << cut.error().message;
}

}  // namespace
}  // namespace pith::elf
