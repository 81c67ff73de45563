// What the database answers: the queue's state and throughput (`fleet status`) and the
// inventory questions (`fleet query`). Each answer is a JSON value; the CLI prints it as JSON
// or as text.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "fleet/db.h"

namespace pith::fleet {

// Manifests by state, references, layers analysed, and images finished per second over the
// last minute and overall.
Result<nlohmann::json> queue_status(Db& db);
std::string render_status(const nlohmann::json& status);

// Each answer: an array of objects with at least "reference" (docker://HOST/REPO:TAG), sorted.
// Images whose packages include NAME (at VERSION, when given).
Result<nlohmann::json> images_with_package(Db& db, const std::string& name,
                                           const std::optional<std::string>& version);
// The `limit` largest images (compressed size), largest first.
Result<nlohmann::json> largest_images(Db& db, int limit);
// Images with a shell, and images with run-time lint errors (PL1xx at severity error).
Result<nlohmann::json> images_with_shells(Db& db);
Result<nlohmann::json> images_with_runtime_errors(Db& db);
// Manifests that failed for good, with their last error.
Result<nlohmann::json> failed_images(Db& db);
// Per repository: references, distinct images, sizes, packages, shells, errors.
Result<nlohmann::json> repository_summary(Db& db);
std::string render_summary(const nlohmann::json& summary);

}  // namespace pith::fleet
