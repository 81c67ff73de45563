// Debian control-file stanzas (deb822), the syntax of dpkg's status database: "Name: value"
// fields, continuation lines starting with a space or tab, stanzas separated by blank lines.
// Values are views into the input, so a huge field costs no copy.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pith::catalog::control {

struct Field {
  std::string_view name;
  // The text after "Name:" through the end of the last continuation line, as in the input
  // (inner lines still end in "\n" or "\r\n"); leading blanks of the first line removed.
  std::string_view value;
};

struct Stanza {
  size_t line = 0;  // 1-based line where the stanza starts, for messages
  std::vector<Field> fields;
  // Non-empty when the stanza is malformed (a line that is no field, a duplicate field, a NUL
  // byte); the caller skips it and reports this.
  std::string problem;

  // The value of the field named `name` (deb822 names are case-insensitive), trimmed of
  // surrounding blanks and line ends; nullopt when absent.
  std::optional<std::string_view> get(std::string_view name) const;
  // The value as Field::value holds it, for multi-line fields such as Conffiles.
  std::optional<std::string_view> raw(std::string_view name) const;
};

// Splits `bytes` into stanzas. Never fails: malformed stanzas carry their problem. Tolerates
// CRLF, a missing final newline, several blank lines in a row and "#" comment lines.
std::vector<Stanza> split_stanzas(std::string_view bytes);

}  // namespace pith::catalog::control
