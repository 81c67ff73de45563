// RootDir: symlinks resolve inside the root (absolute ones restart at it, `..` stops at it),
// every link met is recorded, and missing paths, non-directories and loops fail clearly.
#include "util/root_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>

namespace pith {
namespace {

namespace fs = std::filesystem;

class RootDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pith-rootdir-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    m_tmp = tmpl;
    m_root = m_tmp + "/root";
    // A merged-/usr tree: /lib64 -> usr/lib64, soname links, and hostile links.
    fs::create_directories(m_root + "/usr/lib64");
    fs::create_directories(m_root + "/usr/lib/x86_64-linux-gnu");
    fs::create_directories(m_root + "/etc");
    write(m_root + "/usr/lib64/ld-2.36.so", "loader");
    write(m_root + "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13", "zlib");
    write(m_root + "/etc/passwd", "inside");
    write(m_tmp + "/passwd", "outside");
    fs::create_directory_symlink("usr/lib64", m_root + "/lib64");
    fs::create_directory_symlink("usr/lib", m_root + "/lib");
    fs::create_symlink("ld-2.36.so", m_root + "/usr/lib64/ld-linux-x86-64.so.2");
    fs::create_symlink("libz.so.1.2.13", m_root + "/usr/lib/x86_64-linux-gnu/libz.so.1");
    fs::create_symlink("/lib/x86_64-linux-gnu/libz.so.1", m_root + "/usr/lib64/libz-abs.so");
    fs::create_symlink("../../../../passwd", m_root + "/usr/lib64/escape-rel");
    fs::create_symlink("/etc/passwd", m_root + "/usr/lib64/escape-abs");
    fs::create_symlink("loop-b", m_root + "/etc/loop-a");
    fs::create_symlink("loop-a", m_root + "/etc/loop-b");
    fs::create_symlink("passwd/x", m_root + "/etc/through-file");
    auto r = RootDir::open(m_root);
    ASSERT_TRUE(r) << r.error().message;
    m_dir.emplace(std::move(*r));
  }
  void TearDown() override { ASSERT_TRUE(remove_tree(m_tmp)); }

  static void write(const std::string& p, const std::string& s) { std::ofstream(p) << s; }
  const RootDir& root() const { return *m_dir; }

  std::string m_tmp;
  std::string m_root;
  std::optional<RootDir> m_dir;
};

TEST_F(RootDirTest, FollowsDirectoryAndFileLinksRecordingEach) {
  auto r = root().resolve("/lib64/ld-linux-x86-64.so.2");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->path, "/usr/lib64/ld-2.36.so");
  std::vector<RootDir::Link> want = {{"/lib64", "usr/lib64"},
                                     {"/usr/lib64/ld-linux-x86-64.so.2", "ld-2.36.so"}};
  EXPECT_EQ(r->links, want);
}

TEST_F(RootDirTest, AbsoluteTargetsRestartAtTheRoot) {
  auto r = root().resolve("/usr/lib64/libz-abs.so");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->path, "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13");
  std::vector<RootDir::Link> want = {{"/usr/lib64/libz-abs.so", "/lib/x86_64-linux-gnu/libz.so.1"},
                                     {"/lib", "usr/lib"},
                                     {"/usr/lib/x86_64-linux-gnu/libz.so.1", "libz.so.1.2.13"}};
  EXPECT_EQ(r->links, want);
}

TEST_F(RootDirTest, LinksPointingOutsideStayInside) {
  // `..` stops at the root: the target is the root's /passwd, absent, never the outer one.
  auto rel = root().resolve("/usr/lib64/escape-rel");
  ASSERT_FALSE(rel);
  EXPECT_EQ(rel.error().message, "/usr/lib64/escape-rel (at /passwd): No such file or directory");
  EXPECT_FALSE(*root().exists("/usr/lib64/escape-rel"));
  write(m_root + "/passwd", "top of the root");
  EXPECT_EQ(root().resolve("/usr/lib64/escape-rel")->path, "/passwd");
  EXPECT_EQ(*root().read_file("/usr/lib64/escape-rel", 100), "top of the root");
  auto abs = root().read_file("/usr/lib64/escape-abs", 100);
  ASSERT_TRUE(abs) << abs.error().message;
  EXPECT_EQ(*abs, "inside");
  EXPECT_EQ(*root().read_file("/../../etc/passwd", 100), "inside");
  EXPECT_EQ(root().resolve("/usr/..")->path, "/");
  EXPECT_EQ(root().resolve("/..")->path, "/");
}

TEST_F(RootDirTest, LoopsMissingAndNonDirectoriesFailNamingThePath) {
  auto loop = root().resolve("/etc/loop-a");
  ASSERT_FALSE(loop);
  EXPECT_NE(loop.error().message.find("/etc/loop-a"), std::string::npos);
  EXPECT_NE(loop.error().message.find("Too many levels of symbolic links"), std::string::npos);
  EXPECT_FALSE(root().exists("/etc/loop-a"));  // a loop is an error, not "absent"

  auto missing = root().resolve("/usr/lib64/nothing.so");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "/usr/lib64/nothing.so: No such file or directory");
  auto through = root().resolve("/lib64/nothing/x");
  ASSERT_FALSE(through);
  EXPECT_EQ(through.error().message,
            "/lib64/nothing/x (at /usr/lib64/nothing): No such file or directory");
  auto notdir = root().resolve("/etc/through-file");
  ASSERT_FALSE(notdir);
  EXPECT_NE(notdir.error().message.find("Not a directory"), std::string::npos);
  EXPECT_FALSE(*root().exists("/etc/through-file"));
  EXPECT_FALSE(root().resolve("relative/path"));
}

