// Manifests and indexes from real images in the corpus: parsing, facts upstream asserts,
// round trips, and canonical output.
#include "oci/manifest.h"

#include <gtest/gtest.h>

#include "oci/canonical_json.h"
#include "oci/config.h"
#include "oci_test_util.h"

namespace pith::oci {
namespace {

using test::corpus;
using test::slurp;

const std::string k_multiplatform = "stereoscope/pkg/image/oci/testdata/multiplatform_oci_dir";

Result<Index> index_at(const std::string& layout, const Digest& d) {
  return parse_index(slurp(corpus(layout) + "/blobs/sha256/" + d.hex));
}

// The manifest an index offers for `wanted`, following nested indexes like the layouts do.
std::optional<Digest> select(const std::string& layout, const Index& idx, const Platform& wanted) {
  for (const auto& d : idx.manifests) {
    if (is_index(d.media_type)) {
      auto nested = index_at(layout, d.digest);
      if (!nested) continue;
      if (auto found = select(layout, *nested, wanted)) return found;
    } else if (d.platform && d.platform->satisfies(wanted)) {
      return d.digest;
    }
  }
  return std::nullopt;
}

TEST(CorpusManifests, EveryManifestAndIndexParsesAndRoundTrips) {
  int manifests = 0, indexes = 0, unknown = 0;
  for (const auto& path : test::corpus_json_files()) {
    std::string bytes = slurp(path);
    switch (sniff_document(bytes, "")) {
      case DocumentKind::manifest: {
        auto m = parse_manifest(bytes);
        ASSERT_TRUE(m) << path << ": " << m.error().message;
        auto again = parse_manifest(serialize(*m));
        ASSERT_TRUE(again) << path << ": " << again.error().message;
        EXPECT_EQ(*again, *m) << path;
        ++manifests;
        break;
      }
      case DocumentKind::index: {
        auto i = parse_index(bytes);
        ASSERT_TRUE(i) << path << ": " << i.error().message;
        auto again = parse_index(serialize(*i));
        ASSERT_TRUE(again) << path << ": " << again.error().message;
        EXPECT_EQ(*again, *i) << path;
        ++indexes;
        break;
      }
      case DocumentKind::unknown:
        ++unknown;
        break;
    }
  }
  // The regclient layout alone holds dozens of each.
  EXPECT_GE(manifests, 60);
  EXPECT_GE(indexes, 25);
  EXPECT_GE(unknown, 30);  // configs, artifacts' JSON payloads, schema 1 manifests
}

TEST(CorpusManifests, EveryLayoutBlobMatchesItsName) {
  int blobs = 0;
  for (const auto& layout : test::corpus_layouts()) {
    std::string dir = layout + "/blobs/sha256";
    if (!std::filesystem::is_directory(dir)) continue;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      auto d = Digest::parse("sha256:" + e.path().filename().string());
      ASSERT_TRUE(d) << e.path();
      auto src = verifying(std::make_unique<MemorySource>(slurp(e.path().string())), *d,
                           e.file_size(), "blob " + d->short_str());
      auto r = drain(*src);
      EXPECT_TRUE(r) << e.path() << ": " << (r ? "" : r.error().message);
      ++blobs;
    }
  }
  EXPECT_GE(blobs, 100);
}

TEST(CorpusManifests, EveryConfigAManifestNamesParses) {
  int configs = 0;
  for (const auto& layout : test::corpus_layouts()) {
    std::string dir = layout + "/blobs/sha256";
    if (!std::filesystem::is_directory(dir)) continue;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      std::string bytes = slurp(e.path().string());
      if (sniff_document(bytes, "") != DocumentKind::manifest) continue;
      auto m = parse_manifest(bytes);
      ASSERT_TRUE(m);
      if (!is_config(m->config.media_type)) continue;
      std::string config_path = dir + "/" + m->config.digest.hex;
      if (!std::filesystem::exists(config_path)) continue;  // a deliberately missing blob
      // Artifacts reuse the config media type for "{}"; only images carry a real config.
      bool image = std::all_of(m->layers.begin(), m->layers.end(), [](const Descriptor& l) {
        return layer_compression(l.media_type).has_value();
      });
      if (!image) continue;
      auto c = parse_config(slurp(config_path));
      ASSERT_TRUE(c) << config_path << ": " << c.error().message;
      EXPECT_EQ(c->diff_ids.size(), m->layers.size()) << config_path;
      ++configs;
    }
  }
  EXPECT_GE(configs, 20);
}

