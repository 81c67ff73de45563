// The two documents of one small measured image: the fields, ids and relationships
// docs/sbom.md promises, with exact values.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sbom/sbom.h"

namespace pith::sbom {
namespace {

using nlohmann::json;

SbomInput sample() {
  SbomInput in;
  auto& r = in.report;
  r.reference = "docker-archive:/tmp/app.tar";
  r.digest =
      oci::Digest::parse("sha256:abababababababababababababababababababababababababababababababab")
          .value();
  r.platform.architecture = "amd64";
  report::LayerReport layer;
  layer.diff_id =
      oci::Digest::parse("sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd")
          .value();
  r.layers.push_back(layer);
  catalog::Package musl;
  musl.type = catalog::PackageType::apk;
  musl.name = "musl";
  musl.version = "1.2.4_git20230717-r4";
  musl.arch = "x86_64";
  musl.purl = "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=3.19.1";
  musl.location = "/lib/apk/db/installed";
  catalog::Package busybox = musl;
  busybox.name = "busybox";
  busybox.version = "1.36.1-r15";
  busybox.purl = "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=3.19.1";
  r.packages = {{musl, 0}, {busybox, 0}};
  in.packages.resize(2);
  in.packages[0].license = "MIT";
  in.packages[0].files = {{"/lib/ld-musl-x86_64.so.1", std::string(64, '1')}};
  in.packages[1].license = "GPL-2.0-only";
  in.packages[1].depends_on = {0};
  in.created = 1704164645;
  return in;
}

json relationship(const std::string& a, const std::string& type, const std::string& b) {
  return json{{"spdxElementId", a}, {"relationshipType", type}, {"relatedSpdxElement", b}};
}

TEST(Render, Formats) {
  EXPECT_EQ(parse_format("spdx-json").value(), Format::spdx_json);
  EXPECT_EQ(parse_format("cyclonedx-json").value(), Format::cyclonedx_json);
  EXPECT_FALSE(parse_format("spdx").ok());
  EXPECT_EQ(media_type(Format::spdx_json), "application/spdx+json");
  EXPECT_EQ(media_type(Format::cyclonedx_json), "application/vnd.cyclonedx+json");
  EXPECT_EQ(file_suffix(Format::spdx_json), ".spdx.json");
  EXPECT_EQ(file_suffix(Format::cyclonedx_json), ".cdx.json");
}

TEST(Render, Spdx) {
  auto text = render(sample(), Format::spdx_json);
  ASSERT_TRUE(text.ok()) << text.error().message;
  json doc = json::parse(*text);
  EXPECT_EQ(doc["spdxVersion"], "SPDX-2.3");
  EXPECT_EQ(doc["documentNamespace"],
            "https://spdx.org/spdxdocs/pith-app-8bd606bb-9c0e-5e7b-9041-2059768006e8");
  EXPECT_EQ(doc["creationInfo"]["created"], "2024-01-02T03:04:05Z");
  ASSERT_EQ(doc["packages"].size(), 3u);
  const json& image = doc["packages"][0];
  EXPECT_EQ(image["SPDXID"], "SPDXRef-Image-app");
  EXPECT_EQ(image["primaryPackagePurpose"], "CONTAINER");
  EXPECT_EQ(
      image["externalRefs"][0]["referenceLocator"],
      "pkg:oci/"
      "app@sha256%3Aabababababababababababababababababababababababababababababababab?arch=amd64");
  const json& musl = doc["packages"][1];
  std::string musl_id = musl["SPDXID"];
  std::string busybox_id = doc["packages"][2]["SPDXID"];
  EXPECT_TRUE(musl_id.starts_with("SPDXRef-Package-apk-musl-")) << musl_id;
  EXPECT_EQ(musl["licenseDeclared"], "MIT");
  EXPECT_EQ(musl["externalRefs"][0]["referenceLocator"],
            "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=3.19.1");
  ASSERT_EQ(doc["files"].size(), 1u);
  EXPECT_EQ(doc["files"][0]["fileName"], "/lib/ld-musl-x86_64.so.1");
  EXPECT_EQ(doc["files"][0]["checksums"][0]["checksumValue"], std::string(64, '1'));
  std::string file_id = doc["files"][0]["SPDXID"];
  const json& rel = doc["relationships"];
  EXPECT_EQ(rel[0], relationship("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image-app"));
  EXPECT_EQ(rel[1], relationship("SPDXRef-Image-app", "CONTAINS", musl_id));
  EXPECT_EQ(rel[2], relationship("SPDXRef-Image-app", "CONTAINS", busybox_id));
  EXPECT_EQ(rel[3], relationship(busybox_id, "DEPENDS_ON", musl_id));
  EXPECT_EQ(rel[4], relationship(musl_id, "CONTAINS", file_id));
  EXPECT_EQ(rel.size(), 5u);
}

TEST(Render, CycloneDx) {
  auto text = render(sample(), Format::cyclonedx_json);
  ASSERT_TRUE(text.ok()) << text.error().message;
  json doc = json::parse(*text);
  EXPECT_EQ(doc["specVersion"], "1.6");
  EXPECT_EQ(doc["serialNumber"], "urn:uuid:8bd606bb-9c0e-5e7b-9041-2059768006e8");
  EXPECT_EQ(doc["metadata"]["timestamp"], "2024-01-02T03:04:05Z");
  const json& image = doc["metadata"]["component"];
  EXPECT_EQ(image["type"], "container");
  EXPECT_EQ(image["bom-ref"],
            "sha256:abababababababababababababababababababababababababababababababab");
  EXPECT_EQ(
      image["purl"],
      "pkg:oci/"
      "app@sha256%3Aabababababababababababababababababababababababababababababababab?arch=amd64");
  EXPECT_EQ(image["version"],
            "sha256:abababababababababababababababababababababababababababababababab");
  ASSERT_EQ(doc["components"].size(), 2u);
  const json& musl = doc["components"][0];
  EXPECT_EQ(musl["licenses"], json::parse(R"([{"license":{"id":"MIT"}}])"));
  EXPECT_EQ(musl["components"][0]["name"], "/lib/ld-musl-x86_64.so.1");
  EXPECT_EQ(musl["components"][0]["hashes"][0]["alg"], "SHA-256");
  const json& deps = doc["dependencies"];
  ASSERT_EQ(deps.size(), 3u);
  EXPECT_EQ(deps[0]["ref"], image["bom-ref"]);
  EXPECT_EQ(deps[0]["dependsOn"], json::array({musl["bom-ref"], doc["components"][1]["bom-ref"]}));
  EXPECT_EQ(deps[2]["dependsOn"], json::array({musl["bom-ref"]}));
}

TEST(Render, SameInputSameBytes) {
  EXPECT_EQ(render(sample(), Format::spdx_json).value(),
            render(sample(), Format::spdx_json).value());
  SbomInput later = sample();
  later.created = 0;
  auto a = render(sample(), Format::cyclonedx_json).value();
  auto b = render(later, Format::cyclonedx_json).value();
  EXPECT_NE(a, b);
  EXPECT_EQ(b.find("1970-01-01T00:00:00Z") != std::string::npos, true);
}

}  // namespace
}  // namespace pith::sbom
