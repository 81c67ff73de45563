// WWW-Authenticate parsing, token URLs and answers, base64: the pure parts of registry auth.
#include "registry/auth.h"

#include <gtest/gtest.h>

namespace pith::registry {
namespace {

TEST(Challenge, ParsesDockerHubBearer) {
  // Docker Hub's exact header for an anonymous manifest request.
  auto cs = parse_www_authenticate(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull")");
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].scheme, "bearer");
  EXPECT_EQ(cs[0].param("realm"), "https://auth.docker.io/token");
  EXPECT_EQ(cs[0].param("service"), "registry.docker.io");
  EXPECT_EQ(cs[0].param("scope"), "repository:library/alpine:pull");
}

TEST(Challenge, ParsesBasicAndSeveralChallenges) {
  auto cs = parse_www_authenticate(
      R"(Basic realm="Registry Realm", Bearer realm=https://t/x, error="invalid_token")");
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].scheme, "basic");
  EXPECT_EQ(cs[0].param("realm"), "Registry Realm");
  EXPECT_EQ(cs[1].scheme, "bearer");
  EXPECT_EQ(cs[1].param("realm"), "https://t/x");
  EXPECT_EQ(cs[1].param("error"), "invalid_token");
}

TEST(Challenge, CommasInsideQuotesAndEscapes) {
  auto cs = parse_www_authenticate(
      R"(bearer REALM="https://t/token", scope="repository:a:pull,push repository:b:pull", x="q\"uote")");
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].param("realm"), "https://t/token");
  EXPECT_EQ(cs[0].param("scope"), "repository:a:pull,push repository:b:pull");
  EXPECT_EQ(cs[0].param("x"), "q\"uote");
}

TEST(Challenge, HostileInputNeverLoops) {
  for (std::string s :
       {"", ",,,", "=", "\"", "Bearer realm=\"unterminated", "Bearer ,=,=", "@@@ Basic"}) {
    auto cs = parse_www_authenticate(s);
    EXPECT_LE(cs.size(), 3u) << s;
  }
  EXPECT_EQ(parse_www_authenticate("@@@ Basic")[0].scheme, "basic");
}

TEST(Scope, PullAndPush) {
  EXPECT_EQ(repository_scope("library/alpine", Access::pull), "repository:library/alpine:pull");
  EXPECT_EQ(repository_scope("a/b", Access::push), "repository:a/b:pull,push");
}

TEST(TokenUrl, EncodesServiceAndScopes) {
  Challenge c{"bearer", {{"realm", "https://auth.example/token"}, {"service", "reg service"}}};
  auto url = token_url(c, {"repository:a/b:pull,push", "repository:c:pull"});
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(
      *url,
      "https://auth.example/token?service=reg%20service&scope=repository%3Aa%2Fb%3Apull%2Cpush"
      "&scope=repository%3Ac%3Apull");
  Challenge q{"bearer", {{"realm", "https://t/token?x=1"}}};
  EXPECT_EQ(*token_url(q, {"s"}), "https://t/token?x=1&scope=s");
  Challenge bad{"bearer", {{"realm", "file:///etc/passwd"}}};
  EXPECT_FALSE(token_url(bad, {}));
}

TEST(TokenResponse, TokenOrAccessToken) {
  auto t = parse_token_response(R"({"token":"abc","expires_in":300})");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->value, "abc");
  EXPECT_EQ(t->expires_in.count(), 300);
  auto a = parse_token_response(R"({"access_token":"xyz"})");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->value, "xyz");
  EXPECT_EQ(a->expires_in.count(), 60);  // the spec's default
  EXPECT_FALSE(parse_token_response("{}"));
  EXPECT_FALSE(parse_token_response("not json"));
  EXPECT_FALSE(parse_token_response(R"({"token": 5})"));
}

TEST(Base64, RoundTripsAgainstKnownValues) {
  // RFC 4648 test vectors.
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(*base64_decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(*base64_decode("dXNlcjpwYXNz"), "user:pass");
  EXPECT_FALSE(base64_decode("Zm9v!"));
  EXPECT_FALSE(base64_decode("Z"));
}

}  // namespace
}  // namespace pith::registry
