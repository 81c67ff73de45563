// copy_image with blobs copied in parallel: the same layout, byte for byte, as one by one (a
// layer listed twice, re-encoding), the threads really overlap, and the first failure is the
// one reported with nothing left behind.
#include "transport/copy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "oci/canonical_json.h"
#include "oci/media_types.h"
#include "test_paths.h"
#include "transport/resolve.h"
#include "util/file.h"

namespace pith::transport {
namespace {

namespace fs = std::filesystem;

struct TempTree {
  TempTree() {
    char tmpl[] = "/tmp/pith-copy-test.XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempTree() { fs::remove_all(path); }
  std::string path;
};

std::string blob_file(const std::string& layout, const oci::Digest& d) {
  return layout + "/blobs/sha256/" + d.hex;
}

oci::Digest put_blob_file(const std::string& layout, const std::string& bytes) {
  oci::Digest d = oci::Digest::sha256_of(bytes);
  fs::create_directories(layout + "/blobs/sha256");
  EXPECT_TRUE(write_file_atomic(blob_file(layout, d), bytes).ok());
  return d;
}

// An OCI layout of one image whose layers are `layers` (uncompressed bytes: a copy only
// looks inside a layer when it re-encodes it, and then only checks its diff_id).
void make_layout(const std::string& dir, const std::vector<std::string>& layers) {
  nlohmann::json diff_ids = nlohmann::json::array();
  nlohmann::json descriptors = nlohmann::json::array();
  for (const auto& l : layers) {
    oci::Digest d = put_blob_file(dir, l);
    diff_ids.push_back(d.str());
    descriptors.push_back({{"mediaType", std::string(oci::media::oci_layer)},
                           {"digest", d.str()},
                           {"size", l.size()}});
  }
  std::string config =
      oci::canonical_json({{"architecture", "amd64"},
                           {"os", "linux"},
                           {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}});
  oci::Digest config_digest = put_blob_file(dir, config);
  std::string manifest = oci::canonical_json({{"schemaVersion", 2},
                                              {"mediaType", std::string(oci::media::oci_manifest)},
                                              {"config",
                                               {{"mediaType", std::string(oci::media::oci_config)},
                                                {"digest", config_digest.str()},
                                                {"size", config.size()}}},
                                              {"layers", descriptors}});
  oci::Digest manifest_digest = put_blob_file(dir, manifest);
  std::string index = oci::canonical_json({{"schemaVersion", 2},
                                           {"manifests",
                                            {{{"mediaType", std::string(oci::media::oci_manifest)},
                                              {"digest", manifest_digest.str()},
                                              {"size", manifest.size()}}}}});
  ASSERT_TRUE(write_file_atomic(dir + "/index.json", index).ok());
  ASSERT_TRUE(write_file_atomic(dir + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})").ok());
}

// Every file of a layout, path -> sha256 of its content.
std::map<std::string, std::string> files_of(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file())
      out[fs::relative(e.path(), dir).string()] =
          oci::Digest::sha256_of(test::slurp(e.path())).str();
  return out;
}

// The blob files only (pith's index.json has the platform; the one written here has none).
std::map<std::string, std::string> blobs_of(std::map<std::string, std::string> files) {
  std::erase_if(files, [](const auto& f) { return !f.first.starts_with("blobs/"); });
  return files;
}

std::string random_bytes(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  for (auto& c : s) {
    seed = seed * 1664525u + 1013904223u;
    c = static_cast<char>(seed >> 24);
  }
  return s;
}

// Reads a source through, counting the blob streams being read at the same moment (each
// one holds its place for a while, so overlapping copies show).
class OverlapSource final : public ImageSource {
 public:
  explicit OverlapSource(std::unique_ptr<ImageSource> inner) : m_inner(std::move(inner)) {}
  std::string describe() const override { return m_inner->describe(); }
  Result<RawManifest> root() override { return m_inner->root(); }
  Result<RawManifest> manifest(const oci::Descriptor& d) override { return m_inner->manifest(d); }
  bool parallel_reads() const override { return m_inner->parallel_reads(); }
  Result<std::unique_ptr<ByteSource>> blob(const oci::Descriptor& d) override {
    auto inner = TRY(m_inner->blob(d));
    return std::unique_ptr<ByteSource>(std::make_unique<Stream>(std::move(inner), *this));
  }
  int most() const { return m_most; }

