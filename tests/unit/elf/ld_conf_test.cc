// ld.so.conf as ldconfig reads it: includes expanded in place, each directory once, and files
// that include themselves or each other read once each (issue 10, case 5: exponential before).
#include "elf/ld_conf.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "elf_test_util.h"

namespace pith::elf {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> conf_dirs(const std::string& root) {
  auto dir = RootDir::open(root);
  EXPECT_TRUE(dir);
  auto dirs = read_ld_so_conf(DirLoaderRoot(*dir));
  EXPECT_TRUE(dirs) << dirs.error().message;
  return dirs ? *dirs : std::vector<std::string>{};
}

TEST(LdConf, IncludesInPlaceEachDirectoryOnce) {
  test::Scratch s;
  fs::create_directories(s.path() + "/etc/ld.so.conf.d");
  test::write_text(s.path() + "/etc/ld.so.conf",
                   "/first\ninclude /etc/ld.so.conf.d/*.conf\n/last # comment\nhwcap 1 x\n");
  test::write_text(s.path() + "/etc/ld.so.conf.d/a.conf", "/a/lib/\n/first\n");
  test::write_text(s.path() + "/etc/ld.so.conf.d/b.conf", "include b2.conf\n");
  test::write_text(s.path() + "/etc/ld.so.conf.d/b2.conf", "/b2=libc5\n");
  std::vector<std::string> want = {"/first", "/a/lib", "/b2", "/last"};
  EXPECT_EQ(conf_dirs(s.path()), want);
}

TEST(LdConf, SelfAndMutualIncludesAreReadOnce) {
  // 50 lines including the file itself and 50 another that includes it back: 100^8 reads with
  // only a depth limit (the test then never ends), three reads now.
  test::Scratch s;
  fs::create_directories(s.path() + "/etc");
  std::string text = "/self\n";
  for (int i = 0; i < 50; ++i) text += "include /etc/ld.so.conf\ninclude /etc/other.conf\n";
  test::write_text(s.path() + "/etc/ld.so.conf", text);
  test::write_text(s.path() + "/etc/other.conf", "include ld.so.conf\n/other\n");
  std::vector<std::string> want = {"/self", "/other"};
  EXPECT_EQ(conf_dirs(s.path()), want);
}

}  // namespace
}  // namespace pith::elf
