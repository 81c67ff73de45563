// What --trace keeps of the paths the tracer recorded, and the --http-probe syntax.
#include "slim/trace.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "elf/elf_test_util.h"

namespace pith::slim {
namespace {

using elf::test::Scratch;
using elf::test::write_text;

TEST(HttpProbe, PortAndPath) {
  auto p = HttpProbe::parse("8080/health/live");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->port, 8080);
  EXPECT_EQ(p->path, "/health/live");
  EXPECT_EQ(HttpProbe::parse("80")->path, "/");
  for (const char* bad : {"", "/x", "0/x", "65536/x", "8o/x", "-1/x"})
    EXPECT_FALSE(HttpProbe::parse(bad).ok()) << bad;
}

TEST(KeepTraced, FilesFoldersAndMissingPaths) {
  Scratch s;
  write_text(s / "etc/app/app.conf", "x");
  write_text(s / "usr/lib/mod_a.so", "x");
  write_text(s / "var/log/app/.keep", "");
  ASSERT_EQ(::symlink("usr/lib", (s / "lib").c_str()), 0);
  auto root = RootDir::open(s.path());
  ASSERT_TRUE(root.ok());
  Keep keep;
  std::set<std::string> traced = {
      "/etc/app/app.conf",         // a file
      "/lib/mod_a.so",             // through a link: kept as named (the link comes along)
      "/etc/app/./../app/",        // a folder, lexically normalised
      "/var/log/app/app.log",      // created by the program: its folder is kept
      "/nonexistent/deeper/file",  // a failed lookup: only "/" exists on the way (no entry)
      "/proc/self/maps",           // the kernel's
      "/dev/null",
      "/.pith/out/paths",  // the tracer's own
  };
  ASSERT_TRUE(keep_traced(*root, traced, keep).ok());
  EXPECT_EQ(keep.paths, (std::set<std::string>{"/etc/app/app.conf", "/lib/mod_a.so"}));
  EXPECT_EQ(keep.dirs, (std::set<std::string>{"/etc/app", "/var/log/app"}));
}

}  // namespace
}  // namespace pith::slim
