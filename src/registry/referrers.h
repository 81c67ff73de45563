// OCI 1.1 referrers (distribution-spec "Listing Referrers", "Pushing Manifests with Subject",
// "Referrers Tag Schema"): an artifact (an SBOM, a signature) pushed as an image manifest whose
// `subject` names the image, and the list of such manifests read back. Through the referrers
// API where the registry has one; where it has none (GET /v2/<name>/referrers/<digest> answers
// 404, as distribution 2.8 does) through the index the client keeps at the tag
// `sha256-<hex>`, as oras and regclient do.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/descriptor.h"
#include "oci/manifest.h"
#include "registry/client.h"
#include "util/result.h"

namespace pith::registry {

// The tag of the referrers tag schema: the algorithm truncated to 32 characters, "-", the
// encoded part truncated to 64, any character a tag cannot hold replaced by "-".
std::string referrers_tag(std::string_view digest);
// Whether a tag is one of the referrers tag schema's ("sha256-<64 hex>"), or cosign's
// "sha256-<hex>.sig" / ".att" beside it: artifacts attached to an image, not images.
bool is_referrers_tag(std::string_view tag);

// One artifact with one blob, as image-spec's artifact guidance packs it: `artifactType`, the
// empty config ({}), one layer.
struct Artifact {
  std::string artifact_type;
  std::string media_type;  // of the layer (the content's own type)
  std::string content;
  std::map<std::string, std::string> annotations;        // the manifest's
  std::map<std::string, std::string> layer_annotations;  // e.g. org.opencontainers.image.title
};

// The empty descriptor of image-spec ("Guidance for an Empty Descriptor"): {} as JSON.
oci::Descriptor empty_descriptor();
inline constexpr std::string_view k_empty_json = "{}";

// The artifact's manifest with `subject` (reduced to media type, digest and size).
oci::Manifest artifact_manifest(const Artifact& a, const oci::Descriptor& subject);

// How the registry lists a subject's referrers.
enum class ReferrersVia { api, tag };
std::string_view via_name(ReferrersVia v);  // "referrers API", "referrers tag"

// The descriptor a referrers list holds for a pushed manifest: its artifactType (the config's
// media type when it has none) and its annotations.
oci::Descriptor referrer_descriptor(const oci::Manifest& m, const std::string& bytes);

// The referrers tag's index with `entry` added, or nullopt when it lists that digest already
// (no duplicates). `existing` is the tag's document (nullopt: no such tag yet); anything but
// an image index there is an error (another tool's tag, which pith does not overwrite).
Result<std::optional<std::string>> add_to_referrers_index(
    const std::optional<FetchedManifest>& existing, const oci::Descriptor& entry);

// The descriptors of a referrers index, those of `artifact_type` only when it is not "".
Result<std::vector<oci::Descriptor>> referrers_in_index(std::string_view bytes,
                                                        const std::string& artifact_type);

struct Attached {
  oci::Descriptor manifest;  // the artifact manifest pushed (media type, digest, size)
  ReferrersVia via;
};

// Pushes the artifact's blobs and manifest (by digest) and makes it a referrer of `subject`:
// done by the registry when it answers OCI-Subject or has the referrers API, else by adding it
// to the index at the referrers tag (read, modified, written: concurrent writers of one tag
// can lose each other's entry, which the spec leaves to clients; pith writes it once per push).
Result<Attached> attach_referrer(Client& client, const oci::Descriptor& subject,
                                 const Artifact& artifact);

struct Referrers {
  std::vector<oci::Descriptor> manifests;  // in the registry's order
  ReferrersVia via;
};

// The referrers of `subject` (of `artifact_type` only, when not ""): the referrers API, or on
// its 404 the referrers tag (absent, or not an index: none).
Result<Referrers> list_referrers(Client& client, const oci::Digest& subject,
                                 const std::string& artifact_type);

// A referrer's content: its manifest read by digest and checked (digest, size, and `subject`
// naming `subject`), then the blob of its layer of `layer_media_type` (else of its only
// layer), verified and at most `limit` bytes.
Result<std::string> read_referrer(Client& client, const oci::Descriptor& referrer,
                                  const oci::Digest& subject, std::string_view layer_media_type,
                                  uint64_t limit);

// Of several referrers, the one to read: the latest org.opencontainers.image.created (RFC 3339
// text compares in time order), the last listed among equals. nullopt if `list` is empty.
std::optional<oci::Descriptor> latest_referrer(const std::vector<oci::Descriptor>& list);

}  // namespace pith::registry
