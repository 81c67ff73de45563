// Shell patterns of ${V#p} ${V%p} ${V/p/r}, matched as Go's regexp matches BuildKit's
// translation of them (see shell_pattern.h).
#include "dockerfile/shell_pattern.h"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <vector>

#include "dockerfile/go_text.h"
#include "dockerfile/limits.h"

namespace pith::dockerfile {

namespace {

struct Token {
  enum Kind { literal, any, star } kind;
  char32_t rune = 0;
};

std::vector<char32_t> runes_of(std::string_view s, std::vector<size_t>* offsets = nullptr) {
  std::vector<char32_t> out;
  for (size_t pos = 0; pos < s.size();) {
    Rune r = decode_rune(s, pos);
    if (offsets) offsets->push_back(pos);
    out.push_back(r.value);
    pos += r.width;
  }
  if (offsets) offsets->push_back(s.size());
  return out;
}

std::string encode(const std::vector<char32_t>& runes) {
  std::string out;
  for (char32_t r : runes) append_rune(out, r);
  return out;
}

// convertShellPatternToRegex: `\}` and `\/` stand for the character (the backslash only
// protected it from ${}'s own parsing); `\*` `\?` `\\` are literal; any other escape is an
// error, as the regular expression would be.
Result<std::vector<Token>> compile(const std::vector<char32_t>& p) {
  std::vector<Token> out;
  for (size_t i = 0; i < p.size(); ++i) {
    char32_t c = p[i];
    if (c == '*') {
      out.push_back({Token::star});
    } else if (c == '?') {
      out.push_back({Token::any});
    } else if (c == '\\') {
      if (i + 1 < p.size() && (p[i + 1] == '}' || p[i + 1] == '/')) continue;
      if (i + 1 >= p.size()) return Error{"invalid escape '\\'"};
      char32_t e = p[++i];
      if (e != '*' && e != '?' && e != '\\') {
        std::string text = "invalid escape '\\";
        append_rune(text, e);
        return Error{text + "'"};
      }
      out.push_back({Token::literal, e});
    } else {
      out.push_back({Token::literal, c});
    }
  }
  return out;
}

// can[pi][si]: the tokens from pi on match some run of the value starting at si. Filled
// backwards, so every entry is computed once from entries already known.
class Matcher {
 public:
  Matcher(std::vector<Token> tokens, const std::vector<char32_t>& value, bool greedy)
      : m_t(std::move(tokens)), m_v(value), m_greedy(greedy) {}

  Result<void> build() {
    size_t m = m_t.size(), n = m_v.size();
    if ((m + 1) > k_max_pattern_steps / (n + 1)) {
      return Error{"pattern and value too long to match"};
    }
    m_w = n + 1;
    m_can.assign((m + 1) * m_w, 0);
    for (size_t si = 0; si <= n; ++si) at(m, si) = 1;
    for (size_t pi = m; pi-- > 0;) {
      for (size_t si = n + 1; si-- > 0;) {
        const Token& t = m_t[pi];
        bool ok = false;
        bool step = si < n && m_v[si] != '\n';  // Go's `.` never matches a newline
        if (t.kind == Token::literal) {
          ok = si < n && m_v[si] == t.rune && at(pi + 1, si + 1);
        } else if (t.kind == Token::any) {
          ok = step && at(pi + 1, si + 1);
        } else {
          ok = at(pi + 1, si) || (step && at(pi, si + 1));
        }
        at(pi, si) = ok;
      }
    }
    return {};
  }

  bool matches_at(size_t si) const { return m_can[si] != 0; }

  // The end of the match starting at si that Go's leftmost-first search picks: each star
  // takes the longest (greedy) or shortest (lazy) run after which the rest still matches.
  size_t end_of(size_t si) const {
    for (size_t pi = 0; pi < m_t.size(); ++pi) {
      if (m_t[pi].kind != Token::star) {
        ++si;
        continue;
      }
      size_t limit = si;
      while (limit < m_v.size() && m_v[limit] != '\n') ++limit;
      size_t pick = si;
      if (m_greedy) {
        for (size_t k = limit + 1; k-- > si;) {
          if (at(pi + 1, k)) {
            pick = k;
            break;
          }
        }
      } else {
        for (size_t k = si; k <= limit; ++k) {
          if (at(pi + 1, k)) {
            pick = k;
            break;
          }
        }
      }
      si = pick;
    }
    return si;
  }

 private:
  unsigned char& at(size_t pi, size_t si) { return m_can[pi * m_w + si]; }
  unsigned char at(size_t pi, size_t si) const { return m_can[pi * m_w + si]; }

