// Attack-surface rules on files and config values: what counts as a secret, and what the
// allow list keeps out (the false positives dockle's users complain of).
#include "lint/surface.h"

#include <gtest/gtest.h>

namespace pith::lint {
namespace {

TEST(Secrets, NamesThatSaySoWithValuesThatAreOne) {
  EXPECT_TRUE(looks_like_secret("DB_PASSWORD=hunter2hunter2"));
  EXPECT_TRUE(looks_like_secret("GITHUB_TOKEN=ghp_0123456789abcdef"));
  EXPECT_TRUE(looks_like_secret("aws_secret_access_key=wJalrXUtnFEMI"));
  EXPECT_TRUE(looks_like_secret("API_KEY=sk-live-1234"));
  EXPECT_TRUE(looks_like_secret("DATABASE_URL_TOKEN=https://u:p@db"));
}

TEST(Secrets, TheAllowList) {
  EXPECT_FALSE(looks_like_secret("PATH=/usr/bin"));
  EXPECT_FALSE(looks_like_secret("GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D"));  // python
  EXPECT_FALSE(looks_like_secret("POSTGRES_PASSWORD_FILE=/run/secrets/db"));
  EXPECT_FALSE(looks_like_secret("MYSQL_PASSWORD=/run/secrets/db"));
  EXPECT_FALSE(looks_like_secret("VAULT_TOKEN_PATH=/var/run/token"));
  EXPECT_FALSE(looks_like_secret("SECRET_VERSION=2"));
  EXPECT_FALSE(looks_like_secret("PASSWORD=changeme"));
  EXPECT_FALSE(looks_like_secret("TOKEN=$TOKEN"));
  EXPECT_FALSE(looks_like_secret("TOKEN_URL=https://auth.example/token"));
  EXPECT_FALSE(looks_like_secret("PASSWORD="));
  EXPECT_FALSE(looks_like_secret("NO_EQUALS_SECRET"));
}

std::vector<std::string> ids(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.id + " " + f.path);
  return out;
}

TEST(Surface, KeysCredentialsAndRepositories) {
  std::vector<tar::Entry> entries;
  LayerFacts facts;
  auto file = [&](std::string path, std::string bytes) {
    tar::Entry e;
    e.path = path;
    e.mode = 0600;
    e.size = bytes.size();
    entries.push_back(e);
    if (wanted(e) != fs::Want::nothing) collect(fs::CapturedFile{path, bytes, e.mode}, facts);
  };
  auto dir = [&](std::string path) {
    tar::Entry e;
    e.path = path;
    e.type = tar::EntryType::directory;
    e.mode = 0755;
    entries.push_back(e);
  };
  file("root/.ssh/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n");
  file("etc/ssl/private/server.key", "-----BEGIN PRIVATE KEY-----\nMIIE\n");
  file("etc/ssl/certs/ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n");  // public: no finding
  file("root/.aws/credentials", "[default]\naws_secret_access_key = abc\n");
  file("root/.docker/config.json", R"({"auths":{"r.example":{"auth":"dTpw"}}})");
  file("app/.npmrc", "//registry.npmjs.org/:_authToken=npm_abc\n");
  file("app2/.npmrc", "registry=https://registry.npmjs.org/\n");  // no token
  dir("src/.git");
  fs::Tree tree;
  ASSERT_TRUE(tree.apply_layer(0, entries));
  oci::ImageConfig config;
  config.env = {"PATH=/bin", "STRIPE_API_KEY=sk_live_abcdef"};
  ImageView view("v", std::move(tree), {facts}, config);
  report::InspectReport r;
  r.config = config;
  EXPECT_EQ(
      ids(check_surface(r, view)),
      (std::vector<std::string>{"PL208 /app/.npmrc", "PL205 /etc/ssl/private/server.key",
                                "PL206 /root/.aws/credentials", "PL206 /root/.docker/config.json",
                                "PL205 /root/.ssh/id_ed25519", "PL207 /src/.git", "PL209 "}));
}

TEST(Hygiene, FilesNoPackageOwns) {
  std::vector<tar::Entry> entries;
  LayerFacts facts;
  auto add = [&](std::string path, tar::EntryType type, std::string bytes = "",
                 std::string target = "") {
    tar::Entry e;
    e.path = path;
    e.type = type;
    e.mode = 0644;
    e.size = bytes.size();
    e.link_target = target;
    entries.push_back(e);
    if (type == tar::EntryType::regular && wanted(e) != fs::Want::nothing)
      collect(fs::CapturedFile{path, bytes, e.mode}, facts);
  };
  add("usr/bin/tool", tar::EntryType::regular, "1234");
  add("bin", tar::EntryType::symlink, "", "usr/bin");
  add("opt/app/server", tar::EntryType::regular, "123456");  // no package's
  add("var/lib/dpkg/status", tar::EntryType::regular, "x");  // the database: by design
  add("var/lib/dpkg/info/tool.list", tar::EntryType::regular, "/.\n/bin\n/bin/tool\n");
  fs::Tree tree;
  ASSERT_TRUE(tree.apply_layer(0, entries));
  ImageView view("v", std::move(tree), {facts}, {});
  report::InspectReport r;
  catalog::Package tool;
  tool.name = "tool";
  tool.files = {"/bin/tool"};  // from its list, by report::merge_packages
  r.packages.push_back({tool, 0});
  auto f = check_hygiene(r, view);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].id, "PL302");
  EXPECT_EQ(f[0].message,
            "1 files (6 bytes) are owned by no package, e.g. /opt/app/server: "
            "scanners that read package records do not see them");
  r.packages.clear();  // no package records: nothing to compare with
  EXPECT_TRUE(check_hygiene(r, view).empty());
}

TEST(Hygiene, WastedBytesOverTheThreshold) {
  report::InspectReport r;
  r.content_size = 50 << 20;
  r.efficiency.reclaimable_bytes = 20 << 20;
  ImageView empty("v", fs::Tree(), {}, {});
  auto f = check_hygiene(r, empty);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].id, "PL301");
  EXPECT_EQ(f[0].severity, Severity::info);
  r.efficiency.reclaimable_bytes = 4 << 20;  // under 10 MB
  EXPECT_TRUE(check_hygiene(r, empty).empty());
  r.content_size = 1000u << 20;
  r.efficiency.reclaimable_bytes = 50 << 20;  // under 10% of the content
  EXPECT_TRUE(check_hygiene(r, empty).empty());
}

}  // namespace
}  // namespace pith::lint
