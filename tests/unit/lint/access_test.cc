// The kernel's permission checks on the way to a file, for the user runc makes of a config's
// User and the image's /etc/passwd and /etc/group.
#include "lint/access.h"

#include <gtest/gtest.h>

#include <map>

namespace pith::lint {
namespace {

constexpr std::string_view k_passwd =
    "root:x:0:0:root:/root:/sbin/nologin\n"
    "# a comment\n"
    "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
    "app:x:1000:1000::/app:/bin/sh\n";
constexpr std::string_view k_group =
    "root:x:0:\n"
    "nonroot:x:65532:\n"
    "app:x:1000:\n"
    "video:x:44:other,app\n"
    "audio:x:29:application\n";

TEST(Identity, PasswdHasUid) {
  EXPECT_TRUE(passwd_has_uid(k_passwd, "65532"));
  EXPECT_TRUE(passwd_has_uid(k_passwd, "0"));
  EXPECT_FALSE(passwd_has_uid(k_passwd, "6553"));
  EXPECT_FALSE(passwd_has_uid(k_passwd, "nonroot"));  // a name is not a uid
}

TEST(Identity, AsRuncResolvesTheUser) {
  auto app = identity_of("app", k_passwd, k_group);
  ASSERT_TRUE(app);
  EXPECT_EQ(app->uid, 1000u);
  EXPECT_EQ(app->gid, 1000u);
  EXPECT_EQ(app->groups, std::vector<uint64_t>{44});  // "application" is not "app"
  auto numeric = identity_of("1000", k_passwd, k_group);
  ASSERT_TRUE(numeric);
  EXPECT_EQ(numeric->gid, 1000u);
  EXPECT_EQ(numeric->groups, std::vector<uint64_t>{44});
  auto unknown = identity_of("4242", k_passwd, k_group);  // not in passwd: gid 0, no groups
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->uid, 4242u);
  EXPECT_EQ(unknown->gid, 0u);
  EXPECT_TRUE(unknown->groups.empty());
  EXPECT_EQ(identity_of("65532:audio", k_passwd, k_group)->gid, 29u);
  EXPECT_EQ(identity_of("65532:7", k_passwd, k_group)->gid, 7u);
  EXPECT_FALSE(identity_of("nobody", k_passwd, k_group));
  EXPECT_FALSE(identity_of("app:nogroup", k_passwd, k_group));
}

TEST(Allows, OwnerGroupOtherAndRoot) {
  Identity app{1000, 1000, {44}};
  Identity root{0, 0, {}};
  Meta owned{false, 0700, 1000, 0};
  Meta group_video{false, 0750, 0, 44};
  Meta root_only{false, 0700, 0, 0};
  Meta no_exec{false, 0644, 0, 0};
  EXPECT_TRUE(allows(owned, app, Access::execute));
  EXPECT_TRUE(allows(group_video, app, Access::execute));
  EXPECT_FALSE(allows(root_only, app, Access::read));
  EXPECT_TRUE(allows(no_exec, app, Access::read));
  EXPECT_FALSE(allows(no_exec, app, Access::execute));
  // Owner bits decide for the owner, even when "other" would allow more.
  EXPECT_FALSE(allows(Meta{false, 0077, 1000, 0}, app, Access::read));
  EXPECT_TRUE(allows(root_only, root, Access::read));
  EXPECT_FALSE(allows(no_exec, root, Access::execute));  // root too needs one x bit
  EXPECT_TRUE(allows(Meta{false, 0001, 5, 5}, root, Access::execute));
  EXPECT_TRUE(allows(Meta{true, 0000, 5, 5}, root, Access::search));
}

TEST(Barrier, TheFirstDirectoryOrTheFile) {
  std::map<std::string, Meta> image = {
      {"/root", {true, 0700, 0, 0}},     {"/root/app", {false, 0755, 0, 0}},
      {"/srv", {true, 0711, 0, 0}},      {"/srv/app", {false, 0700, 0, 0}},
      {"/opt/app", {false, 0755, 0, 0}},
  };
  auto meta = [&](const std::string& p) -> std::optional<Meta> {
    auto it = image.find(p);
    return it == image.end() ? std::nullopt : std::optional<Meta>(it->second);
  };
  Identity nonroot{65532, 65532, {}};
  auto b = first_barrier("/root/app", nonroot, Access::execute, meta);
  ASSERT_TRUE(b);
  EXPECT_EQ(describe(*b), "cannot search /root (mode 0700, owner 0:0)");
  b = first_barrier("/srv/app", nonroot, Access::execute, meta);
  ASSERT_TRUE(b);
  EXPECT_EQ(describe(*b), "cannot execute /srv/app (mode 0700, owner 0:0)");
  EXPECT_FALSE(first_barrier("/opt/app", nonroot, Access::execute, meta));  // /opt implied 0755
  EXPECT_FALSE(first_barrier("/root/app", Identity{}, Access::execute, meta));
}

}  // namespace
}  // namespace pith::lint
