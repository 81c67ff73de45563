#include "sbom/attach.h"

#include "transport/referrers.h"
#include "util/time_text.h"

namespace pith::sbom {

Result<std::string> attach_referrer(const transport::ImageRef& image, const oci::Digest& subject,
                                    Format f, const std::string& document, int64_t created,
                                    const transport::RegistryOptions& registry) {
  registry::Artifact a;
  a.artifact_type = std::string(media_type(f));
  a.media_type = a.artifact_type;
  a.content = document;
  a.annotations["org.opencontainers.image.created"] = rfc3339(created);
  a.layer_annotations["org.opencontainers.image.title"] = "sbom" + std::string(file_suffix(f));
  auto attached = TRY(transport::attach_to_image(image, subject, a, registry));
  return attached.manifest.digest.str() + " (" +
         (attached.via == registry::ReferrersVia::api
              ? std::string("referrers API")
              : "referrers tag " + registry::referrers_tag(subject.str())) +
         ")";
}

}  // namespace pith::sbom
