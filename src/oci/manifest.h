// Image manifests and indexes (OCI and Docker v2 schema 2), parsed from and written to JSON.
// Parsers take hostile bytes: bad JSON, wrong types and bad digests are errors, never crashes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/descriptor.h"
#include "oci/media_types.h"
#include "util/result.h"

namespace pith::oci {

struct Manifest {
  int schema_version = 2;
  std::string media_type;  // as written; may be empty in OCI manifests
  Descriptor config;
  std::vector<Descriptor> layers;
  std::map<std::string, std::string> annotations;
  std::optional<Descriptor> subject;
  std::string artifact_type;
  bool operator==(const Manifest&) const = default;
};

struct Index {
  int schema_version = 2;
  std::string media_type;
  std::vector<Descriptor> manifests;
  std::map<std::string, std::string> annotations;
  std::optional<Descriptor> subject;
  std::string artifact_type;
  bool operator==(const Index&) const = default;
};

// Largest JSON document pith reads: an image config, an OCI layout's index.json, a
// docker-archive's manifest.json.
inline constexpr uint64_t k_max_json_bytes = 32 << 20;
// Largest manifest or index read as a blob: what registries accept (distribution's
// maxManifestBodySize) and skopeo reads (containers/image's MaxManifestBodySize). A bigger one
// could only list more layers than pith reads (k_max_layers) or more images than it visits,
// and parsing it twice costs seconds.
inline constexpr uint64_t k_max_manifest_bytes = 4 << 20;

// An error naming the manifest when its descriptor gives more bytes than that.
Result<void> check_manifest_size(const Descriptor& d);

// What a document is: an index, an image manifest, or something else. Uses "mediaType" when
// present, otherwise the shape ("manifests" vs "layers"/"config").
enum class DocumentKind { index, manifest, unknown };
DocumentKind sniff_document(std::string_view bytes, std::string_view declared_media_type);

Result<Manifest> parse_manifest(std::string_view bytes);
Result<Index> parse_index(std::string_view bytes);

// Canonical JSON (sorted keys, no insignificant whitespace), as pith writes them.
std::string serialize(const Manifest& m);
std::string serialize(const Index& i);
// A Docker v2 schema 2 manifest exactly as containers/image writes one (its Go structure's field
// order: schemaVersion, mediaType, config, layers; each descriptor mediaType, size, digest,
// urls): the bytes, hence the digest, that skopeo and podman give a docker-archive's image.
std::string serialize_docker_schema2(const Manifest& m);

// The media type a manifest carries, or the one implied by its family when absent.
std::string effective_media_type(const Manifest& m);

}  // namespace pith::oci
