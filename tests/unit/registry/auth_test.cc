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

TEST(TokenResponse, OAuthAnswer) {
  // The shape docker/distribution's postTokenResponse reads.
  auto t = parse_token_response(
      R"({"access_token":"acc","refresh_token":"new-refresh","expires_in":900,)"
      R"("issued_at":"2015-10-21T07:28:00Z","scope":"repository:a:pull"})");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->value, "acc");
  EXPECT_EQ(t->refresh_token, "new-refresh");
  EXPECT_EQ(t->expires_in.count(), 900);
  ASSERT_TRUE(t->issued_at);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*t->issued_at), 1445412480);
  // Go's zero time (year 1) and junk mean "not given".
  EXPECT_FALSE(
      parse_token_response(R"({"token":"x","issued_at":"0001-01-01T00:00:00Z"})")->issued_at);
  EXPECT_FALSE(parse_token_response(R"({"token":"x","issued_at":7})")->issued_at);
  EXPECT_EQ(parse_token_response(R"({"token":"x","refresh_token":null})")->refresh_token, "");
}

TEST(RefreshTokenForm, DistributionFields) {
  EXPECT_EQ(refresh_token_form("r/t+k=", "reg service",
                               {"repository:a/b:pull,push", "repository:c:pull"}),
            "grant_type=refresh_token&refresh_token=r%2Ft%2Bk%3D&service=reg%20service"
            "&scope=repository%3Aa%2Fb%3Apull%2Cpush%20repository%3Ac%3Apull&client_id=pith");
  // pith login asks for no scope; a realm may name no service.
  EXPECT_EQ(refresh_token_form("t", "", {}, "x"),
            "grant_type=refresh_token&refresh_token=t&client_id=x");
}

TEST(TokenRealm, OnlyHttp) {
  Challenge c{"bearer", {{"realm", "https://auth.example/token?x=1"}}};
  EXPECT_EQ(*token_realm(c), "https://auth.example/token?x=1");
  EXPECT_FALSE(token_realm(Challenge{"bearer", {{"realm", "ftp://x/"}}}));
  EXPECT_FALSE(token_realm(Challenge{"bearer", {}}));
}

TEST(Rfc3339, KnownInstants) {
  auto at = [](std::string_view s) {
    auto t = parse_rfc3339(s);
    return t ? std::chrono::duration_cast<std::chrono::microseconds>(t->time_since_epoch()).count()
             : -1;
  };
  // Values from `date -u -d ... +%s` and Python's datetime.fromisoformat.
  EXPECT_EQ(at("2015-10-21T07:28:00Z"), 1445412480'000000);
  EXPECT_EQ(at("2024-02-29T23:59:59z"), 1709251199'000000);
  EXPECT_EQ(at("2024-03-01T01:30:00+02:00"), 1709249400'000000);
  EXPECT_EQ(at("2024-05-01T14:00:00.123456+02:00"), 1714564800'123456);
  EXPECT_EQ(at("2024-05-01T12:00:00.123456789123Z"), 1714564800'123456);
  for (std::string_view bad :
       {"", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z",
        "2024-01-01T00:00:00", "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00+0200",
        "2024-01-01T00:00:00Zx", "2024-1-01T00:00:00Z", "9999-01-01T00:00:00Z"})
    EXPECT_EQ(at(bad), -1) << bad;
}

TEST(TokenLifetime, CountsFromIssuedAtUnlessClocksDisagree) {
  using namespace std::chrono;
  auto now = system_clock::from_time_t(1'700'000'000);
  Token t;
  t.expires_in = seconds(300);
  EXPECT_EQ(token_lifetime(t, now), seconds(300));  // no issued_at: from now
  t.issued_at = now - seconds(100);
  EXPECT_EQ(token_lifetime(t, now), seconds(200));
  t.issued_at = now + seconds(30);  // the server's clock is ahead
  EXPECT_EQ(token_lifetime(t, now), seconds(300));
  t.issued_at = now - seconds(3600);  // or far behind
  EXPECT_EQ(token_lifetime(t, now), seconds(300));
}

TEST(OAuthError, OnlyTheShortCode) {
  EXPECT_EQ(oauth_error(R"({"error":"invalid_grant","error_description":"bad token abc"})"),
            "invalid_grant");
  EXPECT_EQ(oauth_error(R"({"error":"secret-token-echoed"})"), "");
  EXPECT_EQ(oauth_error(R"({"error":"unauthorized_client"})"), "unauthorized_client");
  EXPECT_EQ(oauth_error(R"({"errors":[{"code":"DENIED"}]})"), "");
  EXPECT_EQ(oauth_error("nope"), "");
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
