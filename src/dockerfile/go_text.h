// Go's text rules that BuildKit's behaviour depends on, so pith reads a Dockerfile the way
// BuildKit does: UTF-8 decoding (an invalid byte is U+FFFD of width 1), unicode.IsSpace,
// strings.TrimSpace, and strconv.Quote (the format of BuildKit's parser dumps).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pith::dockerfile {

inline constexpr char32_t k_rune_error = 0xFFFD;

struct Rune {
  char32_t value;
  size_t width;  // bytes it took; 1 for an invalid byte (value k_rune_error)
};

// The rune at s[pos] (pos < s.size()), as Go's utf8.DecodeRuneInString.
Rune decode_rune(std::string_view s, size_t pos);
// Appends r as UTF-8 (invalid code points as U+FFFD, as Go's WriteRune).
void append_rune(std::string& out, char32_t r);

// unicode.IsSpace.
bool is_go_space(char32_t r);
// unicode.IsLetter and unicode.IsDigit: exact for ASCII and Latin-1; above that, letters are
// approximated as every rune that is not a space, punctuation block or symbol block (pith
// carries no Unicode tables) and digits as ASCII only. Only `$name` scanning depends on them.
bool is_go_letter(char32_t r);
bool is_go_digit(char32_t r);

// strings.TrimSpace and strings.TrimLeftFunc(s, unicode.IsSpace).
std::string_view trim_go_space(std::string_view s);
std::string_view trim_left_go_space(std::string_view s);

// strconv.Quote: double-quoted, Go escapes. Printability above Latin-1 is approximated (the
// format-control and private-use blocks are escaped, the rest printed).
std::string go_quote(std::string_view s);

}  // namespace pith::dockerfile
