// Referrers of images in registries (docker:// references): artifacts such as SBOMs attached
// to an image manifest, and read back (registry/referrers.h does the protocol).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "registry/referrers.h"
#include "transport/reference.h"
#include "transport/registry_options.h"

namespace pith::transport {

// The digest of the document the reference names (a tag resolved by the registry; a digest
// taken as it is once the registry has it), with its media type and size: a subject.
Result<oci::Descriptor> registry_root(registry::Client& client, const ImageRef& ref);

// Attaches `artifact` to the manifest `subject` of the repository `ref` names (its tag or
// digest is not used: an image just pushed is named by the digest its push reported).
Result<registry::Attached> attach_to_image(const ImageRef& ref, const oci::Digest& subject,
                                           const registry::Artifact& artifact,
                                           const RegistryOptions& options);

struct AttachedContent {
  oci::Descriptor referrer;  // the artifact manifest
  oci::Digest subject;       // which of the subjects it refers to
  registry::ReferrersVia via;
  std::string content;  // its layer of the wanted media type
};

// The latest referrer of `artifact_type` of the first of `subjects` that has one (for an
// image in an index: its own manifest, then the index), its layer of type `artifact_type`
// read (at most `limit` bytes). nullopt when none of them has one.
Result<std::optional<AttachedContent>> read_attached(const ImageRef& ref,
                                                     const std::vector<oci::Digest>& subjects,
                                                     const std::string& artifact_type,
                                                     const RegistryOptions& options,
                                                     uint64_t limit);

}  // namespace pith::transport
