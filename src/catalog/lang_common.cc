// Helpers shared by the language catalogers.
#include "catalog/lang_common.h"

namespace pith::catalog {

std::string purl_encode(std::string_view component) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(component.size());
  for (char ch : component) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

std::string make_purl(std::string_view type, std::string_view namespace_path, std::string_view name,
                      std::string_view version) {
  std::string out = "pkg:";
  out += type;
  out += '/';
  while (!namespace_path.empty()) {
    size_t slash = namespace_path.find('/');
    std::string_view segment = namespace_path.substr(0, slash);
    // Empty segments ("a//b") carry nothing and would make the purl ambiguous.
    if (!segment.empty()) out += purl_encode(segment) + '/';
    if (slash == std::string_view::npos) break;
    namespace_path.remove_prefix(slash + 1);
  }
  out += purl_encode(name);
  if (!version.empty()) out += '@' + purl_encode(version);
  return out;
}

std::string_view trim_space(std::string_view s) {
  constexpr std::string_view k_space = " \t\r\n\f\v";
  size_t b = s.find_first_not_of(k_space);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(k_space);
  return s.substr(b, e - b + 1);
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool ends_with_icase(std::string_view s, std::string_view suffix) {
  if (suffix.size() > s.size()) return false;
  return ascii_lower(s.substr(s.size() - suffix.size())) == ascii_lower(suffix);
}

std::string_view base_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace pith::catalog
