// Credential files (Docker's config.json, containers' auth.json), lookup order, --creds,
// and login/logout edits that keep the rest of the file.
#include "registry/credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "util/file.h"

namespace pith::registry {
namespace {

TEST(Credentials, ParsesDockerConfig) {
  // "dXNlcjpwYTpzcw==" is "user:pa:ss" (a password may hold colons).
  auto f = parse_auth_file(R"({
    "auths": {
      "https://index.docker.io/v1/": {"auth": "dXNlcjpwYTpzcw=="},
      "ghcr.io": {"identitytoken": "tok"},
      "quay.io:443": {"auth": "bWU6", "identitytoken": "tok2"},
      "quay.io": {},
      "localhost:5000": {"auth": "YTpi"}
    },
    "credHelpers": {"123.dkr.ecr.us-east-1.amazonaws.com": "ecr-login"},
    "credsStore": "desktop"
  })");
  ASSERT_TRUE(f) << f.error().message;
  ASSERT_EQ(f->auths.size(), 4u);
  EXPECT_EQ(f->auths.at("docker.io").username, "user");
  EXPECT_EQ(f->auths.at("docker.io").password, "pa:ss");
  EXPECT_EQ(f->auths.at("ghcr.io").username, "<token>");
  EXPECT_TRUE(f->auths.at("ghcr.io").is_identity_token());
  // As `docker login` writes it: "auth" is base64 "me:" beside the token, which wins.
  EXPECT_EQ(f->auths.at("quay.io:443").username, "<token>");
  EXPECT_EQ(f->auths.at("quay.io:443").password, "tok2");
  EXPECT_EQ(f->auths.at("localhost:5000").password, "b");
  EXPECT_EQ(f->cred_helpers.at("123.dkr.ecr.us-east-1.amazonaws.com"), "ecr-login");
  EXPECT_EQ(f->creds_store, "desktop");
}

TEST(Credentials, LookupOrder) {
  auto f = *parse_auth_file(R"({"auths": {"a.io": {"auth": "YTpi"}, "b.io": {"auth": "YTpi"}},
                                "credHelpers": {"b.io": "helper-b"}, "credsStore": "store"})");
  auto a = lookup(f, "a.io");
  ASSERT_TRUE(a.credential);
  EXPECT_EQ(a.helper, "");
  auto b = lookup(f, "b.io");  // the registry's own helper wins over inline auths
  EXPECT_FALSE(b.credential);
  EXPECT_EQ(b.helper, "helper-b");
  auto c = lookup(f, "c.io");  // else the default store
  EXPECT_FALSE(c.credential);
  EXPECT_EQ(c.helper, "store");
}

// containers-auth.json(5): a key may name a namespace or repository; the most specific key
// that holds the repository wins, whole path components only.
TEST(Credentials, LookupMostSpecificKey) {
  // "cmVnOjI=" is "reg:2", "dGVhbTpU" "team:T", "YXBwOkE=" "app:A".
  auto f = parse_auth_file(R"({"auths": {
    "r.io:5000": {"auth": "cmVnOjI="},
    "r.io:5000/team": {"auth": "dGVhbTpU"},
    "r.io:5000/team/sub/app": {"auth": "YXBwOkE="},
    "https://index.docker.io/v1/": {"auth": "cmVnOjI="},
    "docker.io/myorg": {"auth": "dGVhbTpU"}}})");
  ASSERT_TRUE(f) << f.error().message;
  auto user = [&](const std::string& registry, const std::string& repository) {
    auto found = lookup(*f, registry, repository);
    return found.credential ? found.credential->username : "";
  };
  EXPECT_EQ(user("r.io:5000", "team/app"), "team");
  EXPECT_EQ(user("r.io:5000", "team/sub/app"), "app");
  EXPECT_EQ(user("r.io:5000", "team/sub/other"), "team");
  EXPECT_EQ(user("r.io:5000", "teamx/app"), "reg");  // not a prefix of a component
  EXPECT_EQ(user("r.io:5000", "other"), "reg");
  EXPECT_EQ(user("r.io:5000", ""), "reg");
  EXPECT_EQ(user("docker.io", "myorg/app"), "team");
  EXPECT_EQ(user("docker.io", "library/alpine"), "reg");
  EXPECT_EQ(user("s.io", "team/app"), "");
}

TEST(Credentials, RejectsBrokenFiles) {
  EXPECT_FALSE(parse_auth_file("[]"));
  EXPECT_FALSE(parse_auth_file("{"));
  auto bad = parse_auth_file(R"({"auths": {"x.io": {"auth": "bm9jb2xvbg=="}}})");  // "nocolon"
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "auths.x.io: not USER:PASSWORD");
  EXPECT_TRUE(parse_auth_file(R"({"auths": "odd", "credHelpers": 5})"));
}

