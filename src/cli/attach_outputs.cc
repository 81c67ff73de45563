// The SBOM beside a build's registry outputs: one referrer per docker:// output.
#include "cli/attach_outputs.h"

#include <cstdio>

#include "transport/referrers.h"
#include "util/time_text.h"

namespace pith::cli {

Result<void> attach_to_registry_outputs(
    const std::vector<std::pair<std::string, oci::Digest>>& outputs, const AttachedFile& file,
    const transport::RegistryOptions& registry, bool quiet) {
  registry::Artifact a;
  a.artifact_type = file.media_type;
  a.media_type = file.media_type;
  a.content = file.content;
  // From SOURCE_DATE_EPOCH or the image: the same build gives the same referrer.
  a.annotations["org.opencontainers.image.created"] = rfc3339(file.created);
  if (!file.title.empty()) a.layer_annotations["org.opencontainers.image.title"] = file.title;
  for (const auto& [out, digest] : outputs) {
    auto ref = TRY(transport::parse_reference(out));
    if (ref.kind != transport::Kind::docker) continue;
    auto attached = TRY(transport::attach_to_image(ref, digest, a, registry).wrap("--sbom"));
    if (quiet) continue;
    std::string via = attached.via == registry::ReferrersVia::api
                          ? "referrers API"
                          : "referrers tag " + registry::referrers_tag(digest.str());
    std::printf("  -> %s %s: %s referrer (%s)\n", out.c_str(),
                attached.manifest.digest.str().c_str(), file.media_type.c_str(), via.c_str());
  }
  return {};
}

}  // namespace pith::cli
