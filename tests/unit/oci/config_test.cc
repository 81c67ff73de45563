// Image configurations: real ones from the corpus, the fields pith models, and bad input.
#include "oci/config.h"

#include <gtest/gtest.h>

#include "oci_test_util.h"

namespace pith::oci {
namespace {

using test::corpus;
using test::slurp;

const std::string k_amd64_config =
    "stereoscope/pkg/image/oci/testdata/multiplatform_oci_dir/blobs/sha256/"
    "549248a7ac95478805d9248e4ffdc778fc2404257d8c071848746e0100e08099";

std::string error_of(const Result<ImageConfig>& r) {
  return r ? "(parsed)" : r.error().message;
}

TEST(Config, StereoscopeAmd64) {
  auto c = parse_config(slurp(corpus(k_amd64_config)));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->architecture, "amd64");
  EXPECT_EQ(c->os, "linux");
  EXPECT_EQ(c->created, "2026-03-18T21:53:53.898642864Z");
  EXPECT_EQ(c->working_dir, "/");
  ASSERT_EQ(c->env.size(), 1u);
  EXPECT_EQ(c->env[0].rfind("PATH=", 0), 0u);
  ASSERT_EQ(c->diff_ids.size(), 1u);
  EXPECT_EQ(c->diff_ids[0].short_str(), "sha256:153922c8857b");
  ASSERT_EQ(c->history.size(), 2u);
  EXPECT_TRUE(c->history[0].empty_layer);
  EXPECT_EQ(c->history[0].comment, "buildkit.dockerfile.v0");
  auto layers = layer_history(*c);
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_EQ(layers[0]->created_by, "COPY README.md /linux/amd64/README.md # buildkit");
}

TEST(Config, ImageSpecExample) {
  auto c = parse_config(slurp(corpus("image-spec/examples/config-0-Image_JSON.json")));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->user, "alice");
  EXPECT_EQ(c->entrypoint, std::vector<std::string>{"/bin/my-app-binary"});
  EXPECT_EQ(c->cmd.size(), 3u);
  EXPECT_EQ(c->working_dir, "/home/alice");
  EXPECT_EQ(c->labels.at("com.example.project.git.url"), "https://example.com/project.git");
  EXPECT_EQ(c->diff_ids.size(), 2u);
  ASSERT_EQ(c->history.size(), 3u);
  EXPECT_TRUE(c->history[1].empty_layer);
  EXPECT_EQ(layer_history(*c).size(), 2u);
}

TEST(Config, ContainersImageFixtures) {
  for (const char* f : {"oci1-config.json", "oci1-all-media-types-config.json",
                        "oci1-config-extra-fields.json", "oci1-to-schema2-config.json"}) {
    auto c = parse_config(slurp(corpus("containers-image/internal/image/fixtures/") + f));
    ASSERT_TRUE(c) << f << ": " << c.error().message;
    EXPECT_EQ(c->architecture, "amd64") << f;
    EXPECT_FALSE(c->diff_ids.empty()) << f;
  }
}

TEST(Config, RoundTripKeepsUnmodeledFields) {
  auto c = parse_config(slurp(corpus("image-spec/examples/config-0-Image_JSON.json")));
  ASSERT_TRUE(c);
  std::string out = serialize(*c);
  EXPECT_NE(out.find(R"("ExposedPorts":{"8080/tcp":{}})"), std::string::npos);
  EXPECT_NE(out.find(R"("author":"Alyssa P. Hacker <alyspdev@example.com>")"), std::string::npos);
  auto again = parse_config(out);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->diff_ids, c->diff_ids);
  EXPECT_EQ(again->history, c->history);
  EXPECT_EQ(again->labels, c->labels);
  EXPECT_EQ(again->env, c->env);
  EXPECT_EQ(serialize(*again), out);
}

TEST(Config, BuiltFromScratch) {
  ImageConfig c;
  c.architecture = "arm64";
  c.os = "linux";
  c.entrypoint = {"/app"};
  c.diff_ids.push_back(Digest::sha256_of(""));
  c.history.push_back(HistoryEntry{"1970-01-01T00:00:00Z", "pith build", "", "", false});
  EXPECT_EQ(
      serialize(c),
      R"({"architecture":"arm64","config":{"Entrypoint":["/app"]},"history":[{"created":)"
      R"("1970-01-01T00:00:00Z","created_by":"pith build"}],"os":"linux","rootfs":{"diff_ids":)"
      R"(["sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],)"
      R"("type":"layers"}})");
}

TEST(Config, NullsAreAbsent) {
  auto c = parse_config(
      R"({"architecture":"amd64","os":"linux","config":{"Entrypoint":null,"Labels":null,"Env":null},)"
      R"("history":null,"rootfs":{"type":"layers","diff_ids":[]}})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->entrypoint.empty());
}

TEST(Config, RejectsBadInput) {
  EXPECT_EQ(error_of(parse_config(R"({"architecture":"amd64","os":"linux"})")),
            "config: rootfs: missing");
  EXPECT_EQ(error_of(parse_config(R"({"rootfs":{"type":"layers"}})")),
            "config: rootfs.diff_ids: missing");
  EXPECT_EQ(error_of(parse_config(R"({"rootfs":{"diff_ids":[]}})")),
            "config: rootfs.type: missing");
  EXPECT_EQ(error_of(parse_config(R"({"rootfs":{"type":"x","diff_ids":[]}})")),
            "config: rootfs.type: expected \"layers\"");
  EXPECT_EQ(error_of(parse_config(R"({"rootfs":{"type":"layers","diff_ids":["sha256:1"]}})")),
            "config: rootfs.diff_ids[0]: invalid digest \"sha256:1\"");
  EXPECT_EQ(error_of(parse_config(R"({"rootfs":{"type":"layers","diff_ids":[1]}})")),
            "config: rootfs.diff_ids[0]: expected a string");
  EXPECT_EQ(
      error_of(parse_config(R"({"architecture":1,"rootfs":{"type":"layers","diff_ids":[]}})")),
      "config: architecture: expected a string, got number");
  EXPECT_EQ(
      error_of(parse_config(R"({"config":{"Cmd":"sh"},"rootfs":{"type":"layers","diff_ids":[]}})")),
      "config: config.Cmd: expected an array of strings, got string");
  EXPECT_EQ(error_of(parse_config(
                R"({"config":{"Labels":{"a":1}},"rootfs":{"type":"layers","diff_ids":[]}})")),
            "config: config.Labels.a: expected a string, got number");
  EXPECT_EQ(error_of(parse_config(
                R"({"history":[{"empty_layer":"yes"}],"rootfs":{"type":"layers","diff_ids":[]}})")),
            "config: history[0].empty_layer: expected a boolean, got string");
  EXPECT_EQ(error_of(parse_config(R"({"history":[5],"rootfs":{"type":"layers","diff_ids":[]}})")),
            "config: history[0]: expected an object, got number");
  EXPECT_EQ(error_of(parse_config("{")), "config: not valid JSON");
}

}  // namespace
}  // namespace pith::oci
