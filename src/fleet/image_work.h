// The real content of a claim: the image read from its registry, each layer analysed by
// inspect's, lint's and sbom's pass (fleet/layer_analysis.h), the results merged as
// `pith inspect`, `pith lint` and `pith sbom` would give them.
#pragma once

#include <memory>
#include <optional>

#include "fleet/layer_analysis.h"
#include "fleet/worker.h"
#include "sbom/sbom.h"
#include "transport/registry_options.h"

namespace pith::fleet {

struct RegistryWorkOptions {
  transport::RegistryOptions registry;
  MergeOptions merge;  // as `pith sbom` reads its environment (SOURCE_DATE_EPOCH)
  // Also attach this SBOM to each image in its registry as an OCI 1.1 referrer.
  std::optional<sbom::Format> attach_sbom;
};

std::unique_ptr<ImageWork> registry_image_work(RegistryWorkOptions options);

// An Authorization header value ("Basic base64(USER:PASSWORD)", as Harbor sends its robot
// account's) as --creds' USER:PASSWORD.
Result<std::string> creds_from_authorization(std::string_view header);

}  // namespace pith::fleet
