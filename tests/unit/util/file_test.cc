// Outputs and temporary files: what may be replaced, trees removed however deep with few
// descriptors, and temporaries a killed run left behind removed by the next one.
#include "util/file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace pith {
namespace {

namespace fs = std::filesystem;

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pith-file-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    m_tmp = tmpl;
  }
  void TearDown() override { fs::remove_all(m_tmp); }
  static void write(const std::string& p, const std::string& s) { std::ofstream(p) << s; }
  static std::string read(const std::string& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string m_tmp;
};

TEST_F(FileTest, OutputsReplaceOnlyRegularFiles) {
  // Issue 10, case 2: a device, a FIFO or a link to a terminal is never replaced.
  auto dev = AtomicFile::create("/dev/null");
  ASSERT_FALSE(dev);
  EXPECT_EQ(dev.error().message,
            "/dev/null: exists and is not a regular file (pith replaces only files)");
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  ASSERT_EQ(::mkfifo((m_tmp + "/fifo").c_str(), 0644), 0);
  EXPECT_FALSE(write_file_atomic(m_tmp + "/fifo", "x"));
  EXPECT_TRUE(fs::is_fifo(m_tmp + "/fifo"));
  fs::create_symlink("/dev/null", m_tmp + "/to-dev");
  auto link = write_file_atomic(m_tmp + "/to-dev", "x");
  ASSERT_FALSE(link);
  EXPECT_EQ(link.error().message,
            m_tmp + "/to-dev: a symbolic link to /dev/null, which is not a regular file");
  fs::create_symlink(m_tmp + "/nothing", m_tmp + "/dangling");
  EXPECT_FALSE(write_file_atomic(m_tmp + "/dangling", "x"));
  EXPECT_FALSE(fs::exists(m_tmp + "/nothing"));
  fs::create_directory(m_tmp + "/dir");
  EXPECT_FALSE(write_file_atomic(m_tmp + "/dir", "x"));
  // A regular file is replaced; a link to one keeps being a link, to the new content.
  write(m_tmp + "/file", "old");
  ASSERT_TRUE(write_file_atomic(m_tmp + "/file", "new"));
  EXPECT_EQ(read(m_tmp + "/file"), "new");
  fs::create_symlink("file", m_tmp + "/to-file");
  ASSERT_TRUE(write_file_atomic(m_tmp + "/to-file", "via link"));
  EXPECT_TRUE(fs::is_symlink(m_tmp + "/to-file"));
  EXPECT_EQ(read(m_tmp + "/file"), "via link");
  // Nothing else was left in the folder.
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(m_tmp)) n += e.path().filename().string()[0] == '.';
  EXPECT_EQ(n, 0u);
}

TEST_F(FileTest, DeepTreesAreRemovedWithAFewDescriptors) {
  // Issue 10, case 6: 60 levels of 200-byte names (12 kB: past PATH_MAX, so no path names the
  // bottom) under a limit of 16 descriptors.
  const std::string name(200, 'd');
  int fd = ::open(m_tmp.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::mkdirat(fd, "top", 0755), 0);
  int cur = ::openat(fd, "top", O_RDONLY | O_DIRECTORY);
  for (int i = 0; i < 60; ++i) {
    ASSERT_EQ(::mkdirat(cur, name.c_str(), 0755), 0);
    int f = ::openat(cur, "file", O_WRONLY | O_CREAT, 0644);
    ::close(f);
    ::symlinkat("/", cur, "link");
    int next = ::openat(cur, name.c_str(), O_RDONLY | O_DIRECTORY);
    ::close(cur);
    cur = next;
  }
  ::fchmod(cur, 0);  // an unreadable directory at the bottom
  ::close(cur);
  ::close(fd);
  struct rlimit old {};
  ::getrlimit(RLIMIT_NOFILE, &old);
  struct rlimit low = old;
  low.rlim_cur = 16;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  auto r = remove_tree(m_tmp + "/top");
  ::setrlimit(RLIMIT_NOFILE, &old);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(fs::exists(m_tmp + "/top"));
  EXPECT_TRUE(remove_tree(m_tmp + "/missing"));
}

TEST_F(FileTest, StaleTemporariesGoButLiveOnesStay) {
  // Issue 10, case 8: what SIGKILL left (no lock, old) goes; a live run's file (locked) and a
  // fresh one stay; other names are never touched.
  std::string dir = m_tmp + "/out";
  fs::create_directory(dir);
  write(dir + "/.pith-tmp-img.tar-dead000001", "left by a killed run");
  fs::create_directory(dir + "/.pith-tmp-layout-dead000002");
  write(dir + "/.pith-tmp-layout-dead000002/blob", "x");
  write(dir + "/.pith-tmp-img.tar-live000003", "a running pith");
  write(dir + "/.pith-tmp-img.tar-new0000004", "just made");
  write(dir + "/.keep-me", "not ours");
  auto old = fs::file_time_type::clock::now() - std::chrono::hours(1);
  for (const char* n : {"/.pith-tmp-img.tar-dead000001", "/.pith-tmp-layout-dead000002",
                        "/.pith-tmp-img.tar-live000003", "/.keep-me"})
    fs::last_write_time(dir + n, old);
  int live = ::open((dir + "/.pith-tmp-img.tar-live000003").c_str(), O_RDONLY);
  ASSERT_EQ(::flock(live, LOCK_EX), 0);
  // Forked, so that the lock belongs to another process, as it would.
  pid_t child = ::fork();
  if (child == 0) {
    remove_stale_temporaries(dir);
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(live);
  EXPECT_FALSE(fs::exists(dir + "/.pith-tmp-img.tar-dead000001"));
  EXPECT_FALSE(fs::exists(dir + "/.pith-tmp-layout-dead000002"));
  EXPECT_TRUE(fs::exists(dir + "/.pith-tmp-img.tar-live000003"));
  EXPECT_TRUE(fs::exists(dir + "/.pith-tmp-img.tar-new0000004"));
  EXPECT_TRUE(fs::exists(dir + "/.keep-me"));
}

TEST_F(FileTest, ReadingNeverWaitsNorRunsForever) {
  // An archive or blob that is a FIFO would block open() until a writer came: refused at once.
  ASSERT_EQ(::mkfifo((m_tmp + "/fifo").c_str(), 0644), 0);
  auto r = open_read(m_tmp + "/fifo");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, m_tmp + "/fifo: not a regular file");
  EXPECT_FALSE(open_read("/dev/zero"));
  EXPECT_FALSE(open_read(m_tmp));
  // A small file named by the user may be a pipe or /dev/null (`--authfile /dev/null`): read to
  // its end, which a pipe without a writer has at once; /dev/zero stops at the limit.
  auto fifo = read_file(m_tmp + "/fifo", 100);
  ASSERT_TRUE(fifo) << fifo.error().message;
  EXPECT_EQ(*fifo, "");
  EXPECT_EQ(*read_file("/dev/null", 100), "");
  auto zero = read_file("/dev/zero", 100);
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().message, "/dev/zero: over the limit of 100 bytes");
  EXPECT_FALSE(read_file(m_tmp, 100));
}

}  // namespace
}  // namespace pith
