// Python distributions installed by pip or distro packages: the core metadata file of each
// (*.dist-info/METADATA, *.egg-info/PKG-INFO, or an *.egg-info file), as pypi packages.
#pragma once

#include <string>
#include <string_view>

#include "catalog/lang_common.h"
#include "util/result.h"

namespace pith::catalog {

// One package from a core metadata file (RFC 822 headers; the body is ignored). License is
// License-Expression, else a one-line License other than "UNKNOWN", else the last part of each
// "License :: ..." classifier, joined by ", ". Errors: no Name or no Version header.
Result<Findings> parse_python_metadata(std::string_view bytes, std::string_view location);

// Whether `path` is a core metadata file of an installed distribution (content not needed).
bool looks_like_python_metadata(std::string_view path, std::string_view first_bytes);

// The purl name: lowercased, '_' replaced by '-' (purl-spec's pypi rule).
std::string pypi_purl_name(std::string_view name);

}  // namespace pith::catalog
