// The two writers behind render(): one document each, from the same SbomInput.
#pragma once

#include <string>

#include "sbom/sbom.h"

namespace pith::sbom {

inline constexpr const char* k_tool_name = "pith";
inline constexpr const char* k_tool_version = "0.1.0";

std::string render_spdx(const SbomInput& in);
std::string render_cyclonedx(const SbomInput& in);

// Each package's element id, unique in the document and the same for the same image:
// "<type>-<name>-<12 hex of sha256(purl, location, name, version)>".
std::vector<std::string> package_keys(const report::InspectReport& r);

}  // namespace pith::sbom
