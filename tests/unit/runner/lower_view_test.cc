// overlayfs's lookup across lower dirs, and the init layer built from it.
#include "runner/lower_view.h"

#include <gtest/gtest.h>

#include "runner/init_layer.h"
#include "runner_test_util.h"

namespace pith::runner {
namespace {

class Lowers : public ::testing::Test {
 protected:
  void SetUp() override {
    top = scratch.dir() + "/top";
    bottom = scratch.dir() + "/bottom";
    test::make_file(bottom + "/a/b/c", "c");
    test::make_file(bottom + "/d/e", "e");
    test::make_file(bottom + "/f/g", "g");
    test::make_file(bottom + "/h/i", "i");
    ASSERT_TRUE(test::make_opaque(top + "/a"));
    ASSERT_TRUE(test::make_whiteout(top + "/d"));
    test::make_file(top + "/f", "a file over a directory");
    test::make_dir(top + "/h");
  }
  bool exists(const std::string& path) {
    auto found = LowerView({top, bottom}).lookup(path);
    EXPECT_TRUE(found.ok());
    return found.ok() && found->has_value();
  }
  test::Scratch scratch;
  std::string top;
  std::string bottom;
};

TEST_F(Lowers, LooksUpAsOverlayfsDoes) {
  EXPECT_TRUE(exists(""));
  EXPECT_TRUE(exists("a"));
  EXPECT_FALSE(exists("a/b"));  // below an opaque directory
  EXPECT_FALSE(exists("a/b/c"));
  EXPECT_FALSE(exists("d"));  // whited out
  EXPECT_FALSE(exists("d/e"));
  EXPECT_TRUE(exists("f"));
  EXPECT_FALSE(exists("f/g"));  // a file hides the directory below
  EXPECT_TRUE(exists("h/i"));   // directories merge
  EXPECT_FALSE(exists("z"));
}

TEST(InitLayer, StubsWhatTheImageLacksAndMirrorsItsEtc) {
  test::Scratch scratch;
  std::string image = scratch.dir() + "/image";
  std::string init = scratch.dir() + "/init";
  test::make_dir(image + "/etc", 0750);
  test::make_file(image + "/etc/hosts", "127.0.0.1 localhost\n");
  ASSERT_EQ(::symlink("/run/resolv.conf", (image + "/etc/resolv.conf").c_str()), 0);
  test::make_dir(image + "/proc", 0555);
  ASSERT_EQ(::chown((image + "/etc").c_str(), 5, 6), 0);
  timespec times[2] = {{12345, 0}, {12345, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (image + "/etc").c_str(), times, 0), 0);
  test::make_dir(init);

  auto made = make_init_layer(init, LowerView({image}));
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_EQ(*made, (std::vector<std::string>{"sys", "dev", "etc/hostname", "etc/resolv.conf"}));
  struct stat st {};
  ASSERT_EQ(::lstat((init + "/etc").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  EXPECT_EQ(st.st_uid, 5u);
  EXPECT_EQ(st.st_gid, 6u);
  EXPECT_EQ(st.st_mtime, 12345);
  ASSERT_EQ(::lstat((init + "/etc/resolv.conf").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_FALSE(std::filesystem::exists(init + "/proc"));
  EXPECT_FALSE(std::filesystem::exists(init + "/etc/hosts"));
}

// The RUN's mount targets: stubbed where runc would make them (symlinks followed, ".." held
// at the root), with new parents; nothing where the image has one, or under runc's mounts,
// or below a file.
TEST(InitLayer, StubsMountTargetsTheImageLacks) {
  test::Scratch scratch;
  std::string image = scratch.dir() + "/image";
  std::string init = scratch.dir() + "/init";
  for (const char* dir : {"/proc", "/sys", "/dev", "/etc", "/usr/lib", "/run"})
    test::make_dir(image + dir);
  for (const char* file : {"/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/f"})
    test::make_file(image + file, "");
  test::make_dir(image + "/var");
  ASSERT_EQ(::symlink("../run", (image + "/var/run").c_str()), 0);
  ::chmod((image + "/usr").c_str(), 0700);
  ASSERT_EQ(::chown((image + "/usr").c_str(), 3, 4), 0);
  timespec times[2] = {{999, 0}, {999, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (image + "/usr").c_str(), times, 0), 0);
  test::make_dir(init);

  std::vector<MountTarget> targets = {{"/usr/cache/go", true},    {"/var/run/secret-x", false},
                                      {"/usr/lib", true},         {"/f/x", true},
                                      {"/dev/shm", true},         {"/../../usr/y/", true},
                                      {"/usr/cache/go/sub", true}};
  auto made = make_init_layer(init, LowerView({image}), targets);
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_EQ(*made, (std::vector<std::string>{"usr/cache/go", "run/secret-x", "usr/y",
                                             "usr/cache/go/sub"}));
  struct stat st {};
  ASSERT_EQ(::lstat((init + "/usr").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(st.st_uid, 3u);
  EXPECT_EQ(st.st_mtime, 999);
  ASSERT_EQ(::lstat((init + "/usr/cache").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_uid, 0u);
  ASSERT_EQ(::lstat((init + "/run/secret-x").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_FALSE(std::filesystem::exists(init + "/usr/lib"));
  EXPECT_FALSE(std::filesystem::exists(init + "/f"));
  EXPECT_FALSE(std::filesystem::exists(init + "/dev"));
  EXPECT_FALSE(std::filesystem::exists(init + "/var"));
}

}  // namespace
}  // namespace pith::runner
