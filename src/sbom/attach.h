// An SBOM attached to its image in a registry as an OCI 1.1 referrer (`build --sbom` for
// docker:// outputs, `fleet work --attach-sbom`).
#pragma once

#include <cstdint>
#include <string>

#include "sbom/sbom.h"
#include "transport/reference.h"
#include "transport/registry_options.h"

namespace pith::sbom {

// Attaches `document` to the image `subject` (its manifest digest) of the repository `image`
// names, as an OCI 1.1 referrer: artifactType and layer media_type(f), the layer titled "sbom"
// + suffix, org.opencontainers.image.created from `created` (so the same image gives the same
// referrer); through the referrers API or the referrers tag (registry/referrers.h). Returns
// the referrer's digest and how it was attached.
Result<std::string> attach_referrer(const transport::ImageRef& image, const oci::Digest& subject,
                                    Format f, const std::string& document, int64_t created,
                                    const transport::RegistryOptions& registry);

}  // namespace pith::sbom
