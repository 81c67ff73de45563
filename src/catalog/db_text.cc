// Line splitting, numbers, purls and capped warnings for the text package databases.
#include "catalog/db_text.h"

namespace pith::catalog::db_text {

bool next_line(std::string_view& rest, std::string_view& line) {
  if (rest.empty()) return false;
  size_t nl = rest.find('\n');
  if (nl == std::string_view::npos) {
    line = rest;
    rest = {};
  } else {
    line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<uint64_t> parse_u64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    if (__builtin_mul_overflow(v, uint64_t{10}, &v)) return std::nullopt;
    if (__builtin_add_overflow(v, static_cast<uint64_t>(c - '0'), &v)) return std::nullopt;
  }
  return v;
}

std::string quote(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < k_max_quote; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (s.size() > k_max_quote) out += "...";
  return "'" + out + "'";
}

std::string purl_escape(std::string_view s) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 0xf];
    }
  }
  return out;
}

std::string os_package_purl(std::string_view type, std::string_view default_namespace,
                            std::string_view name, std::string_view version, std::string_view arch,
                            const OsContext& os) {
  std::string purl = "pkg:";
  purl += type;
  purl += '/';
  purl += purl_escape(os.id.empty() ? default_namespace : std::string_view(os.id));
  purl += '/';
  purl += purl_escape(name);
  if (!version.empty()) purl += "@" + purl_escape(version);
  char sep = '?';
  if (!arch.empty()) {
    purl += sep;
    purl += "arch=" + purl_escape(arch);
    sep = '&';
  }
  if (!os.id.empty() && !os.version_id.empty()) {
    purl += sep;
    purl += "distro=" + purl_escape(os.id + "-" + os.version_id);
  }
  return purl;
}

void Warnings::add(std::string message) {
  ++m_count;
  if (m_out && m_count <= k_max_warnings) m_out->push_back({m_location, std::move(message)});
}

void Warnings::finish() {
  if (m_out && m_count > k_max_warnings) {
    m_out->push_back(
        {m_location, std::to_string(m_count - k_max_warnings) + " further problems not listed"});
  }
}

}  // namespace pith::catalog::db_text