TEST(CorpusManifests, StereoscopeMultiplatformSelection) {
  auto top = parse_index(slurp(corpus(k_multiplatform + "/index.json")));
  ASSERT_TRUE(top) << top.error().message;
  ASSERT_EQ(top->manifests.size(), 1u);
  EXPECT_EQ(top->manifests[0].media_type, media::oci_index);
  EXPECT_EQ(top->manifests[0].size, 645u);
  EXPECT_EQ(top->manifests[0].annotations.at("org.opencontainers.image.ref.name"), "latest");

  auto amd64 = select(k_multiplatform, *top, *Platform::parse("linux/amd64"));
  ASSERT_TRUE(amd64);
  EXPECT_EQ(amd64->str(),
            "sha256:e7c26a4b4d156fd9947ee82295b7b78acf7aa54b93b8f3e4b9f608179ffb20e8");
  auto arm64 = select(k_multiplatform, *top, *Platform::parse("linux/arm64"));
  ASSERT_TRUE(arm64);
  EXPECT_EQ(arm64->str(),
            "sha256:5ed07065bcbc6c52e3ad28526557d7b6833613fc79257b1a786de85e37c03b05");
  EXPECT_FALSE(select(k_multiplatform, *top, *Platform::parse("linux/ppc64le")));

  auto m = parse_manifest(slurp(corpus(k_multiplatform + "/blobs/sha256/" + amd64->hex)));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->config.digest.short_str(), "sha256:549248a7ac95");
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(layer_compression(m->layers[0].media_type), compress::Compression::gzip);
}

TEST(CorpusManifests, ContainersImageDockerV2S2) {
  std::string bytes =
      slurp(corpus("containers-image/internal/manifest/testdata/v2s2.manifest.json"));
  EXPECT_EQ(Digest::sha256_of(bytes).str(),
            "sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55");
  auto m = parse_manifest(bytes);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->media_type, media::docker_manifest);
  EXPECT_EQ(effective_media_type(*m), media::docker_manifest);
  EXPECT_EQ(m->config.media_type, media::docker_config);
  EXPECT_EQ(m->config.size, 7023u);
  EXPECT_EQ(m->config.digest.short_str(), "sha256:b5b2b2c507a0");
  ASSERT_EQ(m->layers.size(), 3u);
  EXPECT_EQ(m->layers[0].size, 32654u);
  EXPECT_EQ(m->layers[1].size, 16724u);
  EXPECT_EQ(m->layers[2].size, 73109u);
  EXPECT_EQ(m->layers[2].digest.short_str(), "sha256:ec4b89559586");
}

// containers/image's GuessMIMEType table, in pith's terms: schema 1 is not supported.
TEST(CorpusManifests, SniffMatchesContainersImage) {
  struct Case {
    const char* file;
    DocumentKind kind;
  };
  for (const Case& c : {
           Case{"v2s2.manifest.json", DocumentKind::manifest},
           Case{"v2list.manifest.json", DocumentKind::index},
           Case{"v2s1.manifest.json", DocumentKind::unknown},
           Case{"v2s1-unsigned.manifest.json", DocumentKind::unknown},
           Case{"v2s1-invalid-signatures.manifest.json", DocumentKind::unknown},
           Case{"v2s2nomime.manifest.json", DocumentKind::manifest},
           Case{"unknown-version.manifest.json", DocumentKind::unknown},
           Case{"non-json.manifest.json", DocumentKind::unknown},
           Case{"ociv1.manifest.json", DocumentKind::manifest},
           Case{"ociv1.artifact.json", DocumentKind::manifest},
           Case{"ociv1.image.index.json", DocumentKind::index},
           Case{"ociv1nomime.manifest.json", DocumentKind::manifest},
           Case{"ociv1nomime.artifact.json", DocumentKind::manifest},
           Case{"ociv1nomime.image.index.json", DocumentKind::index},
       }) {
    std::string bytes = slurp(corpus("containers-image/internal/manifest/testdata/") + c.file);
    ASSERT_FALSE(bytes.empty()) << c.file;
    EXPECT_EQ(sniff_document(bytes, ""), c.kind) << c.file;
  }
  auto v1 = parse_manifest(
      slurp(corpus("containers-image/internal/manifest/testdata/v2s1.manifest.json")));
  ASSERT_FALSE(v1);
  EXPECT_EQ(v1.error().message, "manifest: schemaVersion 1 (Docker v2 schema 1) is not supported");
}

TEST(CorpusManifests, SniffUsesDeclaredTypeWhenTheDocumentHasNone) {
  std::string bare = R"({"schemaVersion":2,"manifests":[],"layers":[]})";
  EXPECT_EQ(sniff_document(bare, media::oci_manifest), DocumentKind::manifest);
  EXPECT_EQ(sniff_document(bare, ""), DocumentKind::index);
  std::string typed =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json"})";
  EXPECT_EQ(sniff_document(typed, media::oci_manifest), DocumentKind::index);
  EXPECT_EQ(sniff_document(R"({"schemaVersion":2})", ""), DocumentKind::unknown);
  EXPECT_EQ(sniff_document("[]", media::oci_manifest), DocumentKind::unknown);
}

