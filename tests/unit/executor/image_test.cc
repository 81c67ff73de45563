// The image a build makes: ImageState's edits, the identity cache keys start from, and the
// manifest and config make_image writes (read back by skopeo from an OCI layout).
#include "executor/image.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "executor_test_util.h"
#include "oci/manifest.h"
#include "shell.h"
#include "tar/writer.h"
#include "transport/copy.h"
#include "transport/reference.h"
#include "transport/sink.h"

namespace pith::executor {
namespace {

using Strings = std::vector<std::string>;

LayerRef fake_layer(char c) {
  LayerRef l;
  l.blob.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
  l.blob.digest = *oci::Digest::parse("sha256:" + std::string(64, c));
  l.blob.size = 10;
  l.diff_id = *oci::Digest::parse("sha256:" + std::string(63, c) + "0");
  return l;
}

TEST(ImageState, SetEnvReplacesInPlaceOrAppends) {
  ImageState s;
  EXPECT_EQ(s.env(), Strings{});
  s.set_env("PATH", "/usr/bin");
  s.set_env("A", "1");
  s.set_env("B", "x=y");
  EXPECT_EQ(s.env(), (Strings{"PATH=/usr/bin", "A=1", "B=x=y"}));
  s.set_env("A", "2");  // in place, not moved to the end
  EXPECT_EQ(s.env(), (Strings{"PATH=/usr/bin", "A=2", "B=x=y"}));
  s.set_env("PAT", "p");  // a prefix of another name is another name
  s.set_env("A", "");
  EXPECT_EQ(s.env(), (Strings{"PATH=/usr/bin", "A=", "B=x=y", "PAT=p"}));
  EXPECT_EQ(s.config["config"]["Env"], nlohmann::json(s.env()));
}

TEST(ImageState, SetEnvKeepsTheRestOfABaseConfig) {
  ImageState s;
  s.config = nlohmann::json::parse(
      R"({"architecture":"amd64","config":{"Env":["HOME=/root","LANG=C"],"User":"app"}})");
  s.set_env("LANG", "C.UTF-8");
  EXPECT_EQ(s.env(), (Strings{"HOME=/root", "LANG=C.UTF-8"}));
  EXPECT_EQ(s.config["config"]["User"], "app");
  EXPECT_EQ(s.config["architecture"], "amd64");
}

TEST(ImageState, AddHistoryMarksEmptyLayers) {
  ImageState s;
  s.add_history("2026-01-01T00:00:00Z", "ENV A=1", true);
  s.add_history("2026-01-01T00:00:01Z", "RUN true", false);
  EXPECT_EQ(s.config["history"], nlohmann::json::parse(R"([
    {"created":"2026-01-01T00:00:00Z","created_by":"ENV A=1","empty_layer":true},
    {"created":"2026-01-01T00:00:01Z","created_by":"RUN true"}])"));
}

// What a step's result depends on besides the step: the layers (by diff_id) and the config,
// never when or how it was written (history, created, rootfs).
TEST(ImageState, IdentityIgnoresHistoryAndTimesButNotEnvOrLayers) {
  ImageState s;
  s.set_env("A", "1");
  s.layers.push_back(fake_layer('a'));
  std::string base = s.identity();

  ImageState later = s;
  later.add_history("2026-01-01T00:00:00Z", "ENV A=1", true);
  later.config["created"] = "2027-01-01T00:00:00Z";
  later.config["rootfs"] = {{"type", "layers"}, {"diff_ids", nlohmann::json::array()}};
  EXPECT_EQ(later.identity(), base);

  ImageState env = s;
  env.set_env("A", "2");
  EXPECT_NE(env.identity(), base);

  ImageState layer = s;
  layer.layers.push_back(fake_layer('b'));
  EXPECT_NE(layer.identity(), base);

  ImageState order = s;  // the same layers in another order are another image
  order.layers.insert(order.layers.begin(), fake_layer('b'));
  EXPECT_NE(order.identity(), layer.identity());

  ImageState user = s;
  user.settings()["User"] = "app";
  EXPECT_NE(user.identity(), base);
}

Result<void> write_tar(ByteSink& out, const std::string& name, const std::string& text) {
  tar::Writer writer(out);
  MemorySource content(text);
  TRY(writer.add(test::entry(name, tar::EntryType::regular, 0644, text.size()), &content));
  return writer.finish();
}

class MakeImage : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = BuildStore::open(scratch.dir() + "/store");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store.emplace(std::move(*opened));
    blobs.emplace(*store);
    for (const std::string name : {"a", "b"}) {
      auto l = store->put_layer(
          [&](ByteSink& out) { return write_tar(out, name, "content of " + name + "\n"); },
          compress::Compression::gzip);
      ASSERT_TRUE(l.ok()) << l.error().message;
      state.layers.push_back(*l);
    }
    state.set_env("PATH", "/usr/local/bin:/usr/bin");
    state.set_env("GREETING", "hello world");
    state.settings()["Cmd"] = Strings{"/bin/sh"};
    state.add_history("2026-01-01T00:00:00Z", "COPY a /", false);
    state.add_history("2026-01-01T00:00:00Z", "COPY b /", false);
  }