 private:
  class Stream final : public ByteSource {
   public:
    Stream(std::unique_ptr<ByteSource> inner, OverlapSource& owner)
        : m_inner(std::move(inner)), m_owner(owner) {}
    ~Stream() override {
      if (m_counted) --m_owner.m_now;
    }
    Result<size_t> read(std::span<std::byte> out) override {
      if (!m_counted) {
        m_counted = true;
        int now = ++m_owner.m_now;
        int most = m_owner.m_most;
        while (now > most && !m_owner.m_most.compare_exchange_weak(most, now)) {
        }
        // Long enough for the other threads to start even on a busy machine (sanitizers, -j2).
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
      }
      return m_inner->read(out);
    }

   private:
    std::unique_ptr<ByteSource> m_inner;
    OverlapSource& m_owner;
    bool m_counted = false;
  };

  std::unique_ptr<ImageSource> m_inner;
  std::atomic<int> m_now{0};
  std::atomic<int> m_most{0};
};

struct Copied {
  Result<CopyResult> result;
  std::map<std::string, std::string> files;
  int overlap = 0;
};

// The test layers are stored uncompressed, which an OCI layout gzips by default (as skopeo):
// `none` keeps the blobs as they are.
Copied copy_layout(const std::string& from, const std::string& to, size_t parallel,
                   std::optional<compress::Compression> compression = compress::Compression::none) {
  auto src = open_source(*parse_reference("oci:" + from));
  EXPECT_TRUE(src.ok()) << src.error().message;
  OverlapSource overlap(std::move(*src));
  auto dst = open_sink(*parse_reference("oci:" + to));
  EXPECT_TRUE(dst.ok()) << dst.error().message;
  CopyOptions options;
  options.parallel = parallel;
  options.compression = compression;
  Copied out{copy_image(overlap, **dst, options), {}, overlap.most()};
  if (fs::exists(to)) out.files = files_of(to);
  return out;
}

std::vector<std::string> test_layers() {
  std::vector<std::string> layers;
  for (uint32_t i = 0; i < 5; ++i) layers.push_back(random_bytes(200000 + i * 1000, i));
  layers.push_back(layers[1]);  // listed twice, as images with empty layers do
  return layers;
}

// skopeo's default: uncompressed layers written to an OCI layout are gzipped, and the manifest
// says so; the diff_ids stay.
TEST(CopyImage, UncompressedLayersAreGzippedForAnOciLayout) {
  TempTree t;
  make_layout(t.path + "/src", test_layers());
  Copied gz = copy_layout(t.path + "/src", t.path + "/gz", 4, std::nullopt);
  ASSERT_TRUE(gz.result.ok()) << gz.result.error().message;
  auto src = open_source(*parse_reference("oci:" + t.path + "/gz"));
  ASSERT_TRUE(src.ok()) << src.error().message;
  auto img = resolve_image(**src, std::nullopt);
  ASSERT_TRUE(img.ok()) << img.error().message;
  ASSERT_EQ(img->manifest.layers.size(), 6u);
  for (const auto& l : img->manifest.layers) {
    EXPECT_EQ(l.media_type, oci::media::oci_layer_gzip);
    std::string bytes = test::slurp(t.path + "/gz/blobs/sha256/" + l.digest.hex);
    EXPECT_EQ(bytes.substr(0, 2), "\x1f\x8b");
  }
}

TEST(CopyImage, ParallelWritesWhatOneByOneWrites) {
  TempTree t;
  make_layout(t.path + "/src", test_layers());
  Copied one = copy_layout(t.path + "/src", t.path + "/one", 1);
  Copied four = copy_layout(t.path + "/src", t.path + "/four", 4);
  ASSERT_TRUE(one.result.ok()) << one.result.error().message;
  ASSERT_TRUE(four.result.ok()) << four.result.error().message;
  EXPECT_EQ(one.overlap, 1);
  EXPECT_EQ(four.overlap, 4);
  EXPECT_EQ(one.files, four.files);
  // Blobs untouched, the same manifest.
  EXPECT_EQ(blobs_of(files_of(t.path + "/src")), blobs_of(four.files));
  EXPECT_EQ(one.result->root_digest, four.result->root_digest);
  // Config and 5 distinct layers written; the layer listed twice is there at its second mention.
  EXPECT_EQ(four.result->blobs_copied, 6u);
  EXPECT_EQ(four.result->blobs_present, 1u);
  EXPECT_EQ(one.result->blobs_copied, 6u);
  EXPECT_EQ(one.result->blobs_present, 1u);
}

TEST(CopyImage, ParallelReencodesAsOneByOne) {
  TempTree t;
  make_layout(t.path + "/src", test_layers());
  Copied one = copy_layout(t.path + "/src", t.path + "/one", 1, compress::Compression::gzip);
  Copied four = copy_layout(t.path + "/src", t.path + "/four", 4, compress::Compression::gzip);
  ASSERT_TRUE(one.result.ok()) << one.result.error().message;
  ASSERT_TRUE(four.result.ok()) << four.result.error().message;
  EXPECT_EQ(four.overlap, 4);
  EXPECT_EQ(one.files, four.files);
  EXPECT_NE(blobs_of(files_of(t.path + "/src")), blobs_of(four.files));  // the layers changed
  EXPECT_EQ(one.result->root_digest, four.result->root_digest);
  EXPECT_EQ(four.result->blobs_copied, 6u);
  EXPECT_EQ(four.result->blobs_present, 1u);
}

TEST(CopyImage, FirstFailureIsReportedAndNothingIsWritten) {
  TempTree t;
  auto layers = test_layers();
  make_layout(t.path + "/src", layers);
  // The fourth layer's bytes no longer match its digest.
  fs::path bad = blob_file(t.path + "/src", oci::Digest::sha256_of(layers[3]));
  std::string tampered = layers[3];
  tampered[100] ^= 1;
  ASSERT_TRUE(write_file_atomic(bad.string(), tampered).ok());
  Copied one = copy_layout(t.path + "/src", t.path + "/one", 1);
  Copied four = copy_layout(t.path + "/src", t.path + "/four", 4);
  ASSERT_FALSE(one.result.ok());
  ASSERT_FALSE(four.result.ok());
  // The same message, but for the temporary directory each wrote into.
  std::regex tmp_name(R"(\.pith-tmp-[a-z]+-[a-z0-9]+)");
  EXPECT_EQ(std::regex_replace(one.result.error().message, tmp_name, "TMP"),
            std::regex_replace(four.result.error().message, tmp_name, "TMP"));
  EXPECT_NE(four.result.error().message.find(oci::Digest::sha256_of(layers[3]).str()),
            std::string::npos)
      << four.result.error().message;
  EXPECT_FALSE(fs::exists(t.path + "/one"));
  EXPECT_FALSE(fs::exists(t.path + "/four"));
  // No temporary directory or file is left beside them either.
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(t.path)) ++entries;
  EXPECT_EQ(entries, 1u);
}

// Re-encoded layers go straight into a directory under a temporary name, renamed after their
// digest once written: into an existing layout, every blob is named by its content's digest; a
// layer that fails its diff_id check half-way leaves the layout as it was.
TEST(CopyImage, ReencodedIntoAnExistingLayoutNamedByDigestOrNotAtAll) {
  TempTree t;
  auto layers = test_layers();
  make_layout(t.path + "/src", layers);
  make_layout(t.path + "/dst", {random_bytes(1000, 99)});
  auto before = files_of(t.path + "/dst");
  fs::path bad = blob_file(t.path + "/src", oci::Digest::sha256_of(layers[3]));
  std::string good = test::slurp(bad);
  std::string tampered = good;
  tampered[100] ^= 1;
  ASSERT_TRUE(write_file_atomic(bad.string(), tampered).ok());
  Copied failed = copy_layout(t.path + "/src", t.path + "/dst", 4, compress::Compression::gzip);
  ASSERT_FALSE(failed.result.ok());
  EXPECT_EQ(files_of(t.path + "/dst"), before);  // once the sink is gone (it removes its files)

  ASSERT_TRUE(write_file_atomic(bad.string(), good).ok());
  Copied copied = copy_layout(t.path + "/src", t.path + "/dst", 4, compress::Compression::gzip);
  ASSERT_TRUE(copied.result.ok()) << copied.result.error().message;
  for (const auto& [path, digest] : blobs_of(copied.files))
    EXPECT_EQ("blobs/" + std::regex_replace(digest, std::regex(":"), "/"), path);
  EXPECT_EQ(copied.files.size(), before.size() + 7);  // 5 layers, a config and a manifest
}

}  // namespace
}  // namespace pith::transport
