// Line splitting, numbers and capped warnings for the text package databases.
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
