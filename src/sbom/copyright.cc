// DEP-5 License: fields, read line by line (no paragraph model needed for names alone).
#include "sbom/copyright.h"
#include "util/ascii.h"

#include <algorithm>

namespace pith::sbom {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool iequals_prefix(std::string_view line, std::string_view field) {
  if (line.size() <= field.size() || line[field.size()] != ':') return false;
  for (size_t i = 0; i < field.size(); ++i) {
    char c = line[i];
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    if (c != field[i]) return false;
  }
  return true;
}

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u != 0x7f;
  });
}

}  // namespace

std::vector<std::string> parse_debian_copyright(std::string_view bytes) {
  std::vector<std::string> out;
  if (bytes.size() > k_max_copyright_bytes) return out;
  bool first_field = true;
  while (!bytes.empty()) {
    size_t end = bytes.find('\n');
    std::string_view line = bytes.substr(0, end);
    bytes = end == std::string_view::npos ? std::string_view{} : bytes.substr(end + 1);
    if (trim(line).empty() || line.front() == ' ' || line.front() == '\t' || line.front() == '#')
      continue;
    if (first_field) {
      if (!iequals_prefix(line, "format") && !iequals_prefix(line, "format-specification"))
        return out;
      first_field = false;
      continue;
    }
    if (!iequals_prefix(line, "license")) continue;
    std::string_view name = trim(line.substr(8));
    if (name.empty() || name.size() > k_max_license_name || !printable(name)) continue;
    // Short names are case-insensitive in copyright-format 1.0 ("BSD-3-clause", "BSD-3-Clause").
    if (std::any_of(out.begin(), out.end(),
                    [&](const std::string& n) { return ascii_iequals(n, name); }))
      continue;
    out.emplace_back(name);
    if (out.size() == k_max_copyright_licenses) break;
  }
  return out;
}

}  // namespace pith::sbom
