// ASCII case folding, for names the formats define as case-insensitive ASCII (HTTP header and
// auth scheme names, Dockerfile instructions and stage names, shell names).
#pragma once

#include <string>
#include <string_view>

namespace pith {

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace pith
