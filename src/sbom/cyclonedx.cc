// CycloneDX 1.6 JSON (bom-1.6.schema.json): the image as metadata.component (bom-ref its
// manifest digest, purl pkg:oci/...@<manifest digest>), every package a component with its files
// nested as file components, and the dependency graph (the image on every package; DEPENDS_ON
// edges).
#include <nlohmann/json.hpp>

#include "sbom/documents.h"
#include "sbom/ids.h"
#include "sbom/license.h"
#include "util/time_text.h"

namespace pith::sbom {
namespace {

using Json = nlohmann::ordered_json;

Json licenses_of(const std::string& declared) {
  SpdxLicense l = to_spdx_license(declared);
  if (l.expression.empty()) return nullptr;
  if (l.single && l.refs.empty()) return Json::array({{{"license", {{"id", l.expression}}}}});
  if (l.single) return Json::array({{{"license", {{"name", l.refs[0].name}}}}});
  return Json::array({{{"expression", l.expression}}});
}

Json property(const char* name, const std::string& value) {
  return Json{{"name", name}, {"value", value}};
}

}  // namespace

std::string render_cyclonedx(const SbomInput& in) {
  const auto& r = in.report;
  // The image's bom-ref is its manifest digest: purls percent-encode the digest's ':', which
  // readers such as cdxgen refuse in a bom-ref.
  const std::string image_ref = r.digest.str();
  const std::vector<std::string> keys = package_keys(r);

  Json doc;
  doc["$schema"] = "http://cyclonedx.org/schema/bom-1.6.schema.json";
  doc["bomFormat"] = "CycloneDX";
  doc["specVersion"] = "1.6";
  doc["serialNumber"] = "urn:uuid:" + document_uuid(r);
  doc["version"] = 1;
  Json image = {{"type", "container"},
                {"bom-ref", image_ref},
                {"name", image_name(r)},
                {"version", r.digest.str()},
                {"hashes", Json::array({{{"alg", "SHA-256"}, {"content", r.digest.hex}}})},
                {"purl", image_purl(r)}};
  doc["metadata"] = {
      {"timestamp", rfc3339(in.created)},
      {"tools",
       {{"components",
         Json::array(
             {{{"type", "application"}, {"name", k_tool_name}, {"version", k_tool_version}}})}}},
      {"component", std::move(image)}};

  Json components = Json::array();
  Json dependencies = Json::array();
  Json all = Json::array();
  for (size_t i = 0; i < r.packages.size(); ++i) {
    const auto& pr = r.packages[i];
    const auto& p = pr.package;
    const auto& extra = in.packages[i];
    Json c;
    c["type"] = "library";
    c["bom-ref"] = keys[i];
    c["name"] = p.name;
    if (!p.version.empty()) c["version"] = p.version;
    if (Json l = licenses_of(extra.license); !l.is_null()) c["licenses"] = std::move(l);
    if (!p.purl.empty()) c["purl"] = p.purl;
    Json props =
        Json::array({property("pith:package:type", std::string(catalog::type_name(p.type))),
                     property("pith:package:location", p.location)});
    if (pr.layer < r.layers.size())
      props.push_back(property("pith:package:layer-diff-id", r.layers[pr.layer].diff_id.str()));
    if (!p.source_package.empty())
      props.push_back(property("pith:package:source", p.source_package));
    c["properties"] = std::move(props);
    if (!extra.files.empty()) {
      Json files = Json::array();
      for (const auto& f : extra.files)
        files.push_back({{"type", "file"},
                         {"name", f.path},
                         {"hashes", Json::array({{{"alg", "SHA-256"}, {"content", f.sha256}}})}});
      c["components"] = std::move(files);
    }
    components.push_back(std::move(c));
    all.push_back(keys[i]);
    Json on = Json::array();
    for (size_t d : extra.depends_on) on.push_back(keys[d]);
    dependencies.push_back({{"ref", keys[i]}, {"dependsOn", std::move(on)}});
  }
  dependencies.insert(dependencies.begin(),
                      Json{{"ref", image_ref}, {"dependsOn", std::move(all)}});
  doc["components"] = std::move(components);
  doc["dependencies"] = std::move(dependencies);
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace pith::sbom