TEST(Credentials, NormalizesRegistryKeys) {
  EXPECT_EQ(normalize_registry("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(normalize_registry("registry-1.docker.io"), "docker.io");
  EXPECT_EQ(normalize_registry("http://localhost:5000/v2/"), "localhost:5000");
  EXPECT_EQ(normalize_registry("quay.io/org/repo"), "quay.io");
  // As auths keys: a URL is its host; a plain key keeps its namespace.
  EXPECT_EQ(normalize_auth_key("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(normalize_auth_key("http://localhost:5000/v2/"), "localhost:5000");
  EXPECT_EQ(normalize_auth_key("quay.io/org/repo"), "quay.io/org/repo");
  EXPECT_EQ(normalize_auth_key("quay.io/org/"), "quay.io/org");
  EXPECT_EQ(normalize_auth_key("index.docker.io/myorg"), "docker.io/myorg");
  EXPECT_EQ(normalize_auth_key("localhost:5000"), "localhost:5000");
}

TEST(Credentials, ExactKeyWinsOverAnAlias) {
  // "dXJsOlU=" is "url:U", "a2V5Oks=" "key:K": both name r.io; the normalised one wins,
  // whatever the order.
  auto f = parse_auth_file(R"({"auths": {"https://r.io/v1/": {"auth": "dXJsOlU="},
                                         "r.io": {"auth": "a2V5Oks="}}})");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->auths.at("r.io").username, "key");
}

TEST(Credentials, CredsOption) {
  auto c = parse_creds_option("me:p:w");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "me");
  EXPECT_EQ(c->password, "p:w");
  EXPECT_FALSE(parse_creds_option("me"));
  EXPECT_FALSE(parse_creds_option(":pw"));
}

TEST(Credentials, StoreAndEraseKeepTheRest) {
  auto dir = std::filesystem::temp_directory_path() / ("pith-cred-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "sub" / "auth.json").string();
  std::filesystem::create_directories(dir / "sub");
  std::ofstream(path) << R"({"auths": {"keep.io": {"auth": "YTpi"}}, "credsStore": "x"})";
  ASSERT_TRUE(store_credential(path, "r.io:5000", {"u", "p"}));
  auto j = nlohmann::json::parse(*read_file(path, 1 << 20));
  EXPECT_EQ(j["auths"]["r.io:5000"]["auth"], "dTpw");
  EXPECT_EQ(j["auths"]["keep.io"]["auth"], "YTpi");
  EXPECT_EQ(j["credsStore"], "x");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // A namespace's entry is its own: stored beside the registry's, erased alone.
  ASSERT_TRUE(store_credential(path, "r.io:5000/team", {"t", "q"}));
  j = nlohmann::json::parse(*read_file(path, 1 << 20));
  EXPECT_EQ(j["auths"]["r.io:5000/team"]["auth"], "dDpx");
  EXPECT_EQ(j["auths"]["r.io:5000"]["auth"], "dTpw");
  EXPECT_TRUE(*erase_credential(path, "r.io:5000"));
  EXPECT_FALSE(*erase_credential(path, "r.io:5000"));
  j = nlohmann::json::parse(*read_file(path, 1 << 20));
  EXPECT_FALSE(j["auths"].contains("r.io:5000"));
  EXPECT_TRUE(j["auths"].contains("r.io:5000/team"));
  EXPECT_TRUE(j["auths"].contains("keep.io"));
  EXPECT_TRUE(*erase_credential(path, "r.io:5000/team"));
  std::filesystem::remove_all(dir);
}

TEST(Credentials, SearchOrder) {
  ::setenv("REGISTRY_AUTH_FILE", "/x/auth.json", 1);
  ::setenv("HOME", "/home/u", 1);
  ::unsetenv("XDG_CONFIG_HOME");
  ::unsetenv("DOCKER_CONFIG");
  EXPECT_EQ(auth_file_paths(""),
            (std::vector<std::string>{"/x/auth.json", "/home/u/.config/containers/auth.json",
                                      "/home/u/.docker/config.json"}));
  EXPECT_EQ(auth_file_paths("/only.json"), std::vector<std::string>{"/only.json"});
  ::unsetenv("REGISTRY_AUTH_FILE");
  ::setenv("XDG_RUNTIME_DIR", "/run/user/7", 1);
  EXPECT_EQ(login_auth_file(""), "/run/user/7/containers/auth.json");
}

}  // namespace
}  // namespace pith::registry
