// Built images are reproducible and their layers are tars that GNU tar reads as planned.
#include "build/image.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <utime.h>

#include <cstdlib>
#include <filesystem>

#include "oci/config.h"
#include "oci/manifest.h"
#include "shell.h"
#include "test_paths.h"
#include "util/byte_source.h"

namespace pith::build {
namespace {

namespace fs = std::filesystem;

struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("pith-image-test-" + std::to_string(::getpid()));
  Scratch() {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
  std::string write(const std::string& name, const std::string& text, time_t mtime) {
    auto p = dir / name;
    std::FILE* f = std::fopen(p.c_str(), "w");
    std::fputs(text.c_str(), f);
    std::fclose(f);
    ::chmod(p.c_str(), 0755);
    struct utimbuf times {
      mtime, mtime
    };
    ::utime(p.c_str(), &times);
    return p.string();
  }
};

ImageSettings settings() {
  ImageSettings s;
  s.platform = *oci::Platform::parse("linux/amd64");
  s.created = rfc3339(1700000000);
  s.mtime = 1700000000;
  s.user = "65532";
  s.env = {"PATH=/usr/bin"};
  s.entrypoint = {"/app/hello"};
  s.exposed_ports = {"8080/tcp"};
  return s;
}

Plan plan_with(const std::string& app) {
  Plan plan;
  plan.add_generated("/etc/passwd", "root:x:0:0:root:/root:/sbin/nologin\n", 0644, Layer::base);
  plan.add_directory("/tmp", 01777, Layer::base);
  plan.add_symlink("/lib64", "usr/lib64", Layer::libs);
  EXPECT_TRUE(plan.add_host(app, "/app/hello", Layer::app));
  return plan;
}

TEST(Image, SameInputsSameDigestWhateverTheFileTimes) {
  Scratch s;
  auto first = assemble_image(plan_with(s.write("hello", "#!/bin/sh\necho hi\n", 1000)),
                              LayerMode::split, settings());
  ASSERT_TRUE(first) << first.error().message;
  auto second = assemble_image(plan_with(s.write("hello", "#!/bin/sh\necho hi\n", 999999)),
                               LayerMode::split, settings());
  ASSERT_TRUE(second);
  EXPECT_EQ(first->manifest_digest, second->manifest_digest);
  EXPECT_EQ(first->layers.size(), 3u);
  auto changed = assemble_image(plan_with(s.write("hello", "#!/bin/sh\necho bye\n", 1000)),
                                LayerMode::split, settings());
  EXPECT_NE(first->manifest_digest, changed->manifest_digest);
  // base and libs layers do not depend on the program: they stay shared.
  EXPECT_EQ(first->layers[0].digest, changed->layers[0].digest);
  EXPECT_EQ(first->layers[1].digest, changed->layers[1].digest);
  EXPECT_NE(first->layers[2].digest, changed->layers[2].digest);
}

// A layer written early is used while the plan still has that layer, and written again
// once the plan changed it. The program's file is edited after the early start: which bytes
// the image holds says which path was taken.
TEST(Image, AnEarlyLayerIsUsedOnlyWhileThePlanHasIt) {
  Scratch s;
  const std::string app = s.write("hello", "#!/bin/sh\necho early\n", 1000);
  Plan plan = plan_with(app);
  auto early_digest = [&](Plan& p) {
    auto image = assemble_image(p, LayerMode::split, settings());
    EXPECT_TRUE(image) << image.error().message;
    return image ? image->layers.back().digest : oci::Digest{};
  };
  const oci::Digest before = early_digest(plan);

  std::vector<EarlyLayer> early;
  early.push_back(start_layer(Layer::app, plan.layer_entries(Layer::app), settings()));
  early.back().blob.wait();
  s.write("hello", "#!/bin/sh\necho later\n", 1000);
  const oci::Digest after = early_digest(plan);
  ASSERT_NE(before, after);

  // The plan unchanged: the early layer (the file as it was then) is the image's.
  auto same = assemble_image(plan, LayerMode::split, settings(), std::move(early));
  ASSERT_TRUE(same) << same.error().message;
  EXPECT_EQ(same->layers.back().digest, before);

  // The app layer changed after the early start (a directory it needs given another mode):
  // written again from the files as they are now.
  early.clear();
  early.push_back(start_layer(Layer::app, plan.layer_entries(Layer::app), settings()));
  plan.add_directory("/app", 0700, Layer::base);
  auto changed = assemble_image(plan, LayerMode::split, settings(), std::move(early));
  ASSERT_TRUE(changed) << changed.error().message;
  auto fresh = assemble_image(plan, LayerMode::split, settings());
  ASSERT_TRUE(fresh);
  EXPECT_EQ(changed->manifest_digest, fresh->manifest_digest);
  EXPECT_NE(changed->layers.back().digest, before);

  // Another compression than the image's: not used either.
  early.clear();
  ImageSettings zstd = settings();
  zstd.compression = compress::Compression::zstd;
  early.push_back(start_layer(Layer::app, plan.layer_entries(Layer::app), zstd));
  auto other = assemble_image(plan, LayerMode::split, settings(), std::move(early));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->manifest_digest, fresh->manifest_digest);
}

TEST(Image, LayersReadByGnuTarAndConfigAsPlanned) {
  Scratch s;
  auto image = assemble_image(plan_with(s.write("hello", "#!/bin/sh\necho hi\n", 1000)),
                              LayerMode::single, settings());
  ASSERT_TRUE(image) << image.error().message;
  ASSERT_EQ(image->layers.size(), 1u);
  EXPECT_EQ(image->layers[0].media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  auto root = image->source->root();
  auto manifest = oci::parse_manifest(root->bytes);
  ASSERT_TRUE(manifest);
  auto blob = image->source->blob(manifest->layers[0]);
  ASSERT_TRUE(blob);
  auto bytes = read_all(**blob, 1 << 20);
  ASSERT_TRUE(bytes) << bytes.error().message;
  std::string tgz = (s.dir / "layer.tgz").string();
  std::FILE* f = std::fopen(tgz.c_str(), "wb");
  std::fwrite(bytes->data(), 1, bytes->size(), f);
  std::fclose(f);
  EXPECT_EQ(test::run_capture("TZ=UTC tar --numeric-owner -tvzf " + tgz),
            "drwxr-xr-x 0/0               0 2023-11-14 22:13 app/\n"
            "-rwxr-xr-x 0/0              18 2023-11-14 22:13 app/hello\n"
            "drwxr-xr-x 0/0               0 2023-11-14 22:13 etc/\n"
            "-rw-r--r-- 0/0              36 2023-11-14 22:13 etc/passwd\n"
            "lrwxrwxrwx 0/0               0 2023-11-14 22:13 lib64 -> usr/lib64\n"
            "drwxrwxrwt 0/0               0 2023-11-14 22:13 tmp/\n");
  // gzip (RFC 1952) with no file name and no timestamp: FLG and MTIME are zero, so the same
  // bytes come out on any machine.
  ASSERT_GT(bytes->size(), 10u);
  EXPECT_EQ(bytes->substr(0, 3), "\x1f\x8b\x08");
  EXPECT_EQ(bytes->substr(3, 5), std::string(5, '\0'));

  auto config_blob = image->source->blob(manifest->config);
  auto config = oci::parse_config(*read_all(**config_blob, 1 << 20));
  ASSERT_TRUE(config);
  EXPECT_EQ(config->created, "2023-11-14T22:13:20Z");
  EXPECT_EQ(config->user, "65532");
  EXPECT_EQ(config->entrypoint, std::vector<std::string>{"/app/hello"});
  EXPECT_EQ(config->raw["config"]["ExposedPorts"].dump(), R"({"8080/tcp":{}})");
  ASSERT_EQ(config->history.size(), 1u);
  EXPECT_EQ(config->history[0].created_by, "pith build: single layer");
}

TEST(Image, SourceDateEpoch) {
  ::setenv("SOURCE_DATE_EPOCH", "86400", 1);
  EXPECT_EQ(*source_date_epoch(), 86400);
  ::setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
  EXPECT_FALSE(source_date_epoch());
  ::unsetenv("SOURCE_DATE_EPOCH");
  EXPECT_EQ(*source_date_epoch(), 0);
  EXPECT_EQ(rfc3339(0), "1970-01-01T00:00:00Z");
}

}  // namespace
}  // namespace pith::build
