// Licences of Debian's machine-readable copyright files (/usr/share/doc/PKG/copyright in
// copyright-format 1.0, "DEP-5"): the first line of each License: field. Untrusted input:
// bounded by k_max_copyright_bytes (larger files are not read) and k_max_copyright_licenses.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pith::sbom {

inline constexpr size_t k_max_copyright_bytes = 1 << 20;
inline constexpr size_t k_max_copyright_licenses = 64;
inline constexpr size_t k_max_license_name = 256;

// The licence names (e.g. "GPL-2+", "BSD-3-clause or Artistic"), unique (ignoring case, as
// the format's short names do), in order of first appearance. Empty when the file is not
// machine-readable: its first field must be Format: (or the draft's Format-Specification:). Fields
// are matched case-insensitively at a line's start; continuation lines (starting with a blank) are
// the licence text, not names.
std::vector<std::string> parse_debian_copyright(std::string_view bytes);

}  // namespace pith::sbom
