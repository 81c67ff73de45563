// The pure parts of the daemon client: error answers and load verdicts as Docker 20.10 and
// podman 4.3 write them (bodies copied from their answers on this machine), URL escaping.
#include "transport/daemon_api.h"

#include <gtest/gtest.h>

namespace pith::transport {
namespace {

TEST(DaemonApi, ErrorMessages) {
  EXPECT_EQ(daemon_error_message(R"({"message":"No such image: nope"})"), "No such image: nope");
  EXPECT_EQ(
      daemon_error_message(
          R"({"cause":"image not known","message":"failed to find image nope: docker.io/library/nope: image not known","response":404})"),
      "failed to find image nope: docker.io/library/nope: image not known");
  EXPECT_EQ(daemon_error_message("page not found\r\nmore"), "page not found");
  EXPECT_EQ(daemon_error_message(""), "");
  EXPECT_EQ(daemon_error_message(std::string(400, 'x')), std::string(300, 'x') + "...");
}

TEST(DaemonApi, LoadResponses) {
  EXPECT_TRUE(check_load_response("{\"stream\":\"Loaded image: x:1\\n\"}\n"));
  EXPECT_TRUE(check_load_response(""));
  auto e = check_load_response(
      "{\"stream\":\"a\"}\n{\"errorDetail\":{\"message\":\"unexpected "
      "EOF\"},\"error\":\"unexpected "
      "EOF\"}\n");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "unexpected EOF");
  auto e2 = check_load_response(R"({"error":"open manifest.json: no such file"})");
  ASSERT_FALSE(e2);
  EXPECT_EQ(e2.error().message, "open manifest.json: no such file");
  EXPECT_TRUE(check_load_response("not json\n[1,2]\n"));
}

TEST(DaemonApi, UrlPathEscape) {
  EXPECT_EQ(url_path_escape("localhost:5000/a/b:v1"), "localhost:5000/a/b:v1");
  EXPECT_EQ(url_path_escape("sha256:0a"), "sha256:0a");
  EXPECT_EQ(url_path_escape("a b?c#d%"), "a%20b%3Fc%23d%25");
}

}  // namespace
}  // namespace pith::transport
