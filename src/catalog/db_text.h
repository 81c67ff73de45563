// Small helpers the text-format OS package databases (dpkg, apk) share: line splitting, number
// parsing and a capped warning list. Internal to the catalog folder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/package.h"

namespace pith::catalog::db_text {

// Splits the next line off `rest` ("\n" or "\r\n" ends it; a missing final newline is fine).
// Returns false when `rest` is exhausted.
bool next_line(std::string_view& rest, std::string_view& line);

// Strips spaces and tabs at both ends.
std::string_view trim(std::string_view s);

// A plain decimal number ("0".."18446744073709551615"); nullopt on anything else or overflow.
std::optional<uint64_t> parse_u64(std::string_view s);

// At most this many bytes of hostile input are quoted in a warning.
inline constexpr size_t k_max_quote = 60;
// `s` shortened for a message, with non-printable bytes as '?'.
std::string quote(std::string_view s);

// Collects the warnings of one input file into an optional caller list. A hostile file could
// hold millions of bad records, so at most k_max_warnings are kept, plus one summary line.
class Warnings {
 public:
  static constexpr size_t k_max_warnings = 100;

  Warnings(std::vector<Warning>* out, std::string_view location)
      : m_out(out), m_location(location) {}
  void add(std::string message);
  // Appends the summary of the warnings that were dropped; call once at the end.
  void finish();
  size_t count() const { return m_count; }

 private:
  std::vector<Warning>* m_out;
  std::string m_location;
  size_t m_count = 0;
};

}  // namespace pith::catalog::db_text
