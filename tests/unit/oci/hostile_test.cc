// Hostile documents: every malformed input is an Error with a clear message, never a crash.
#include <gtest/gtest.h>

#include "oci/config.h"
#include "oci/manifest.h"
#include "oci_test_util.h"

namespace pith::oci {
namespace {

const std::string k_digest =
    "sha256:e7c26a4b4d156fd9947ee82295b7b78acf7aa54b93b8f3e4b9f608179ffb20e8";

std::string layer(const std::string& digest) {
  return R"({"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" + digest +
         R"(","size":1})";
}

std::string manifest_with(const std::string& layers) {
  return R"({"schemaVersion":2,"config":)" + layer(k_digest) + R"(,"layers":[)" + layers + "]}";
}

std::string error_of(const Result<Manifest>& r) {
  return r ? "(parsed)" : r.error().message;
}
std::string error_of(const Result<Index>& r) {
  return r ? "(parsed)" : r.error().message;
}

TEST(Hostile, ErrorsNameTheField) {
  EXPECT_EQ(error_of(parse_manifest(manifest_with(layer(k_digest) + "," + layer(k_digest) + "," +
                                                  layer("sha256:xyz")))),
            "manifest: layers[2].digest: invalid digest \"sha256:xyz\"");
  EXPECT_EQ(error_of(parse_manifest(R"({"schemaVersion":2,"layers":[]})")),
            "manifest: config: missing");
  EXPECT_EQ(error_of(parse_manifest(R"({"schemaVersion":2,"config":)" + layer(k_digest) + "}")),
            "manifest: layers: missing");
  EXPECT_EQ(error_of(parse_manifest(R"({"schemaVersion":2,"config":)" + layer(k_digest) +
                                    R"(,"layers":{}})")),
            "manifest: layers: expected an array, got object");
  EXPECT_EQ(error_of(parse_manifest(R"({"schemaVersion":2,"config":"x","layers":[]})")),
            "manifest: config: expected an object, got string");
  EXPECT_EQ(error_of(parse_manifest(R"({"config":{},"layers":[]})")),
            "manifest: schemaVersion: missing");
  EXPECT_EQ(error_of(parse_manifest(R"({"schemaVersion":"2"})")),
            "manifest: schemaVersion: expected an integer, got string");
  EXPECT_EQ(error_of(parse_manifest(R"({"schemaVersion":3})")),
            "manifest: unsupported schemaVersion 3");
  EXPECT_EQ(error_of(parse_manifest(R"({"schemaVersion":2,"mediaType":")" +
                                    std::string(media::oci_index) + R"(","manifests":[]})")),
            "manifest: mediaType \"application/vnd.oci.image.index.v1+json\" is not an image "
            "manifest");
  EXPECT_EQ(error_of(parse_index(R"({"schemaVersion":2,"manifests":[)" + layer("sha256:") + "]}")),
            "index: manifests[0].digest: invalid digest \"sha256:\"");
  EXPECT_EQ(error_of(parse_index(R"({"schemaVersion":2})")), "index: manifests: missing");
  EXPECT_EQ(error_of(parse_index(R"({"schemaVersion":2,"manifests":[],"subject":[]})")),
            "index: subject: expected an object, got array");
  EXPECT_EQ(error_of(parse_manifest("")), "manifest: not valid JSON");
  EXPECT_EQ(error_of(parse_manifest("42")), "manifest: expected a JSON object, got number");
}

TEST(Hostile, ContainersImageSniffOnlyFixturesAreRejected) {
  for (const char* f : {"ociv1.artifact.json", "ociv1nomime.artifact.json"}) {
    std::string bytes =
        test::slurp(test::corpus("containers-image/internal/manifest/testdata/") + f);
    ASSERT_TRUE(test::known_invalid(f));
    EXPECT_EQ(sniff_document(bytes, ""), DocumentKind::manifest) << f;
    EXPECT_EQ(error_of(parse_manifest(bytes)), "manifest: config.digest: invalid digest \"\"") << f;
  }
}

