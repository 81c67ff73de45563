// Platforms (names, host detection, matching) and descriptor JSON.
#include "oci/descriptor.h"

#include <gtest/gtest.h>

namespace pith::oci {
namespace {

using nlohmann::json;

Platform platform(const char* text) {
  return *Platform::parse(text);
}

TEST(Platform, ParsesAndPrints) {
  Platform p = platform("linux/arm/v7");
  EXPECT_EQ(p.os, "linux");
  EXPECT_EQ(p.architecture, "arm");
  EXPECT_EQ(p.variant, "v7");
  EXPECT_EQ(p.str(), "linux/arm/v7");
  EXPECT_EQ(platform("linux/amd64").str(), "linux/amd64");
  EXPECT_EQ(platform("linux/x86_64").str(), "linux/amd64");
  EXPECT_EQ(platform("linux/aarch64").str(), "linux/arm64");
  for (const char* bad : {"", "linux", "linux/", "/amd64", "linux//v7", "a/b/c/d", "linux/arm/"})
    EXPECT_FALSE(Platform::parse(bad)) << bad;
  EXPECT_EQ(Platform::parse("linux").error().message,
            "invalid platform \"linux\": expected os/arch[/variant]");
}

TEST(Platform, Satisfies) {
  EXPECT_TRUE(platform("linux/amd64").satisfies(platform("linux/amd64")));
  EXPECT_FALSE(platform("linux/amd64").satisfies(platform("linux/arm64")));
  EXPECT_FALSE(platform("windows/amd64").satisfies(platform("linux/amd64")));
  EXPECT_TRUE(platform("linux/arm/v7").satisfies(platform("linux/arm")));
  EXPECT_FALSE(platform("linux/arm/v6").satisfies(platform("linux/arm/v7")));
  EXPECT_FALSE(platform("linux/arm").satisfies(platform("linux/arm/v7")));
  // arm64 images often leave the variant out; it means v8.
  EXPECT_TRUE(platform("linux/arm64").satisfies(platform("linux/arm64/v8")));
  EXPECT_TRUE(platform("linux/arm64/v8").satisfies(platform("linux/arm64")));
  EXPECT_FALSE(platform("linux/arm64").satisfies(platform("linux/arm64/v9")));
}

TEST(Platform, HostIsKnown) {
  Platform h = Platform::host();
  EXPECT_EQ(h.os, "linux");
  EXPECT_FALSE(h.architecture.empty());
  EXPECT_NE(h.architecture, "x86_64");
  EXPECT_NE(h.architecture, "aarch64");
  EXPECT_TRUE(h.satisfies(h));
}

TEST(Descriptor, JsonRoundTrip) {
  json j = json::parse(R"({
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": "sha256:e7c26a4b4d156fd9947ee82295b7b78acf7aa54b93b8f3e4b9f608179ffb20e8",
    "size": 476,
    "urls": ["https://example.com/x"],
    "annotations": {"a": "b"},
    "platform": {"architecture": "arm64", "os": "linux", "variant": "v8",
                 "os.version": "1", "os.features": ["f"]},
    "artifactType": "application/x",
    "data": "e30=",
    "unknown": {"ignored": true}
  })");
  auto d = descriptor_from_json(j);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->size, 476u);
  EXPECT_EQ(d->digest.short_str(), "sha256:e7c26a4b4d15");
  EXPECT_EQ(d->urls, std::vector<std::string>{"https://example.com/x"});
  EXPECT_EQ(d->annotations.at("a"), "b");
  ASSERT_TRUE(d->platform);
  EXPECT_EQ(d->platform->str(), "linux/arm64/v8");
  EXPECT_EQ(d->platform->os_version, "1");
  EXPECT_EQ(d->artifact_type, "application/x");
  auto again = descriptor_from_json(to_json(*d));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *d);
  EXPECT_FALSE(to_json(*d).contains("data"));
}

TEST(Descriptor, OmitsEmptyOptionalFields) {
  Descriptor d;
  d.digest = Digest::sha256_of("");
  EXPECT_EQ(
      to_json(d).dump(),
      R"({"digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":0})");
}

TEST(Descriptor, RejectsBadFields) {
  const std::string digest =
      R"("sha256:e7c26a4b4d156fd9947ee82295b7b78acf7aa54b93b8f3e4b9f608179ffb20e8")";
  struct Case {
    std::string json;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {"[]", "document: expected an object, got array"},
           {R"({"size": 1})", "digest: missing"},
           {R"({"digest": 5, "size": 1})", "digest: expected a string, got number"},
           {R"({"digest": )" + digest + "}", "size: missing"},
           {R"({"digest": )" + digest + R"(, "size": -1})", "size: negative size"},
           {R"({"digest": )" + digest + R"(, "size": 1.5})",
            "size: expected a non-negative integer, got number"},
           {R"({"digest": )" + digest + R"(, "size": "1"})",
            "size: expected a non-negative integer, got string"},
           {R"({"digest": )" + digest + R"(, "size": 9223372036854775808})",
            "size: 9223372036854775808 is out of range"},
           {R"({"digest": )" + digest + R"(, "size": 1e300})",
            "size: expected a non-negative integer, got number"},
           {R"({"digest": )" + digest + R"(, "size": 1, "urls": "x"})",
            "urls: expected an array of strings, got string"},
           {R"({"digest": )" + digest + R"(, "size": 1, "urls": [1]})",
            "urls[0]: expected a string, got number"},
           {R"({"digest": )" + digest + R"(, "size": 1, "annotations": {"a": 1}})",
            "annotations.a: expected a string, got number"},
           {R"({"digest": )" + digest + R"(, "size": 1, "platform": {"os": "linux"}})",
            "platform.architecture: missing"},
           {R"({"digest": )" + digest + R"(, "size": 1, "mediaType": []})",
            "mediaType: expected a string, got array"},
       }) {
    json j = json::parse(c.json, nullptr, false);
    auto d = descriptor_from_json(j);
    ASSERT_FALSE(d) << c.json;
    EXPECT_EQ(d.error().message, c.error) << c.json;
  }
}

TEST(Descriptor, NullMeansAbsent) {
  json j = json::parse(
      R"({"digest": "sha256:e7c26a4b4d156fd9947ee82295b7b78acf7aa54b93b8f3e4b9f608179ffb20e8",
                           "size": 1, "urls": null, "annotations": null, "platform": null})");
  auto d = descriptor_from_json(j);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_FALSE(d->platform);
}

}  // namespace
}  // namespace pith::oci
