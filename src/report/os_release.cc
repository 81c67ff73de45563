// os-release parsing: shell-like quoting is undone for "..." and '...' values.
#include "report/os_release.h"

#include <string>

#include "util/lines.h"

namespace pith::report {

namespace {

std::string unquote(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
    std::string out;
    for (size_t i = 1; i + 1 < v.size(); ++i) {
      if (v[i] == '\\' && v.front() == '"' && i + 2 < v.size()) ++i;
      out += v[i];
    }
    return out;
  }
  return std::string(v);
}

}  // namespace

OsInfo parse_os_release(std::string_view text) {
  OsInfo info;
  for (std::string_view line : split_lines(text)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || line.starts_with('#')) continue;
    std::string_view key = line.substr(0, eq);
    std::string value = unquote(line.substr(eq + 1));
    if (key == "ID") info.id = value;
    if (key == "VERSION_ID") info.version_id = value;
    if (key == "PRETTY_NAME") info.pretty_name = value;
  }
  return info;
}

}  // namespace pith::report
