// The attack-surface rules (PL2xx) and the hygiene rules (PL3xx), from inspect's measurement
// of the same pass and the files lint kept.
#pragma once

#include <vector>

#include "lint/image.h"
#include "lint/rules.h"
#include "report/model.h"

namespace pith::lint {

std::vector<Finding> check_surface(const report::InspectReport& report, const ImageView& image);
std::vector<Finding> check_hygiene(const report::InspectReport& report, const ImageView& image);

// Whether an ENV entry ("NAME=VALUE") looks like a secret: a name that says so (PASSWORD,
// SECRET, TOKEN, API_KEY, ...) with a value that is not a reference to one (a path, a URL
// without credentials, a *_FILE / *_PATH name) and not a placeholder.
bool looks_like_secret(std::string_view env_entry);

// Wasted bytes above this are reported (PL301), as above 10% of the content.
inline constexpr uint64_t k_wasted_bytes_reported = 10 << 20;

}  // namespace pith::lint
