// The text formats inside Java archives: JAR manifests, .properties files and the
// "<artifact>-<version>.jar" file name convention.
#include <cstdint>

#include "catalog/java.h"

namespace pith::catalog {
namespace {

// Splits on \r\n, \n or \r, as both formats allow all three.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    out.push_back(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) out.push_back(text.substr(start));
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// Resolves the backslash escapes of a .properties key or value.
std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    char e = s[++i];
    if (e == 'u' && i + 4 < s.size()) {
      uint32_t cp = 0;
      bool ok = true;
      for (size_t k = 1; k <= 4 && ok; ++k) {
        int v = hex_value(s[i + k]);
        ok = v >= 0;
        cp = cp * 16 + static_cast<uint32_t>(ok ? v : 0);
      }
      if (ok) {
        append_utf8(out, cp);
        i += 4;
        continue;
      }
    }
    out += e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 'f' ? '\f' : e;
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> parse_java_manifest(std::string_view text) {
  std::map<std::string, std::string> out;
  std::string* last = nullptr;
  for (std::string_view line : lines_of(text)) {
    if (line.empty()) break;  // the main section ends at the first blank line
    if (line[0] == ' ') {     // continuation of the previous value (72-byte line wrapping)
      if (last) *last += line.substr(1);
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      last = nullptr;
      continue;
    }
    std::string& value = out[ascii_lower(trim_space(line.substr(0, colon)))];
    value = std::string(line.substr(colon + 1));
    if (value.starts_with(' ')) value.erase(0, 1);
    last = &value;
  }
  for (auto& [k, v] : out) v = std::string(trim_space(v));
  return out;
}

std::map<std::string, std::string> parse_java_properties(std::string_view text) {
  std::map<std::string, std::string> out;
  std::string logical;
  auto flush = [&] {
    std::string_view l = trim_space(logical);
    if (l.empty() || l[0] == '#' || l[0] == '!') return;
    // The key ends at the first unescaped '=', ':' or whitespace.
    size_t end = 0;
    while (end < l.size() && l[end] != '=' && l[end] != ':' && l[end] != ' ' && l[end] != '\t')
      end += l[end] == '\\' ? 2 : 1;
    end = std::min(end, l.size());
    std::string_view rest = trim_space(l.substr(end));
    if (!rest.empty() && (rest[0] == '=' || rest[0] == ':')) rest = trim_space(rest.substr(1));
    out[unescape(l.substr(0, end))] = unescape(rest);
  };
  for (std::string_view line : lines_of(text)) {
    std::string_view t = trim_space(line);
    if (logical.empty() && (t.starts_with('#') || t.starts_with('!'))) continue;
    // An odd number of trailing backslashes continues the line.
    size_t slashes = 0;
    while (slashes < t.size() && t[t.size() - 1 - slashes] == '\\') ++slashes;
    if (slashes % 2 == 1) {
      logical += t.substr(0, t.size() - 1);
      continue;
    }
    logical += t;
    flush();
    logical.clear();
  }
  flush();
  return out;
}

std::pair<std::string, std::string> java_name_version_from_filename(std::string_view file_name) {
  std::string_view stem = file_name.substr(0, file_name.rfind('.'));
  // The version starts after the first '-' that is followed by a digit.
  for (size_t i = 0; i + 1 < stem.size(); ++i) {
    if (stem[i] == '-' && stem[i + 1] >= '0' && stem[i + 1] <= '9' && i > 0)
      return {std::string(stem.substr(0, i)), std::string(stem.substr(i + 1))};
  }
  return {std::string(stem), {}};
}

}  // namespace pith::catalog
