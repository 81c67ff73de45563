// The build plan: which layer an entry lands in, the parents each layer needs, conflicts.
#include "build/plan.h"

#include <gtest/gtest.h>

#include "build/base_files.h"

namespace pith::build {
namespace {

std::vector<std::string> paths(const std::vector<PlanEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.path);
  return out;
}

TEST(Plan, NormalisesImagePaths) {
  EXPECT_EQ(*normalize_image_path("/a//b/./c/../d/"), "/a/b/d");
  EXPECT_EQ(*normalize_image_path("/"), "/");
  EXPECT_FALSE(normalize_image_path("/../etc"));
  EXPECT_FALSE(normalize_image_path("relative"));
}

TEST(Plan, EachLayerGetsItsParentsWithThePlannedModes) {
  Plan plan;
  plan.add_directory("/home/nonroot", 0700, Layer::base, 65532, 65532);
  plan.add_generated("/home/nonroot/.config/app.json", "{}", 0600, Layer::app);
  plan.add_generated("/etc/passwd", "root:x:0:0::/root:/sbin/nologin\n", 0644, Layer::base);
  auto app = plan.layer_entries(Layer::app);
  EXPECT_EQ(paths(app), (std::vector<std::string>{"/home", "/home/nonroot", "/home/nonroot/.config",
                                                  "/home/nonroot/.config/app.json"}));
  // The app layer must not loosen /home/nonroot (0700, nonroot's) by re-creating it.
  EXPECT_EQ(app[1].mode, 0700u);
  EXPECT_EQ(app[1].uid, 65532u);
  EXPECT_EQ(app[2].mode, 0755u);
  EXPECT_EQ(paths(plan.layer_entries(Layer::base)),
            (std::vector<std::string>{"/etc", "/etc/passwd", "/home", "/home/nonroot"}));
  EXPECT_EQ(plan.layer_entries(std::nullopt).size(), 6u);
  EXPECT_TRUE(plan.layer_entries(Layer::libs).empty());
}

TEST(Plan, HigherLayersWinAndOneLayerMustAgree) {
  Plan plan;
  plan.add_generated("/etc/passwd", "generated\n", 0644, Layer::base);
  plan.add_generated("/etc/passwd", "the app's own\n", 0644, Layer::app);
  plan.add_generated("/etc/passwd", "ignored\n", 0644, Layer::libs);
  EXPECT_EQ(plan.entries().at("/etc/passwd").content, "the app's own\n");
  EXPECT_TRUE(plan.layer_entries(Layer::base).empty());

  plan.add_symlink("/lib64", "usr/lib64", Layer::libs);
  plan.add_symlink("/lib64", "usr/lib64", Layer::libs);  // the same link twice is fine
  EXPECT_EQ(plan.entries().at("/lib64").link_target, "usr/lib64");
}

TEST(Plan, HostTreesKeepTheirLinks) {
  auto dir = std::filesystem::temp_directory_path() / "pith-plan-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "conf");
  std::FILE* f = std::fopen((dir / "conf" / "a.txt").c_str(), "w");
  std::fputs("a\n", f);
  std::fclose(f);
  std::filesystem::create_symlink("a.txt", dir / "conf" / "b.txt");
  Plan plan;
  ASSERT_TRUE(plan.add_host((dir / "conf").string(), "/etc/app", Layer::app));
  EXPECT_EQ(plan.entries().at("/etc/app").kind, EntryKind::directory);
  EXPECT_EQ(plan.entries().at("/etc/app/a.txt").source, (dir / "conf" / "a.txt").string());
  EXPECT_EQ(plan.entries().at("/etc/app/b.txt").link_target, "a.txt");
  EXPECT_FALSE(plan.add_host((dir / "missing").string(), "/x", Layer::app));
  std::filesystem::remove_all(dir);
}

TEST(BaseFiles, UsersAreNumeric) {
  // The image's files as the build generates them, and an Alpine 3.10 root's (its lines).
  const Accounts image{
      "root:x:0:0:root:/root:/sbin/nologin\n"
      "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
      "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
      "root:x:0:\ntty:x:5:\nstaff:x:50:\nnobody:x:65534:\nnonroot:x:65532:\n"};
  const Accounts alpine{
      "root:x:0:0:root:/root:/bin/ash\nxfs:x:33:33:X Font Server:/etc/X11/fs:/sbin/"
      "nologin\nguest:x:405:100:guest:/dev/null:/sbin/nologin\n",
      "root:x:0:root\nwheel:x:10:root\nusers:x:100:games\n"};
  EXPECT_EQ(*config_user("", image, alpine), "65532");
  EXPECT_EQ(*config_user("nonroot", image, alpine), "65532");
  EXPECT_EQ(*config_user("root", image, alpine), "0");
  EXPECT_EQ(*config_user("nobody:nonroot", image, alpine), "65534:65532");
  EXPECT_EQ(*config_user("1000:1000", image, alpine), "1000:1000");
  EXPECT_EQ(*config_user("nonroot:tty", image, alpine), "65532:5");
  // Only the root knows them: the primary group comes along, runc could not find it.
  EXPECT_EQ(*config_user("guest", image, alpine), "405:100");
  EXPECT_EQ(*config_user("guest:wheel", image, alpine), "405:10");
  EXPECT_EQ(*config_user("xfs:users", image, alpine), "33:100");
  EXPECT_EQ(*config_user("1000:wheel", image, alpine), "1000:10");
  EXPECT_EQ(config_user("www-data", image, alpine).error().message,
            "--user www-data: \"www-data\" is neither a number nor a user of the image's or the "
            "root's /etc/passwd");
  EXPECT_FALSE(config_user("guest:nogroup", image, alpine));
  EXPECT_FALSE(config_user("guest", image, {}));
}

TEST(BaseFiles, PemCertificates) {
  EXPECT_TRUE(
      has_pem_certificate("# bundle\n-----BEGIN CERTIFICATE-----\nMIIB\n"
                          "-----END CERTIFICATE-----\n"));
  EXPECT_FALSE(has_pem_certificate("root:x:0:0:root:/root:/bin/sh\n"));
  EXPECT_FALSE(has_pem_certificate("-----BEGIN CERTIFICATE-----\nMIIB\n"));  // cut short
  EXPECT_FALSE(has_pem_certificate("-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n"));
  EXPECT_FALSE(
      has_pem_certificate("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"));
}

TEST(BaseFiles, OsReleaseKeepsTheDistributionForScanners) {
  EXPECT_EQ(
      os_release("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
                 "VERSION_ID=\"12\"\nID=debian\n"),
      "PRETTY_NAME=\"Distroless\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n");
  EXPECT_EQ(os_release(""), "PRETTY_NAME=\"Distroless\"\nNAME=\"Distroless\"\nID=distroless\n");
}

}  // namespace
}  // namespace pith::build
