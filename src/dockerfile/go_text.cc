// Go's UTF-8, space and quoting rules (see go_text.h).
#include "dockerfile/go_text.h"

#include <cstdio>

namespace pith::dockerfile {

Rune decode_rune(std::string_view s, size_t pos) {
  auto byte_at = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char b0 = byte_at(pos);
  if (b0 < 0x80) return {b0, 1};
  size_t left = s.size() - pos;
  auto cont = [&](size_t i) { return i < left && (byte_at(pos + i) & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF && cont(1)) {
    return {static_cast<char32_t>(((b0 & 0x1F) << 6) | (byte_at(pos + 1) & 0x3F)), 2};
  }
  if (b0 >= 0xE0 && b0 <= 0xEF && cont(1) && cont(2)) {
    char32_t r = ((b0 & 0x0F) << 12) | ((byte_at(pos + 1) & 0x3F) << 6) | (byte_at(pos + 2) & 0x3F);
    // Overlong encodings and UTF-16 surrogates are invalid in Go.
    if (r >= 0x800 && (r < 0xD800 || r > 0xDFFF)) return {r, 3};
    return {k_rune_error, 1};
  }
  if (b0 >= 0xF0 && b0 <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    char32_t r = ((b0 & 0x07) << 18) | ((byte_at(pos + 1) & 0x3F) << 12) |
                 ((byte_at(pos + 2) & 0x3F) << 6) | (byte_at(pos + 3) & 0x3F);
    if (r >= 0x10000 && r <= 0x10FFFF) return {r, 4};
  }
  return {k_rune_error, 1};
}

void append_rune(std::string& out, char32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = k_rune_error;
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

bool is_go_space(char32_t r) {
  switch (r) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

bool is_go_letter(char32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
  if (r < 0x100)
    return r == 0xAA || r == 0xB5 || r == 0xBA || (r >= 0xC0 && r != 0xD7 && r != 0xF7);
  if (is_go_space(r)) return false;
  // General punctuation, symbols, CJK punctuation, private use, specials: not letters.
  if (r >= 0x2000 && r <= 0x2BFF) return false;
  if (r >= 0x3000 && r <= 0x303F) return false;
  if (r >= 0xE000 && r <= 0xF8FF) return false;
  if (r >= 0xFE00 && r <= 0xFE0F) return false;
  if (r >= 0xFFF0) return r >= 0x10000 && !(r >= 0x1F000 && r <= 0x1FFFF);
  return true;
}

bool is_go_digit(char32_t r) {
  return r >= '0' && r <= '9';
}

std::string_view trim_left_go_space(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    Rune r = decode_rune(s, pos);
    if (!is_go_space(r.value)) break;
    pos += r.width;
  }
  return s.substr(pos);
}

std::string_view trim_go_space(std::string_view s) {
  s = trim_left_go_space(s);
  // Walk forward, remembering where the last non-space rune ended: UTF-8 cannot be decoded
  // backwards safely when it is invalid.
  size_t end = 0;
  for (size_t pos = 0; pos < s.size();) {
    Rune r = decode_rune(s, pos);
    pos += r.width;
    if (!is_go_space(r.value)) end = pos;
  }
  return s.substr(0, end);
}

namespace {

bool is_go_print(char32_t r) {
  if (r < 0x20 || r == 0x7F) return false;
  if (r < 0x7F) return true;
  if (r < 0xA1 || r == 0xAD) return false;
  if (r >= 0x2000 && r <= 0x200F) return false;
  if (r >= 0x2028 && r <= 0x202F) return false;
  if (r >= 0x205F && r <= 0x206F) return false;
  if (r == 0x1680 || r == 0x180E || r == 0x3000 || r == 0xFEFF) return false;
  if (r >= 0xD800 && r <= 0xF8FF) return false;
  if (r >= 0xFFF9 && r <= 0xFFFB) return false;
  if (r == 0xFFFE || r == 0xFFFF) return false;
  if (r >= 0xE0000) return false;
  return true;
}

void append_hex(std::string& out, const char* prefix, unsigned long v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*lx", digits, v);
  out += prefix;
  out += buf;
}

}  // namespace

std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (size_t pos = 0; pos < s.size();) {
    Rune r = decode_rune(s, pos);
    if (r.width == 1 && r.value == k_rune_error) {
      append_hex(out, "\\x", static_cast<unsigned char>(s[pos]), 2);
      pos += 1;
      continue;
    }
    pos += r.width;
    char32_t c = r.value;
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (is_go_print(c)) {
      append_rune(out, c);
    } else {
      switch (c) {
        case '\a':
          out += "\\a";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\v':
          out += "\\v";
          break;
        default:
          if (c < ' ' || c == 0x7F) {
            append_hex(out, "\\x", c, 2);
          } else if (c < 0x10000) {
            append_hex(out, "\\u", c, 4);
          } else {
            append_hex(out, "\\U", c, 8);
          }
      }
    }
  }
  out += '"';
  return out;
}

}  // namespace pith::dockerfile
