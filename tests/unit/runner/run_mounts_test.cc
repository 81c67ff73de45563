// The host side of a RUN's mounts that needs no mount(2): cache directories, the order runc
// mounts in, the kind of each mountpoint.
#include "runner/run_mounts.h"

#include <gtest/gtest.h>

#include "runner_test_util.h"

namespace pith::runner {
namespace {

Mount mount(MountKind kind, const std::string& target, const std::string& source = "") {
  Mount m;
  m.kind = kind;
  m.target = target;
  m.source = source;
  return m;
}

TEST(RunMounts, ACacheDirGetsItsOwnerAndModeOnlyWhenMade) {
  test::Scratch scratch;
  std::string cache = scratch.dir() + "/caches/ns/id";
  auto made = make_cache_dir(cache, 1001, 1002, 0751);
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_TRUE(*made);
  struct stat st {};
  ASSERT_EQ(::stat(cache.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1001u);
  EXPECT_EQ(st.st_gid, 1002u);
  EXPECT_EQ(st.st_mode & 07777, 0751u);  // BuildKit's testCacheMountUser: mode 41e9

  auto again = make_cache_dir(cache, 0, 0, 0700);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_FALSE(*again);
  ASSERT_EQ(::stat(cache.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1001u);
  EXPECT_EQ(st.st_mode & 07777, 0751u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(scratch.dir() + "/caches/ns"),
                          std::filesystem::directory_iterator()),
            1);  // no temporary left beside it

  test::make_file(scratch.dir() + "/file", "");
  EXPECT_FALSE(make_cache_dir(scratch.dir() + "/file", 0, 0, 0755).ok());
}

TEST(RunMounts, SortedByTargetAsBuildKitSortsThem) {
  std::vector<Mount> mounts = {mount(MountKind::cache, "/foo/bar/baz"),
                               mount(MountKind::tmpfs, "/b"), mount(MountKind::cache, "/foo/bar/"),
                               mount(MountKind::tmpfs, "/a")};
  std::vector<std::string> order;
  for (const auto& m : mount_order(mounts)) order.push_back(m.target);
  EXPECT_EQ(order, (std::vector<std::string>{"/a", "/b", "/foo/bar/", "/foo/bar/baz"}));
}

TEST(RunMounts, TargetsAreFilesForSecretsAndBoundFiles) {
  test::Scratch scratch;
  test::make_file(scratch.dir() + "/f", "");
  std::vector<Mount> mounts = {mount(MountKind::bind, "/d", scratch.dir()),
                               mount(MountKind::bind, "/f", scratch.dir() + "/f"),
                               mount(MountKind::secret, "/s", scratch.dir() + "/f"),
                               mount(MountKind::tmpfs, "/t")};
  auto targets = mount_targets(mounts);
  ASSERT_TRUE(targets.ok()) << targets.error().message;
  std::vector<bool> directories;
  for (const auto& t : *targets) directories.push_back(t.directory);
  EXPECT_EQ(directories, (std::vector<bool>{true, false, false, true}));
  EXPECT_FALSE(mount_targets({mount(MountKind::bind, "/x", scratch.dir() + "/none")}).ok());
}

}  // namespace
}  // namespace pith::runner
