// Name lists out of dependency fields; bounded by the field itself (no growth beyond it).
#include "catalog/relations.h"

#include "catalog/db_text.h"

namespace pith::catalog {
namespace {

// Splits `s` at `sep`, trimmed, empty parts dropped.
std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    size_t end = s.find(sep);
    std::string_view part = db_text::trim(s.substr(0, end));
    if (!part.empty()) out.push_back(part);
    if (end == std::string_view::npos) break;
    s.remove_prefix(end + 1);
  }
  return out;
}

// "libc6 (>= 2.34)" or "python3:any" or "foo [amd64]" → "libc6", "python3", "foo".
std::string dpkg_name(std::string_view alternative) {
  return std::string(alternative.substr(0, alternative.find_first_of(" \t\n(:[<")));
}

// "pkg>=1.2", "so:libz.so.1=1.3" → "pkg", "so:libz.so.1".
std::string apk_name(std::string_view token) {
  return std::string(token.substr(0, token.find_first_of("<>=~")));
}

}  // namespace

std::vector<std::vector<std::string>> parse_dpkg_depends(std::string_view field) {
  std::vector<std::vector<std::string>> out;
  for (std::string_view clause : split(field, ',')) {
    std::vector<std::string> names;
    for (std::string_view alternative : split(clause, '|'))
      if (std::string name = dpkg_name(alternative); !name.empty()) names.push_back(name);
    if (!names.empty()) out.push_back(std::move(names));
  }
  return out;
}

std::vector<std::string> parse_dpkg_provides(std::string_view field) {
  std::vector<std::string> out;
  for (std::string_view part : split(field, ','))
    if (std::string name = dpkg_name(part); !name.empty()) out.push_back(name);
  return out;
}

std::vector<std::vector<std::string>> parse_apk_depends(std::string_view field) {
  std::vector<std::vector<std::string>> out;
  for (std::string_view token : split(field, ' ')) {
    if (token.starts_with('!')) continue;
    if (std::string name = apk_name(token); !name.empty()) out.push_back({name});
  }
  return out;
}

std::vector<std::string> parse_apk_provides(std::string_view field) {
  std::vector<std::string> out;
  for (std::string_view token : split(field, ' '))
    if (std::string name = apk_name(token); !name.empty()) out.push_back(name);
  return out;
}

}  // namespace pith::catalog
