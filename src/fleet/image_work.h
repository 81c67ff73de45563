// The real content of a claim: the image read from its registry, each layer analysed by
// inspect's, lint's and sbom's pass (fleet/layer_analysis.h), the results merged as
// `pith inspect`, `pith lint` and `pith sbom` would give them.
#pragma once

#include <memory>

#include "fleet/layer_analysis.h"
#include "fleet/worker.h"
#include "transport/registry_options.h"

namespace pith::fleet {

// merge: as `pith sbom` reads its environment (SOURCE_DATE_EPOCH).
std::unique_ptr<ImageWork> registry_image_work(transport::RegistryOptions registry,
                                               MergeOptions merge);

// An Authorization header value ("Basic base64(USER:PASSWORD)", as Harbor sends its robot
// account's) as --creds' USER:PASSWORD.
Result<std::string> creds_from_authorization(std::string_view header);

}  // namespace pith::fleet
