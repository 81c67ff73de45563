// Deterministic identifiers: UUIDs as Python's uuid.uuid5 gives them, RFC 3339 times as
// calendar.timegm reads them, the image's purl as purl-spec's oci type writes it.
#include "sbom/ids.h"

#include <gtest/gtest.h>

namespace pith::sbom {
namespace {

TEST(Ids, UuidV5MatchesPython) {
  // python3 -c "import uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, 'https://example.com'))"
  EXPECT_EQ(uuid_v5_url("https://example.com"), "4fd35a71-71ef-5a55-a9d9-aa75c889a6d0");
  report::InspectReport r;
  r.digest =
      oci::Digest::parse("sha256:abababababababababababababababababababababababababababababababab")
          .value();
  EXPECT_EQ(document_uuid(r), "8bd606bb-9c0e-5e7b-9041-2059768006e8");
}

TEST(Ids, Rfc3339) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("2024-01-02T03:04:05Z"), 1704164645);
  EXPECT_EQ(parse_rfc3339("2024-01-02T03:04:05.123456789Z"), 1704164645);
  EXPECT_EQ(parse_rfc3339("2000-01-01T00:00:00+02:00"), 946677600);
  EXPECT_EQ(parse_rfc3339(""), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2024-13-02T03:04:05Z"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2024-01-02 03:04:05"), std::nullopt);
}

TEST(Ids, SpdxIdsHoldOnlyAllowedCharacters) {
  EXPECT_EQ(spdx_id("Package", "deb-libc6_x+y/z"), "SPDXRef-Package-deb-libc6-x-y-z");
}

TEST(Ids, ImagePurl) {
  report::InspectReport r;
  r.digest =
      oci::Digest::parse("sha256:abababababababababababababababababababababababababababababababab")
          .value();
  r.platform.architecture = "amd64";
  r.reference = "docker://localhost:5000/team/my-app:1.0";
  EXPECT_EQ(image_name(r), "my-app");
  EXPECT_EQ(
      image_purl(r),
      "pkg:oci/my-app@sha256%3Aabababababababababababababababababababababababababababababababab"
      "?arch=amd64&repository_url=localhost%3A5000%2Fteam%2Fmy-app&tag=1.0");
  r.reference = "docker-archive:/tmp/images/test-docker-image.tar";
  EXPECT_EQ(image_name(r), "test-docker-image");
  r.reference = "oci:/tmp/layout:v1";
  EXPECT_EQ(image_name(r), "v1");
  r.reference = "rootfs:/tmp/alpine-minirootfs-3.19.1-x86_64.tar.gz";
  EXPECT_EQ(image_name(r), "alpine-minirootfs-3.19.1-x86_64");
}

}  // namespace
}  // namespace pith::sbom
