// Node.js packages installed in node_modules: each package's own package.json, as npm packages.
#pragma once

#include <string>
#include <string_view>

#include "catalog/lang_common.h"
#include "util/result.h"

namespace pith::catalog {

// One package from node_modules/<name>/package.json or node_modules/@scope/<name>/package.json.
// Any other package.json (a project root, a "type": "module" marker under dist/) yields no
// package and no error, like syft, which does not report the private root of a project.
// License: "license" as a string or {"type"}, else the legacy "licenses" list joined by " OR ".
// Errors: not JSON, not an object, no name or version.
Result<Findings> parse_npm_package_json(std::string_view bytes, std::string_view location);

// Whether `path` is the package.json of an installed package (the rule above).
bool looks_like_npm_package_json(std::string_view path, std::string_view first_bytes);

// "pkg:npm/%40scope/name@version" or "pkg:npm/name@version".
std::string npm_purl(std::string_view name, std::string_view version);

}  // namespace pith::catalog