TEST(Hostile, ContainersImageUnknownSizeIsRejected) {
  std::string bytes =
      test::slurp(test::corpus("containers-image/internal/image/fixtures/schema1-to-oci1.json"));
  EXPECT_EQ(error_of(parse_manifest(bytes)), "manifest: config.size: negative size");
}

TEST(Hostile, HugeAndNegativeNumbers) {
  for (const char* size : {"-1", "1e400", "18446744073709551616", "9223372036854775808", "0.5",
                           "-0.0", "true", "null", "[]"}) {
    std::string doc = manifest_with(R"({"digest":")" + k_digest + R"(","size":)" + size + "}");
    auto m = parse_manifest(doc);
    EXPECT_FALSE(m) << size;
  }
  auto max = parse_manifest(
      manifest_with(R"({"digest":")" + k_digest + R"(","size":9223372036854775807})"));
  ASSERT_TRUE(max) << max.error().message;
  EXPECT_EQ(max->layers[0].size, 9223372036854775807u);
}

TEST(Hostile, EveryTruncationOfARealManifestFails) {
  std::string full =
      test::slurp(test::corpus("containers-image/internal/manifest/testdata/v2s2.manifest.json"));
  ASSERT_TRUE(parse_manifest(full));
  // Cut before the closing brace; the trailing newline alone may go.
  size_t last = full.rfind('}');
  for (size_t n = 0; n < last; ++n) {
    std::string_view cut(full.data(), n);
    EXPECT_FALSE(parse_manifest(cut)) << n;
    EXPECT_FALSE(parse_index(cut)) << n;
    EXPECT_FALSE(parse_config(cut)) << n;
    EXPECT_EQ(sniff_document(cut, ""), DocumentKind::unknown) << n;
  }
}

TEST(Hostile, DeepNestingIsRefused) {
  std::string deep =
      R"({"schemaVersion":2,"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto m = parse_manifest(deep);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "manifest: nested deeper than 128 levels");
  EXPECT_FALSE(parse_config(deep));
  EXPECT_EQ(sniff_document(deep, ""), DocumentKind::unknown);
  // Brackets inside strings do not count.
  std::string in_string = manifest_with("");
  in_string.insert(1, R"("x":")" + std::string(1000, '[') + R"(\"[",)");
  EXPECT_TRUE(parse_manifest(in_string)) << error_of(parse_manifest(in_string));
}

TEST(Hostile, OversizedDocumentsAreRefused) {
  std::string big(k_max_json_bytes + 1, ' ');
  auto m = parse_manifest(big);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("exceeds"), std::string::npos);
}

TEST(Hostile, InvalidUtf8AndControlCharacters) {
  std::string doc = manifest_with("");
  doc.insert(1, "\"a\":\"\xff\",");
  EXPECT_FALSE(parse_manifest(doc));  // invalid UTF-8 is not JSON
  std::string nul = manifest_with("");
  nul.insert(1, std::string("\"a\":\"\0\",", 7));
  EXPECT_FALSE(parse_manifest(nul));
  std::string escaped = manifest_with("");
  escaped.insert(1, R"("annotations":{"k":"\u0000\ud83d\ude00"},)");
  auto m = parse_manifest(escaped);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->annotations.at("k"), std::string("\0\xf0\x9f\x98\x80", 5));
  EXPECT_EQ(*parse_manifest(serialize(*m)), *m);
}

TEST(Hostile, UnknownFieldsAreIgnored) {
  std::string doc = manifest_with(layer(k_digest));
  doc.insert(1, R"("future":{"x":[1,2,{"y":null}]},"data":"e30=",)");
  auto m = parse_manifest(doc);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(serialize(*m).find("future"), std::string::npos);
}

}  // namespace
}  // namespace pith::oci