  std::vector<Token> m_t;
  const std::vector<char32_t>& m_v;
  bool m_greedy;
  size_t m_w = 0;
  std::vector<unsigned char> m_can;
};

Result<std::string> invalid(std::string_view pattern, const Error& e) {
  return Error{"invalid pattern (" + std::string(pattern) + ") in substitution: " + e.message};
}

// reversePattern: reverses the runes but keeps each `\x` escape in front of its character.
std::vector<char32_t> reverse_pattern(const std::vector<char32_t>& p) {
  std::vector<char32_t> out(p.size());
  size_t last = p.size() - 1;
  for (size_t i = 0; i < p.size();) {
    size_t o = last - i;
    if (p[i] == '\\' && i != last) {
      out[o - 1] = p[i];
      out[o] = p[i + 1];
      i += 2;
    } else {
      out[o] = p[i];
      i += 1;
    }
  }
  return out;
}

// Go's Regexp.Expand for a template against a match with only group 0: $0 / ${0} is the
// match, $$ a dollar, any other well-formed name empty, a malformed one a literal '$'.
std::string expand_template(std::string_view tmpl, std::string_view match) {
  std::string out;
  for (;;) {
    size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out.append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out += '$';
      tmpl.remove_prefix(1);
      continue;
    }
    bool brace = !tmpl.empty() && tmpl[0] == '{';
    std::string_view s = brace ? tmpl.substr(1) : tmpl;
    size_t i = 0;
    while (i < s.size()) {
      Rune r = decode_rune(s, i);
      if (!is_go_letter(r.value) && !is_go_digit(r.value) && r.value != '_') break;
      i += r.width;
    }
    if (i == 0 || (brace && (i >= s.size() || s[i] != '}'))) {
      out += '$';
      continue;
    }
    std::string_view name = s.substr(0, i);
    if (brace) ++i;
    if (name == "0") out.append(match);
    tmpl = s.substr(i);
  }
  out.append(tmpl);
  return out;
}

Result<std::string> trim_prefix_runes(std::string_view pattern_text,
                                      const std::vector<char32_t>& pattern,
                                      const std::vector<char32_t>& value, bool greedy,
                                      size_t* end) {
  auto tokens = compile(pattern);
  if (!tokens) return invalid(pattern_text, tokens.error());
  Matcher m(std::move(*tokens), value, greedy);
  auto built = m.build();
  if (!built) return std::move(built).error();
  *end = m.matches_at(0) ? m.end_of(0) : 0;
  return std::string();
}

}  // namespace

Result<std::string> trim_prefix_pattern(std::string_view pattern, std::string_view value,
                                        bool greedy) {
  std::vector<size_t> offsets;
  auto v = runes_of(value, &offsets);
  size_t end = 0;
  auto r = trim_prefix_runes(pattern, runes_of(pattern), v, greedy, &end);
  if (!r) return r;
  return std::string(value.substr(offsets[end]));
}

Result<std::string> trim_suffix_pattern(std::string_view pattern, std::string_view value,
                                        bool greedy) {
  // As BuildKit: reverse value and pattern, trim a prefix, reverse back (Go's []rune
  // conversion turns invalid bytes into U+FFFD on the way).
  auto p = runes_of(pattern);
  if (!p.empty()) p = reverse_pattern(p);
  auto v = runes_of(value);
  std::reverse(v.begin(), v.end());
  size_t end = 0;
  auto r = trim_prefix_runes(pattern, p, v, greedy, &end);
  if (!r) return r;
  std::vector<char32_t> rest(v.begin() + static_cast<std::ptrdiff_t>(end), v.end());
  std::reverse(rest.begin(), rest.end());
  return encode(rest);
}

Result<std::string> replace_pattern(std::string_view pattern, std::string_view replacement,
                                    std::string_view value, bool all) {
  auto tokens = compile(runes_of(pattern));
  if (!tokens) return invalid(pattern, tokens.error());
  std::vector<size_t> off;
  auto v = runes_of(value, &off);
  Matcher m(std::move(*tokens), v, true);
  auto built = m.build();
  if (!built) return std::move(built).error();
  auto find_from = [&](size_t from) -> std::optional<std::pair<size_t, size_t>> {
    for (size_t s = from; s <= v.size(); ++s) {
      if (m.matches_at(s)) return std::pair{s, m.end_of(s)};
    }
    return std::nullopt;
  };
  if (!all) {
    auto hit = find_from(0);
    if (!hit) return std::string(value);
    return std::string(value.substr(0, off[hit->first])) + std::string(replacement) +
           std::string(value.substr(off[hit->second]));
  }
  // Go's ReplaceAllString: non-overlapping matches left to right; an empty match right after
  // a match is not replaced; the search always advances by at least one rune.
  std::string out;
  size_t last_end = 0;
  size_t search = 0;
  while (search <= v.size()) {
    auto hit = find_from(search);
    if (!hit) break;
    auto [a0, a1] = *hit;
    out.append(value.substr(off[last_end], off[a0] - off[last_end]));
    if (a1 > last_end || a0 == 0) {
      out += expand_template(replacement, value.substr(off[a0], off[a1] - off[a0]));
    }
    last_end = a1;
    search = a1 > search ? a1 : search + 1;
    if (out.size() > k_max_expanded_bytes) return Error{"substitution result too large"};
  }
  out.append(value.substr(off[last_end]));
  return out;
}

}  // namespace pith::dockerfile
