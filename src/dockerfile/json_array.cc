// A JSON validator and string decoder with Go's encoding/json rules (see json_array.h). It is
// iterative, with an explicit stack, so deep nesting costs memory, not the call stack.
#include "dockerfile/json_array.h"

#include <optional>

#include "dockerfile/go_text.h"
#include "dockerfile/limits.h"

namespace pith::dockerfile {

namespace {

class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : m_s(s) {}

  void skip_ws() {
    while (m_pos < m_s.size() &&
           (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' || m_s[m_pos] == '\n' || m_s[m_pos] == '\r')) {
      ++m_pos;
    }
  }
  bool at_end() const { return m_pos >= m_s.size(); }
  char peek() const { return m_pos < m_s.size() ? m_s[m_pos] : '\0'; }
  void next() { ++m_pos; }

  // A string at the cursor ('"'), decoded; nullopt if malformed.
  std::optional<std::string> string() {
    if (peek() != '"') return std::nullopt;
    ++m_pos;
    std::string out;
    while (m_pos < m_s.size()) {
      unsigned char c = static_cast<unsigned char>(m_s[m_pos]);
      if (c == '"') {
        ++m_pos;
        return out;
      }
      if (c < 0x20) return std::nullopt;
      if (c == '\\') {
        if (++m_pos >= m_s.size()) return std::nullopt;
        char e = m_s[m_pos++];
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e;
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            auto u = hex4();
            if (!u) return std::nullopt;
            char32_t r = *u;
            if (r >= 0xD800 && r <= 0xDFFF) {
              // A surrogate pair when a low surrogate follows; anything else is U+FFFD (Go).
              char32_t decoded = k_rune_error;
              if (r < 0xDC00 && m_pos + 1 < m_s.size() && m_s[m_pos] == '\\' &&
                  m_s[m_pos + 1] == 'u') {
                size_t save = m_pos;
                m_pos += 2;
                auto low = hex4();
                if (low && *low >= 0xDC00 && *low <= 0xDFFF) {
                  decoded = 0x10000 + ((r - 0xD800) << 10) + (*low - 0xDC00);
                } else {
                  m_pos = save;
                }
              }
              r = decoded;
            }
            append_rune(out, r);
            break;
          }
          default:
            return std::nullopt;
        }
        continue;
      }
      Rune r = decode_rune(m_s, m_pos);
      if (r.width == 1 && r.value == k_rune_error) {
        append_rune(out, k_rune_error);
      } else {
        out.append(m_s.substr(m_pos, r.width));
      }
      m_pos += r.width;
    }
    return std::nullopt;
  }

  // true, false, null or a number at the cursor.
  bool scalar() {
    for (std::string_view lit : {"true", "false", "null"}) {
      if (m_s.substr(m_pos, lit.size()) == lit) {
        m_pos += lit.size();
        return true;
      }
    }
    return number();
  }

 private:
  std::optional<char32_t> hex4() {
    if (m_pos + 4 > m_s.size()) return std::nullopt;
    char32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = m_s[m_pos + i];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return std::nullopt;
      v = v * 16 + static_cast<char32_t>(d);
    }
    m_pos += 4;
    return v;
  }

  bool digits() {
    size_t start = m_pos;
    while (m_pos < m_s.size() && m_s[m_pos] >= '0' && m_s[m_pos] <= '9') ++m_pos;
    return m_pos > start;
  }

  bool number() {
    if (peek() == '-') ++m_pos;
    if (peek() == '0') {
      ++m_pos;
    } else if (peek() >= '1' && peek() <= '9') {
      digits();
    } else {
      return false;
    }
    if (peek() == '.') {
      ++m_pos;
      if (!digits()) return false;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++m_pos;
      if (peek() == '+' || peek() == '-') ++m_pos;
      if (!digits()) return false;
    }
    return true;
  }

  std::string_view m_s;
  size_t m_pos = 0;
};

}  // namespace

JsonArray parse_json_array(std::string_view text) {
  JsonArray not_json;
  if (text.empty() || text[0] != '[') return not_json;
  JsonReader in(text);
  std::vector<char> stack;  // the open containers: '[' or '{'
  std::vector<std::string> items;
  bool only_strings = true;
  bool expect_value = true;

  // A value just ended at nesting `depth` (containers still open around it).
  auto value_done = [&](size_t depth, std::optional<std::string> str) {
    if (depth == 1) {
      if (str) {
        items.push_back(std::move(*str));
      } else {
        only_strings = false;
      }
    }
    expect_value = false;
  };
  // An object member's key and colon, after '{' or ','.
  auto member_key = [&]() {
    in.skip_ws();
    if (!in.string()) return false;
    in.skip_ws();
    if (in.peek() != ':') return false;
    in.next();
    return true;
  };

  for (;;) {
    in.skip_ws();
    if (expect_value) {
      char c = in.peek();
      if (c == '[' || c == '{') {
        if (stack.size() + 1 > static_cast<size_t>(k_max_json_depth)) return not_json;
        stack.push_back(c);
        in.next();
        in.skip_ws();
        if (in.peek() == (c == '[' ? ']' : '}')) {
          in.next();
          stack.pop_back();
          value_done(stack.size(), std::nullopt);
        } else if (c == '{' && !member_key()) {
          return not_json;
        }
        continue;
      }
      if (c == '"') {
        auto s = in.string();
        if (!s) return not_json;
        value_done(stack.size(), std::move(s));
        continue;
      }
      if (!in.scalar()) return not_json;
      value_done(stack.size(), std::nullopt);
      continue;
    }
    if (stack.empty()) break;
    char c = in.peek();
    if (c == ',') {
      in.next();
      if (stack.back() == '{' && !member_key()) return not_json;
      expect_value = true;
    } else if (c == (stack.back() == '[' ? ']' : '}')) {
      in.next();
      stack.pop_back();
      value_done(stack.size(), std::nullopt);
    } else {
      return not_json;
    }
  }
  // The top-level array closed; only white space may follow.
  if (!in.at_end()) return not_json;
  JsonArray out;
  out.kind = only_strings ? JsonArrayKind::strings : JsonArrayKind::not_strings;
  if (only_strings) out.items = std::move(items);
  return out;
}

}  // namespace pith::dockerfile
