// SPDX 2.3 JSON (spdx-spec schemas/spdx-schema.json): the image as the described package, every
// package it CONTAINS, each package's files (CONTAINS) and DEPENDS_ON between packages.
#include <map>
#include <nlohmann/json.hpp>

#include "sbom/documents.h"
#include "sbom/ids.h"
#include "sbom/license.h"
#include "util/sha256.h"
#include "util/time_text.h"

namespace pith::sbom {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* k_noassertion = "NOASSERTION";

// File ids: the path made an id, with a hash of the path itself so that paths differing only
// in characters an id cannot hold stay apart.
std::string file_id(const std::string& path) {
  return spdx_id("File", path) + "-" + Sha256::hex_of(path).substr(0, 8);
}

Json relationship(const std::string& from, const char* type, const std::string& to) {
  return Json{{"spdxElementId", from}, {"relationshipType", type}, {"relatedSpdxElement", to}};
}

Json image_package(const report::InspectReport& r, const std::string& id) {
  Json p;
  p["name"] = image_name(r);
  p["SPDXID"] = id;
  p["versionInfo"] = r.digest.str();
  p["downloadLocation"] = k_noassertion;
  p["filesAnalyzed"] = false;
  p["checksums"] = Json::array({{{"algorithm", "SHA256"}, {"checksumValue", r.digest.hex}}});
  p["licenseConcluded"] = k_noassertion;
  p["licenseDeclared"] = k_noassertion;
  p["copyrightText"] = k_noassertion;
  p["externalRefs"] = Json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                                    {"referenceType", "purl"},
                                    {"referenceLocator", image_purl(r)}}});
  p["primaryPackagePurpose"] = "CONTAINER";
  return p;
}

}  // namespace

std::string render_spdx(const SbomInput& in) {
  const auto& r = in.report;
  const std::string uuid = document_uuid(r);
  const std::string image_id = spdx_id("Image", image_name(r));
  const std::vector<std::string> keys = package_keys(r);

  Json doc;
  doc["spdxVersion"] = "SPDX-2.3";
  doc["dataLicense"] = "CC0-1.0";
  doc["SPDXID"] = "SPDXRef-DOCUMENT";
  doc["name"] = r.reference;
  doc["documentNamespace"] = "https://spdx.org/spdxdocs/pith-" + image_name(r) + "-" + uuid;
  doc["creationInfo"] = {
      {"created", rfc3339(in.created)},
      {"creators", Json::array({std::string("Tool: ") + k_tool_name + "-" + k_tool_version})}};

  Json packages = Json::array({image_package(r, image_id)});
  Json relationships = Json::array({relationship("SPDXRef-DOCUMENT", "DESCRIBES", image_id)});
  std::map<std::string, Json> extracted;     // LicenseRef id → its declaration
  std::map<std::string, std::string> files;  // path → sha256, one File element each
  Json contains_files = Json::array();

  for (size_t i = 0; i < r.packages.size(); ++i) {
    const auto& p = r.packages[i].package;
    const auto& extra = in.packages[i];
    std::string id = spdx_id("Package", keys[i]);
    Json j;
    j["name"] = p.name;
    j["SPDXID"] = id;
    if (!p.version.empty()) j["versionInfo"] = p.version;
    j["downloadLocation"] = k_noassertion;
    j["filesAnalyzed"] = false;
    j["sourceInfo"] = "acquired package info from " + p.location;
    j["licenseConcluded"] = k_noassertion;
    SpdxLicense license = to_spdx_license(extra.license);
    j["licenseDeclared"] = license.expression.empty() ? k_noassertion : license.expression;
    for (const auto& ref : license.refs)
      extracted.emplace(
          ref.id, Json{{"licenseId", ref.id}, {"extractedText", ref.name}, {"name", ref.name}});
    j["copyrightText"] = k_noassertion;
    if (!p.purl.empty())
      j["externalRefs"] = Json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                                        {"referenceType", "purl"},
                                        {"referenceLocator", p.purl}}});
    packages.push_back(std::move(j));
    relationships.push_back(relationship(image_id, "CONTAINS", id));
    for (size_t d : extra.depends_on)
      relationships.push_back(relationship(id, "DEPENDS_ON", spdx_id("Package", keys[d])));
    for (const auto& f : extra.files) {
      files.emplace(f.path, f.sha256);
      contains_files.push_back(relationship(id, "CONTAINS", file_id(f.path)));
    }
  }
  for (auto& rel : contains_files) relationships.push_back(std::move(rel));

  doc["packages"] = std::move(packages);
  if (!files.empty()) {
    Json fs = Json::array();
    for (const auto& [path, sha] : files)
      fs.push_back({{"fileName", path},
                    {"SPDXID", file_id(path)},
                    {"checksums", Json::array({{{"algorithm", "SHA256"}, {"checksumValue", sha}}})},
                    {"licenseConcluded", k_noassertion},
                    {"copyrightText", k_noassertion}});
    doc["files"] = std::move(fs);
  }
  if (!extracted.empty()) {
    Json refs = Json::array();
    for (auto& [id, j] : extracted) refs.push_back(std::move(j));
    doc["hasExtractedLicensingInfos"] = std::move(refs);
  }
  doc["relationships"] = std::move(relationships);
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace pith::sbom