  test::Scratch scratch;
  std::optional<BuildStore> store;
  std::optional<Blobs> blobs;
  ImageState state;
};

TEST_F(MakeImage, WritesAnOciManifestAndConfig) {
  auto made = make_image(state, *blobs, "2026-02-03T04:05:06Z", {{"org.example.k", "v"}});
  auto root = made.source->root();
  ASSERT_TRUE(root.ok()) << root.error().message;
  EXPECT_EQ(root->media_type, "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(root->digest, made.manifest_digest);
  EXPECT_EQ(made.manifest_digest, oci::Digest::sha256_of(root->bytes));
  auto m = oci::parse_manifest(root->bytes);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->config.media_type, "application/vnd.oci.image.config.v1+json");
  ASSERT_EQ(m->layers.size(), 2u);
  EXPECT_EQ(m->layers[0], state.layers[0].blob);
  EXPECT_EQ(m->layers[1], state.layers[1].blob);
  EXPECT_EQ(m->annotations, (std::map<std::string, std::string>{{"org.example.k", "v"}}));

  auto config_blob = made.source->blob(m->config);
  ASSERT_TRUE(config_blob.ok()) << config_blob.error().message;
  auto bytes = read_all(**config_blob, 1 << 20);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  EXPECT_EQ(oci::Digest::sha256_of(*bytes), m->config.digest);
  EXPECT_EQ(bytes->size(), m->config.size);
  auto config = nlohmann::json::parse(*bytes);
  EXPECT_EQ(config["created"], "2026-02-03T04:05:06Z");
  EXPECT_EQ(config["os"], "linux");
  EXPECT_EQ(config["architecture"], oci::Platform::host().architecture);
  EXPECT_EQ(config["rootfs"],
            nlohmann::json(
                {{"type", "layers"},
                 {"diff_ids", {state.layers[0].diff_id.str(), state.layers[1].diff_id.str()}}}));
  EXPECT_EQ(config["config"]["Env"],
            nlohmann::json(Strings{"PATH=/usr/local/bin:/usr/bin", "GREETING=hello world"}));
  EXPECT_EQ(config["history"].size(), 2u);
  EXPECT_EQ(made.platform.os, "linux");
  EXPECT_EQ(made.platform.architecture, oci::Platform::host().architecture);
}

TEST_F(MakeImage, KeepsABasesPlatform) {
  state.config["architecture"] = "arm64";
  state.config["variant"] = "v8";
  auto made = make_image(state, *blobs, "2026-02-03T04:05:06Z", {});
  EXPECT_EQ(made.platform.architecture, "arm64");
  EXPECT_EQ(made.platform.variant, "v8");
}

// The image written to an OCI layout, as skopeo reads it.
TEST_F(MakeImage, SkopeoReadsItFromAnOciLayout) {
  auto made = make_image(state, *blobs, "2026-02-03T04:05:06Z", {});
  std::string layout = scratch.dir() + "/layout";
  auto ref = transport::parse_reference("oci:" + layout + ":v1");
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  auto sink = transport::open_sink(*ref);
  ASSERT_TRUE(sink.ok()) << sink.error().message;
  transport::CopyOptions options;
  options.platform = made.platform;
  auto copied = transport::copy_image(*made.source, **sink, options);
  ASSERT_TRUE(copied.ok()) << copied.error().message;
  EXPECT_EQ(copied->root_digest, made.manifest_digest);  // layers kept as stored

  int status = -1;
  std::string where = test::shell_quote("oci:" + layout + ":v1");
  std::string text = test::run_capture("skopeo inspect --config " + where, &status);
  ASSERT_EQ(status, 0) << text;
  auto config = nlohmann::json::parse(text);
  EXPECT_EQ(config["rootfs"]["diff_ids"],
            nlohmann::json(Strings{state.layers[0].diff_id.str(), state.layers[1].diff_id.str()}));
  EXPECT_EQ(config["config"]["Env"],
            nlohmann::json(Strings{"PATH=/usr/local/bin:/usr/bin", "GREETING=hello world"}));
  EXPECT_EQ(config["config"]["Cmd"], nlohmann::json(Strings{"/bin/sh"}));
  EXPECT_EQ(config["created"], "2026-02-03T04:05:06Z");

  std::string summary = test::run_capture("skopeo inspect " + where, &status);
  ASSERT_EQ(status, 0) << summary;
  auto s = nlohmann::json::parse(summary);
  EXPECT_EQ(s["Digest"], made.manifest_digest.str());
  EXPECT_EQ(s["Layers"], nlohmann::json(Strings{state.layers[0].blob.digest.str(),
                                                state.layers[1].blob.digest.str()}));

  // Every blob skopeo copies out checks against its digest.
  std::string copy_out = scratch.dir() + "/again";
  test::run_capture(
      "skopeo copy -q " + where + " " + test::shell_quote("oci:" + copy_out + ":v1") + " 2>&1",
      &status);
  EXPECT_EQ(status, 0);
}

}  // namespace
}  // namespace pith::executor