TEST(CorpusManifests, ImageSpecExamples) {
  auto m = parse_manifest(slurp(corpus("image-spec/examples/manifest-0-Manifest.json")));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->layers.size(), 3u);
  EXPECT_EQ(m->annotations.at("com.example.key1"), "value1");
  auto artifact =
      parse_manifest(slurp(corpus("image-spec/examples/manifest-2-Minimal_artifact.json")));
  ASSERT_TRUE(artifact);
  EXPECT_EQ(artifact->artifact_type, "application/vnd.example+type");
  EXPECT_EQ(artifact->config.media_type, media::oci_empty);
  auto idx = parse_index(slurp(corpus("image-spec/examples/image-index-0-Image_Index.json")));
  ASSERT_TRUE(idx) << idx.error().message;
  ASSERT_EQ(idx->manifests.size(), 2u);
  EXPECT_EQ(idx->manifests[0].platform->str(), "linux/ppc64le");
  EXPECT_EQ(idx->manifests[1].platform->str(), "linux/amd64");
  EXPECT_EQ(idx->manifests[1].platform->os_version, "");
}

TEST(Canonical, SerializingACanonicalDocumentKeepsItsDigest) {
  for (const auto& path : test::corpus_json_files()) {
    std::string bytes = slurp(path);
    DocumentKind kind = sniff_document(bytes, "");
    if (kind == DocumentKind::unknown) continue;
    auto idx = parse_index(bytes);
    auto m = parse_manifest(bytes);
    ASSERT_TRUE(kind == DocumentKind::index ? idx.ok() : m.ok()) << path;
    std::string out = kind == DocumentKind::index ? serialize(*idx) : serialize(*m);
    // pith's own output is a fixed point: writing it again changes no byte.
    std::string again = kind == DocumentKind::index ? serialize(*parse_index(out))
                                                    : serialize(*parse_manifest(out));
    EXPECT_EQ(Digest::sha256_of(again), Digest::sha256_of(out)) << path;
    // (No corpus document is canonical today: Go writes struct order, not sorted keys.)
    if (canonical_json(nlohmann::json::parse(bytes)) == bytes) {
      EXPECT_EQ(Digest::sha256_of(out), Digest::sha256_of(bytes)) << path;
    }
  }
  // A canonical manifest written by hand, so the digest property is always exercised.
  std::string hand =
      R"({"config":{"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",)"
      R"("mediaType":"application/vnd.oci.empty.v1+json","size":2},"layers":[{"annotations":)"
      R"({"k":"v\u00e9"},"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",)"
      R"("mediaType":"application/vnd.oci.image.layer.v1.tar","size":2}],)"
      R"("mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2})";
  std::string hand_utf8 = nlohmann::json::parse(hand).dump(-1, ' ', false);
  EXPECT_EQ(serialize(*parse_manifest(hand_utf8)), hand_utf8);
}

TEST(Canonical, WritesUtf8AndSurvivesInvalidUtf8) {
  nlohmann::json j = {{"b", "caf\xc3\xa9"}, {"a", 1}};
  EXPECT_EQ(canonical_json(j), "{\"a\":1,\"b\":\"caf\xc3\xa9\"}");
  nlohmann::json bad = {{"k", std::string("\xff\xfe")}};
  std::string out;
  EXPECT_NO_THROW(out = canonical_json(bad));
  EXPECT_EQ(out, "{\"k\":\"\xef\xbf\xbd\xef\xbf\xbd\"}");
}

TEST(Manifest, EffectiveMediaType) {
  Manifest m;
  EXPECT_EQ(effective_media_type(m), media::oci_manifest);
  m.config.media_type = media::docker_config;
  EXPECT_EQ(effective_media_type(m), media::docker_manifest);
  m.media_type = media::oci_manifest;
  EXPECT_EQ(effective_media_type(m), media::oci_manifest);
}

// The manifest skopeo 1.9 makes of go-containerregistry's test_image_1.tar copied to a
// docker-archive (`skopeo inspect --raw docker-archive:...`): its bytes, and so the digest skopeo
// and podman report (438d5248...), come out of serialize_docker_schema2 unchanged.
TEST(Manifest, DockerSchema2AsContainersImageWritesIt) {
  const std::string skopeo =
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",)"
      R"("config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":330,)"
      R"("digest":"sha256:6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e"},)"
      R"("layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":10240,)"
      R"("digest":"sha256:8897395fd26dc44ad0e2a834335b33198cb41ac4d98dfddf58eced3853fa7b17"}]})";
  auto m = parse_manifest(skopeo);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(serialize_docker_schema2(*m), skopeo);
  EXPECT_EQ(Digest::sha256_of(serialize_docker_schema2(*m)).str(),
            "sha256:438d524858b5f288a2fe0cf9277e03378b473a6ad716dd50ffe9ac1d10128e90");
}

}  // namespace
}  // namespace pith::oci
