// normalize_path, type_char and mode_string.
#include "tar/entry.h"

#include <gtest/gtest.h>

namespace pith::tar {
namespace {

std::string norm(std::string_view in) {
  std::string out = "unset";
  if (!normalize_path(in, out)) return "<escapes>";
  return out;
}

TEST(TarNormalizePath, Forms) {
  EXPECT_EQ(norm("./a//b/"), "a/b");
  EXPECT_EQ(norm("/a/b"), "a/b");
  EXPECT_EQ(norm("a/./b/./"), "a/b");
  EXPECT_EQ(norm("./"), "");
  EXPECT_EQ(norm(""), "");
  EXPECT_EQ(norm("/"), "");
  EXPECT_EQ(norm("a/b/../c"), "a/c");
  EXPECT_EQ(norm("a/.."), "");
  EXPECT_EQ(norm("..."), "...");
  EXPECT_EQ(norm("..a/b.."), "..a/b..");
}

TEST(TarNormalizePath, RefusesEscapes) {
  EXPECT_EQ(norm(".."), "<escapes>");
  EXPECT_EQ(norm("../etc/passwd"), "<escapes>");
  EXPECT_EQ(norm("a/../../b"), "<escapes>");
  EXPECT_EQ(norm("/../b"), "<escapes>");
  EXPECT_EQ(norm("./a/./../.."), "<escapes>");
}

Entry with(EntryType t, uint32_t mode) {
  Entry e;
  e.type = t;
  e.mode = mode;
  return e;
}

TEST(TarModeString, LikeLs) {
  EXPECT_EQ(mode_string(with(EntryType::directory, 0755)), "drwxr-xr-x");
  EXPECT_EQ(mode_string(with(EntryType::regular, 0644)), "-rw-r--r--");
  EXPECT_EQ(mode_string(with(EntryType::regular, 04755)), "-rwsr-xr-x");
  EXPECT_EQ(mode_string(with(EntryType::regular, 04644)), "-rwSr--r--");
  EXPECT_EQ(mode_string(with(EntryType::regular, 02755)), "-rwxr-sr-x");
  EXPECT_EQ(mode_string(with(EntryType::regular, 02744)), "-rwxr-Sr--");
  EXPECT_EQ(mode_string(with(EntryType::directory, 01777)), "drwxrwxrwt");
  EXPECT_EQ(mode_string(with(EntryType::directory, 01770)), "drwxrwx--T");
  EXPECT_EQ(mode_string(with(EntryType::symlink, 0777)), "lrwxrwxrwx");
  EXPECT_EQ(mode_string(with(EntryType::hardlink, 0600)), "hrw-------");
  EXPECT_EQ(mode_string(with(EntryType::char_device, 0666)), "crw-rw-rw-");
  EXPECT_EQ(mode_string(with(EntryType::block_device, 0660)), "brw-rw----");
  EXPECT_EQ(mode_string(with(EntryType::fifo, 0)), "p---------");
}

TEST(TarTypeChar, All) {
  EXPECT_EQ(type_char(EntryType::regular), '-');
  EXPECT_EQ(type_char(EntryType::directory), 'd');
  EXPECT_EQ(type_char(EntryType::symlink), 'l');
  EXPECT_EQ(type_char(EntryType::hardlink), 'h');
  EXPECT_EQ(type_char(EntryType::char_device), 'c');
  EXPECT_EQ(type_char(EntryType::block_device), 'b');
  EXPECT_EQ(type_char(EntryType::fifo), 'p');
}

// Inside a root, ".." at the top stays there, as the kernel resolves it in a chroot (and as
// `realpath -m /../a` gives /a).
TEST(NormalizePathInRoot, DotDotStopsAtTheRoot) {
  EXPECT_EQ(normalize_path_in_root("/../a"), "a");
  EXPECT_EQ(normalize_path_in_root("a/../../b/./c/"), "b/c");
  EXPECT_EQ(normalize_path_in_root("usr/lib/../../lib64"), "lib64");
  EXPECT_EQ(normalize_path_in_root(".."), "");
  std::string out;
  EXPECT_FALSE(normalize_path("a/../../b", out));  // the archive rule refuses it
}

}  // namespace
}  // namespace pith::tar
