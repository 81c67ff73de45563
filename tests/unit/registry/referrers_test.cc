// Referrers: the tag schema's names (the spec's own table), the artifact manifest image-spec's
// guidance describes, and the referrers index kept at the tag (regclient's corpus).
#include "registry/referrers.h"

#include <gtest/gtest.h>

#include "oci/manifest.h"
#include "test_paths.h"

namespace pith::registry {
namespace {

const std::string k_testrepo = "regclient/testdata/testrepo/";

std::string testrepo_blob(const std::string& hex) {
  return test::slurp(test::corpus(k_testrepo + "blobs/sha256/" + hex));
}

TEST(Referrers, TagSchemaAsTheSpecTabulatesIt) {
  // distribution-spec, "Referrers Tag Schema": the three rows of its table.
  EXPECT_EQ(referrers_tag("sha256:" + std::string(64, 'a')), "sha256-" + std::string(64, 'a'));
  EXPECT_EQ(referrers_tag("sha512:" + std::string(128, 'a')), "sha512-" + std::string(64, 'a'));
  EXPECT_EQ(referrers_tag("test+algorithm+using+algorithm+separators+and+lots+of+characters+to+"
                          "excercise+overall+truncation:alsoSome=InTheEncodedSectionToShowHyphen"
                          "ReplacementAndLotsAndLotsOfCharactersToExcerciseEncodedTruncation"),
            "test-algorithm-using-algorithm-s-alsoSome-InTheEncodedSectionToShowHyphenReplacement"
            "AndLotsAndLot");
}

TEST(ReferrersTag, TheSchemasTagsAreNotImages) {
  std::string hex(64, 'a');
  EXPECT_TRUE(is_referrers_tag("sha256-" + hex));
  EXPECT_TRUE(is_referrers_tag("sha256-" + hex + ".sig"));  // cosign's, beside it
  EXPECT_TRUE(is_referrers_tag("sha256-" + hex + ".att"));
  EXPECT_FALSE(is_referrers_tag("sha256-" + hex.substr(1)));         // 63 digits
  EXPECT_FALSE(is_referrers_tag("sha256-" + hex + "x"));             // no dot after the digest
  EXPECT_FALSE(is_referrers_tag("sha256-" + std::string(64, 'A')));  // upper case
  EXPECT_FALSE(is_referrers_tag("v1.2"));
  EXPECT_FALSE(is_referrers_tag("sha256"));
}

TEST(Referrers, EmptyDescriptorIsImageSpecs) {
  auto d = empty_descriptor();
  EXPECT_EQ(d.media_type, "application/vnd.oci.empty.v1+json");
  EXPECT_EQ(d.digest.str(),
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  EXPECT_EQ(d.size, 2u);
}

TEST(Referrers, ArtifactManifestHasSubjectEmptyConfigAndOneLayer) {
  Artifact a;
  a.artifact_type = "application/spdx+json";
  a.media_type = "application/spdx+json";
  a.content = "{\"spdxVersion\":\"SPDX-2.3\"}";
  a.annotations["org.opencontainers.image.created"] = "2024-01-01T00:00:00Z";
  a.layer_annotations["org.opencontainers.image.title"] = "sbom.spdx.json";
  oci::Descriptor subject;
  subject.media_type = "application/vnd.oci.image.manifest.v1+json";
  subject.digest = oci::Digest::sha256_of("image");
  subject.size = 5;
  subject.annotations["dropped"] = "yes";  // the subject is media type, digest and size only
  std::string bytes = oci::serialize(artifact_manifest(a, subject));
  std::string content_digest = oci::Digest::sha256_of(a.content).str();
  EXPECT_EQ(bytes,
            "{\"annotations\":{\"org.opencontainers.image.created\":\"2024-01-01T00:00:00Z\"},"
            "\"artifactType\":\"application/spdx+json\","
            "\"config\":{\"digest\":\"sha256:"
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\","
            "\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"size\":2},"
            "\"layers\":[{\"annotations\":{\"org.opencontainers.image.title\":\"sbom.spdx.json\"},"
            "\"digest\":\"" +
                content_digest +
                "\",\"mediaType\":\"application/spdx+json\",\"size\":26}],"
                "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                "\"schemaVersion\":2,"
                "\"subject\":{\"digest\":\"" +
                subject.digest.str() +
                "\",\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"size\":5}}");
  // The entry a referrers list holds for it: artifactType and the manifest's annotations.
  auto m = *oci::parse_manifest(bytes);
  auto entry = referrer_descriptor(m, bytes);
  EXPECT_EQ(entry.media_type, "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(entry.digest, oci::Digest::sha256_of(bytes));
  EXPECT_EQ(entry.size, bytes.size());
  EXPECT_EQ(entry.artifact_type, "application/spdx+json");
  EXPECT_EQ(entry.annotations, a.annotations);
}

TEST(Referrers, EntryOfAManifestWithoutArtifactTypeIsItsConfigType) {
  // regclient's a-docker-oci referrer: no artifactType, an image config; its referrers tag
  // (sha256-7e87ff...) lists it with the config's media type, as the spec says.
  std::string bytes =
      testrepo_blob("d910434391624641a9398ec921067e2dbd9a76aac69f120257906f811f0eecb8");
  auto m = *oci::parse_manifest(bytes);
  auto entry = referrer_descriptor(m, bytes);
  auto listed = *referrers_in_index(
      testrepo_blob("4351e6ebc634e14112ef5b1d4eee41a52269efdae8856560a74bc5547e01de0a"), "");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(entry, listed[0]);
}

TEST(Referrers, IndexAtTheTagListsAndFilters) {
  // regclient's testrepo: v2 (sha256:dfae8f...) has an SBOM (a1) and a signature (a2).
  std::string index =
      testrepo_blob("955b8a891713a806107edb6dd09410233a9e7926584b1d6fd8b7b5342296188b");
  auto all = *referrers_in_index(index, "");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].digest.str(),
            "sha256:0484e93c23cddf24a8400547119558312023295af241d4cd1eaf1b27145c5026");
  EXPECT_EQ(all[0].artifact_type, "application/example.sbom");
  EXPECT_EQ(all[1].digest.str(),
            "sha256:741132f956e196c3858dab17e50ea977056f2f1ce1ad2900f11f4c8ff2d4203b");
  EXPECT_EQ(all[1].artifact_type, "application/example.signature");
  auto sboms = *referrers_in_index(index, "application/example.sbom");
  ASSERT_EQ(sboms.size(), 1u);
  EXPECT_EQ(sboms[0], all[0]);
  EXPECT_TRUE(referrers_in_index(index, "application/none")->empty());
  EXPECT_FALSE(referrers_in_index("{\"layers\":[]}", "").ok());
}

TEST(Referrers, AddingToTheTagsIndex) {
  oci::Descriptor first;
  first.media_type = "application/vnd.oci.image.manifest.v1+json";
  first.digest = oci::Digest::sha256_of("first");
  first.size = 10;
  first.artifact_type = "application/spdx+json";
  // No tag yet: a new index with the one entry.
  auto created = *add_to_referrers_index(std::nullopt, first);
  ASSERT_TRUE(created);
  EXPECT_EQ(*created,
            "{\"manifests\":[{\"artifactType\":\"application/spdx+json\",\"digest\":\"" +
                first.digest.str() +
                "\",\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"size\":10}],"
                "\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"schemaVersion\":2}");
  // Listed already: nothing to write.
  FetchedManifest existing{*created, "application/vnd.oci.image.index.v1+json", ""};
  EXPECT_FALSE(*add_to_referrers_index(existing, first));
  // Another: appended after the first, which stays as it was.
  oci::Descriptor second = first;
  second.digest = oci::Digest::sha256_of("second");
  second.artifact_type = "application/vnd.cyclonedx+json";
  auto grown = *add_to_referrers_index(existing, second);
  ASSERT_TRUE(grown);
  auto listed = *referrers_in_index(*grown, "");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0], first);
  EXPECT_EQ(listed[1], second);
  // Fields pith does not model in other tools' entries are kept ("data", unknown keys).
  FetchedManifest foreign{
      "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest."
      "v1+json\",\"digest\":\"" +
          second.digest.str() + "\",\"size\":3,\"data\":\"e30=\",\"x-other\":1}]}",
      "application/vnd.oci.image.index.v1+json", ""};
  auto kept = *add_to_referrers_index(foreign, first);
  ASSERT_TRUE(kept);
  EXPECT_NE(kept->find("\"data\":\"e30=\""), std::string::npos);
  EXPECT_NE(kept->find("\"x-other\":1"), std::string::npos);
  // A manifest at the tag (regclient's "mirror" case) is not an index: not overwritten.
  FetchedManifest manifest{
      testrepo_blob("0514ce64171e869a0b065fa1ce1b533e82808c9228d5b97ea6e3ef2e026d9aed"),
      "application/vnd.oci.image.manifest.v1+json", ""};
  auto refused = add_to_referrers_index(manifest, first);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "it holds a manifest, not an index of referrers (left as it is)");
}

TEST(Referrers, LatestByCreatedThenLastListed) {
  std::vector<oci::Descriptor> list(3);
  for (size_t i = 0; i < list.size(); ++i)
    list[i].digest = oci::Digest::sha256_of(std::to_string(i));
  EXPECT_EQ(latest_referrer(list)->digest, list[2].digest);  // none dated: the last
  list[0].annotations["org.opencontainers.image.created"] = "2024-05-01T00:00:00Z";
  list[1].annotations["org.opencontainers.image.created"] = "2023-01-01T00:00:00Z";
  EXPECT_EQ(latest_referrer(list)->digest, list[0].digest);
  EXPECT_FALSE(latest_referrer({}));
}

}  // namespace
}  // namespace pith::registry