TEST_F(RootDirTest, LstatReadLinkListAndOpen) {
  auto st = root().lstat("/lib64");
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_TRUE(S_ISLNK(st->st_mode));
  st = root().lstat("/lib64/ld-linux-x86-64.so.2");  // the directory link is followed
  ASSERT_TRUE(st);
  EXPECT_TRUE(S_ISLNK(st->st_mode));
  EXPECT_TRUE(S_ISREG(root().lstat("/lib64/ld-2.36.so")->st_mode));
  EXPECT_TRUE(S_ISDIR(root().lstat("/")->st_mode));
  EXPECT_EQ(*root().read_link("/lib64/ld-linux-x86-64.so.2"), "ld-2.36.so");
  EXPECT_FALSE(root().read_link("/usr/lib64/ld-2.36.so"));
  std::vector<std::string> want = {"escape-abs", "escape-rel", "ld-2.36.so", "ld-linux-x86-64.so.2",
                                   "libz-abs.so"};
  EXPECT_EQ(*root().list("/lib64"), want);
  EXPECT_EQ(*root().read_file("/lib64/ld-linux-x86-64.so.2", 100), "loader");
  auto big = root().read_file("/etc/passwd", 3);
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("over the limit"), std::string::npos);
  EXPECT_TRUE(root().open_file("/usr/lib/x86_64-linux-gnu/libz.so.1"));
  EXPECT_FALSE(RootDir::open(m_tmp + "/no-such-root"));
}

TEST_F(RootDirTest, FifosAndDevicesAreNotReadNorWaitedFor) {
  // A FIFO would block open() until a writer came (issue 10): refused at once instead.
  ASSERT_EQ(::mkfifo((m_root + "/etc/fifo").c_str(), 0644), 0);
  auto r = root().read_file("/etc/fifo", 100);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "/etc/fifo: not a regular file");
  EXPECT_FALSE(root().open_file("/etc"));
}

TEST_F(RootDirTest, OpenDirCreatesInsideTheRootThroughLinks) {
  // Missing parents are made; a dangling link on the way gets its target made, inside.
  fs::create_directory_symlink("/made/by/link", m_root + "/dangling");
  auto fd = root().open_dir("/dangling/below", RootDir::Create::yes);
  ASSERT_TRUE(fd) << fd.error().message;
  EXPECT_TRUE(fs::is_directory(m_root + "/made/by/link/below"));
  EXPECT_TRUE(fs::is_symlink(m_root + "/dangling"));
  // 45 levels made at once spend no symlink budget (issue 10, case 8).
  std::string deep;
  for (int i = 0; i < 45; ++i) deep += "/a";
  ASSERT_TRUE(root().open_dir(deep, RootDir::Create::yes));
  EXPECT_TRUE(fs::is_directory(m_root + deep));
  // Without Create, missing is an empty descriptor; a file in the way too.
  auto missing = root().open_dir("/no/such/dir", RootDir::Create::no);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
  EXPECT_FALSE(*root().open_dir("/etc/passwd", RootDir::Create::no));
  EXPECT_FALSE(fs::exists(m_root + "/no"));
  // Escapes stay inside: "../../x" from the root is /x of the root.
  ASSERT_TRUE(root().open_dir("/../../outside-made", RootDir::Create::yes));
  EXPECT_TRUE(fs::is_directory(m_root + "/outside-made"));
  EXPECT_FALSE(fs::exists(m_tmp + "/outside-made"));
}

TEST_F(RootDirTest, PathMaxIsTheLimitForWhatItCreates) {
  std::string at;
  std::string name(200, 'b');
  while (at.size() + 201 <= 4095) at += "/" + name;
  at += "/" + std::string(4094 - at.size() - 1, 'c');
  ASSERT_EQ(at.size(), 4094u);
  ASSERT_TRUE(root().open_dir(at, RootDir::Create::yes));
  auto over = root().open_dir(at + "/cc", RootDir::Create::yes);
  ASSERT_FALSE(over);
  EXPECT_NE(over.error().message.find("File name too long"), std::string::npos);
}

TEST_F(RootDirTest, AMazeOfLinksStopsAtTheWalkBudget) {
  // 40 links, each to a 1,600-component path through the previous one: one resolution makes
  // 64,000 lookups. The budget (k_max_walk_steps) ends a walk of such paths after 17.
  auto small = RootDir::open(m_root);
  ASSERT_TRUE(small);
  std::string hop;
  for (int i = 0; i < 800; ++i) hop += "d/../";
  fs::create_directories(m_root + "/d");
  fs::create_directory_symlink("/" + hop + "d", m_root + "/l0");
  for (int i = 1; i < 40; ++i)
    fs::create_directory_symlink("/l" + std::to_string(i - 1) + "/../" + hop + "d",
                                 m_root + "/l" + std::to_string(i));
  Result<RootDir::Resolved> r = small->resolve("/l39");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->path, "/d");
  int walks = 1;
  while (r && walks < 1000) {
    r = small->resolve("/l39");
    ++walks;
  }
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "/l39: gave up after 1048576 path lookups in this root (chains of symbolic links?)");
  EXPECT_EQ(walks, 17);
}

}  // namespace
}  // namespace pith
