// Canonical JSON: keys sorted, no insignificant whitespace, UTF-8. What pith writes is always
// in this form, so equal documents have equal digests.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace pith::oci {

std::string canonical_json(const nlohmann::json& j);

}  // namespace pith::oci
