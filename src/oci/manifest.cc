// Image manifests and indexes: strict parsing of hostile bytes, canonical writing.
#include "oci/manifest.h"

#include "oci/canonical_json.h"
#include "oci/json_fields.h"

namespace pith::oci {

namespace {

using detail::find_field;
using detail::item_path;
using detail::json;
using detail::Presence;

Result<std::vector<Descriptor>> get_descriptors(const json& obj, std::string_view key) {
  std::vector<Descriptor> out;
  const json* f = find_field(obj, key);
  if (f == nullptr) return out;
  if (!f->is_array())
    return make_error(std::string(key) + ": expected an array, got " + f->type_name());
  out.reserve(f->size());
  for (size_t i = 0; i < f->size(); ++i)
    out.push_back(TRY(detail::parse_descriptor((*f)[i], item_path(key, i))));
  return out;
}

Result<std::optional<Descriptor>> get_subject(const json& obj) {
  const json* f = find_field(obj, "subject");
  if (f == nullptr) return std::optional<Descriptor>();
  return std::optional<Descriptor>(TRY(detail::parse_descriptor(*f, "subject")));
}

Result<Manifest> manifest_from_json(std::string_view bytes) {
  json j = TRY(detail::parse_object(bytes));
  TRY(detail::check_schema_version(j));
  Manifest m;
  m.media_type = TRY(detail::get_string(j, "mediaType", ""));
  if (!m.media_type.empty() && !is_manifest(m.media_type))
    return make_error("mediaType \"" + m.media_type + "\" is not an image manifest");
  const json* config = find_field(j, "config");
  if (config == nullptr) return make_error("config: missing");
  m.config = TRY(detail::parse_descriptor(*config, "config"));
  if (find_field(j, "layers") == nullptr) return make_error("layers: missing");
  m.layers = TRY(get_descriptors(j, "layers"));
  m.annotations = TRY(detail::get_string_map(j, "annotations", ""));
  m.subject = TRY(get_subject(j));
  m.artifact_type = TRY(detail::get_string(j, "artifactType", ""));
  return m;
}

Result<Index> index_from_json(std::string_view bytes) {
  json j = TRY(detail::parse_object(bytes));
  TRY(detail::check_schema_version(j));
  Index idx;
  idx.media_type = TRY(detail::get_string(j, "mediaType", ""));
  if (!idx.media_type.empty() && !is_index(idx.media_type))
    return make_error("mediaType \"" + idx.media_type + "\" is not an image index");
  // Docker 25 writes "manifests": null into the index.json of `docker save`; that is an
  // empty index, while a missing field is not an index at all.
  if (!j.contains("manifests")) return make_error("manifests: missing");
  idx.manifests = TRY(get_descriptors(j, "manifests"));
  idx.annotations = TRY(detail::get_string_map(j, "annotations", ""));
  idx.subject = TRY(get_subject(j));
  idx.artifact_type = TRY(detail::get_string(j, "artifactType", ""));
  return idx;
}

// The fields every top-level document shares, written only when set.
void put_common(json& j, const std::string& media_type,
                const std::map<std::string, std::string>& annotations,
                const std::optional<Descriptor>& subject, const std::string& artifact_type) {
  if (!media_type.empty()) j["mediaType"] = media_type;
  if (!annotations.empty()) j["annotations"] = annotations;
  if (subject) j["subject"] = to_json(*subject);
  if (!artifact_type.empty()) j["artifactType"] = artifact_type;
}

}  // namespace

DocumentKind sniff_document(std::string_view bytes, std::string_view declared_media_type) {
  auto parsed = detail::parse_object(bytes);
  if (!parsed) return DocumentKind::unknown;
  const json& j = *parsed;
  // Schema 1 manifests (and anything newer than 2) are not documents pith can read.
  const json* version = find_field(j, "schemaVersion");
  if (version != nullptr && *version != 2) return DocumentKind::unknown;
  auto classify = [](std::string_view media_type) {
    if (is_index(media_type)) return DocumentKind::index;
    if (is_manifest(media_type)) return DocumentKind::manifest;
    return DocumentKind::unknown;
  };
  if (const json* mt = find_field(j, "mediaType"); mt != nullptr && mt->is_string())
    return classify(mt->get_ref<const std::string&>());
  if (DocumentKind k = classify(declared_media_type); k != DocumentKind::unknown) return k;
  // Shape alone is trusted only with a schemaVersion: image configs have a "config" too.
  if (version == nullptr) return DocumentKind::unknown;
  if (j.contains("manifests")) return DocumentKind::index;
  if (j.contains("layers") || j.contains("config")) return DocumentKind::manifest;
  return DocumentKind::unknown;
}

Result<void> check_manifest_size(const Descriptor& d) {
  if (d.size <= k_max_manifest_bytes) return {};
  return make_error("manifest " + d.digest.str() + ": " + std::to_string(d.size) +
                    " bytes (pith reads manifests of at most " +
                    std::to_string(k_max_manifest_bytes) + " bytes, as registries and skopeo do)");
}

Result<Manifest> parse_manifest(std::string_view bytes) {
  return manifest_from_json(bytes).wrap("manifest");
}

Result<Index> parse_index(std::string_view bytes) {
  return index_from_json(bytes).wrap("index");
}

std::string serialize(const Manifest& m) {
  json j = json::object();
  j["schemaVersion"] = m.schema_version;
  j["config"] = to_json(m.config);
  json layers = json::array();
  for (const auto& l : m.layers) layers.push_back(to_json(l));
  j["layers"] = std::move(layers);
  put_common(j, m.media_type, m.annotations, m.subject, m.artifact_type);
  return canonical_json(j);
}

std::string serialize(const Index& i) {
  json j = json::object();
  j["schemaVersion"] = i.schema_version;
  json manifests = json::array();
  for (const auto& d : i.manifests) manifests.push_back(to_json(d));
  j["manifests"] = std::move(manifests);
  put_common(j, i.media_type, i.annotations, i.subject, i.artifact_type);
  return canonical_json(j);
}

std::string serialize_docker_schema2(const Manifest& m) {
  auto descriptor = [](const Descriptor& d) {
    nlohmann::ordered_json j;
    j["mediaType"] = d.media_type;
    j["size"] = d.size;
    j["digest"] = d.digest.str();
    if (!d.urls.empty()) j["urls"] = d.urls;
    return j;
  };
  nlohmann::ordered_json j;
  j["schemaVersion"] = 2;
  j["mediaType"] = media::docker_manifest;
  j["config"] = descriptor(m.config);
  j["layers"] = nlohmann::ordered_json::array();
  for (const auto& l : m.layers) j["layers"].push_back(descriptor(l));
  return j.dump();
}

std::string effective_media_type(const Manifest& m) {
  if (!m.media_type.empty()) return m.media_type;
  // Docker v2s2 requires the field, so a manifest without one is OCI, unless its config
  // says otherwise.
  if (m.config.media_type == media::docker_config) return std::string(media::docker_manifest);
  return std::string(media::oci_manifest);
}

}  // namespace pith::oci
