// Shared by the language catalogers: what one file yields, purl encoding, small text helpers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/package.h"

namespace pith::catalog {

// What one file contributes to a scan. An Error from a parser means the file as a whole was
// unusable; a Warning means a part of it (one nested jar, one malformed record) was skipped.
struct Findings {
  std::vector<Package> packages;
  std::vector<Warning> warnings;
};

// Percent-encodes everything but the RFC 3986 unreserved characters, as purl-spec asks of
// each namespace segment, the name and the version ('+' in Go versions becomes %2B).
std::string purl_encode(std::string_view component);

// "pkg:<type>/<namespace>/<name>@<version>"; namespace segments are split on '/' and each is
// encoded; an empty namespace or version is left out.
std::string make_purl(std::string_view type, std::string_view namespace_path, std::string_view name,
                      std::string_view version);

std::string_view trim_space(std::string_view s);
std::string ascii_lower(std::string_view s);
bool ends_with_icase(std::string_view s, std::string_view suffix);
// The last path component ("a/b/c.jar" -> "c.jar").
std::string_view base_name(std::string_view path);

// True when [offset, offset + length) lies inside a buffer of `size` bytes, without overflow.
inline bool in_bounds(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

}  // namespace pith::catalog
