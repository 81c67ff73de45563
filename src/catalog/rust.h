// Rust binaries built with cargo-auditable: the dependency list it embeds in the ELF section
// .dep-v0 (zlib-compressed JSON), as cargo packages.
#pragma once

#include <string_view>

#include "catalog/lang_common.h"
#include "util/result.h"

namespace pith::catalog {

// Packages of an ELF with a .dep-v0 section. Errors: not ELF, no such section, corrupt zlib
// data or JSON, more than 8 MiB of JSON (cargo-auditable's own limit).
Result<Findings> parse_rust_binary(std::string_view bytes, std::string_view location);

// The decompressed JSON: {"packages": [{"name", "version", "source", "kind", ...}]}. Packages of
// kind "build" (build-time only dependencies) are left out; an entry without name or version is
// a Warning.
Result<Findings> parse_cargo_auditable_json(std::string_view json, std::string_view location);

// Whether a file may be such a binary: ELF magic.
bool looks_like_rust_binary(std::string_view path, std::string_view first_bytes);

}  // namespace pith::catalog
