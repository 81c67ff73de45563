// .dockerignore reading and matching (see dockerignore.h), rule for rule as
// moby/patternmatcher: each pattern is compared as text when it has no wildcard, by prefix
// for "dir/**", by suffix for "**/name", and otherwise through the regular expression
// patternmatcher builds of it.
#include "dockerfile/dockerignore.h"

#include <optional>

#include "dockerfile/go_path.h"
#include "dockerfile/go_text.h"
#include "dockerfile/ignore_regex.h"

namespace pith::dockerfile {

std::vector<std::string> read_dockerignore(std::string_view text) {
  std::vector<std::string> out;
  bool first = true;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    // bufio.ScanLines drops a '\r' before the '\n'.
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    first = false;
    if (!line.empty() && line[0] == '#') continue;
    std::string_view p = trim_go_space(line);
    if (p.empty()) continue;
    bool invert = p[0] == '!';
    if (invert) p = trim_go_space(p.substr(1));
    std::string pattern(p);
    if (!pattern.empty()) {
      pattern = clean_path(pattern);
      if (pattern.size() > 1 && pattern[0] == '/') pattern.erase(0, 1);
    }
    out.push_back(invert ? "!" + pattern : pattern);
  }
  return out;
}

namespace {

// patternmatcher's shouldEscape: regexp characters that mean nothing to filepath.Match.
bool should_escape(char32_t c) {
  switch (c) {
    case '.':
    case '+':
    case '(':
    case ')':
    case '|':
    case '{':
    case '}':
    case '$':
      return true;
    default:
      return false;
  }
}

}  // namespace

// Pattern.compile: the expression text and the match type, character by character.
IgnoreCompiled compile_ignore_pattern(std::string_view s) {
  enum class Type { exact, prefix, suffix, regexp };
  std::string re = "^";
  Type type = Type::exact;
  size_t pos = 0;
  auto peek = [&]() -> int {
    return pos < s.size() ? static_cast<int>(decode_rune(s, pos).value) : -1;
  };
  auto next = [&]() -> char32_t {
    Rune r = decode_rune(s, pos);
    pos += r.width;
    return r.value;
  };
  for (int i = 0; peek() != -1; ++i) {
    char32_t ch = next();
    if (ch == '*') {
      if (peek() == '*') {
        next();
        if (peek() == '/') next();  // "**/" is read as "**"
        if (peek() == -1) {
          // "**" at the end matches everything below, as in .gitignore.
          if (type == Type::exact) {
            type = Type::prefix;
          } else {
            re += ".*";
            type = Type::regexp;
          }
        } else {
          re += "(.*/)?";
          type = Type::regexp;
        }
        if (i == 0) type = Type::suffix;
      } else {
        re += "[^/]*";
        type = Type::regexp;
      }
    } else if (ch == '?') {
      re += "[^/]";
      type = Type::regexp;
    } else if (should_escape(ch)) {
      re += '\\';
      append_rune(re, ch);
    } else if (ch == '\\') {
      // Escapes the next character; a trailing backslash stays (and breaks the expression).
      re += '\\';
      if (peek() != -1) {
        append_rune(re, next());
        type = Type::regexp;
      }
    } else if (ch == '[' || ch == ']') {
      append_rune(re, ch);
      type = Type::regexp;
    } else {
      append_rune(re, ch);
    }
  }
  static const char* const k_names[] = {"exact", "prefix", "suffix", "regexp"};
  IgnoreCompiled out{k_names[static_cast<int>(type)], ""};
  if (type == Type::regexp) out.regex = re + "$";
  return out;
}

class IgnorePattern {
 public:
  std::string cleaned;
  bool exclusion = false;

  // Pattern.match: compiled on first use, as patternmatcher does (a bad expression is an error
  // at match time, every time).
  Result<bool> match(std::string_view path) const {
    if (!m_compiled) compile();
    switch (m_type) {
      case Type::exact:
        return path == cleaned;
      case Type::prefix:
        return path.substr(0, cleaned.size() - 2) ==
               std::string_view(cleaned).substr(0, cleaned.size() - 2);
      case Type::suffix: {
        std::string_view suffix = std::string_view(cleaned).substr(2);
        if (path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix) {
          return true;
        }
        return !suffix.empty() && suffix[0] == '/' && path == suffix.substr(1);
      }
      case Type::regexp:
        if (!m_regex) return Error{"syntax error in pattern"};
        return m_regex->matches(path);
    }
    return false;
  }

 private:
  enum class Type { exact, prefix, suffix, regexp };

  void compile() const {
    m_compiled = true;
    IgnoreCompiled c = compile_ignore_pattern(cleaned);
    m_type = c.type == "exact"    ? Type::exact
             : c.type == "prefix" ? Type::prefix
             : c.type == "suffix" ? Type::suffix
                                  : Type::regexp;
    if (m_type == Type::regexp) {
      auto compiled = IgnoreRegex::compile(c.regex);
      if (compiled) m_regex = std::make_shared<IgnoreRegex>(std::move(*compiled));
    }
  }

  mutable bool m_compiled = false;
  mutable Type m_type = Type::exact;
  mutable std::shared_ptr<IgnoreRegex> m_regex;
};

IgnoreMatcher::IgnoreMatcher(IgnoreMatcher&&) noexcept = default;
IgnoreMatcher& IgnoreMatcher::operator=(IgnoreMatcher&&) noexcept = default;
IgnoreMatcher::~IgnoreMatcher() = default;

Result<IgnoreMatcher> IgnoreMatcher::create(const std::vector<std::string>& patterns) {
  IgnoreMatcher m;
  for (const std::string& raw : patterns) {
    std::string_view t = trim_go_space(raw);
    if (t.empty()) continue;
    std::string p = clean_path(t);
    auto pat = std::make_unique<IgnorePattern>();
    if (p[0] == '!') {
      if (p.size() == 1) return Error{"illegal exclusion pattern: \"!\""};
      pat->exclusion = true;
      p.erase(0, 1);
      m.m_exceptions = true;
    }
    if (!valid_match_pattern(p)) return Error{"syntax error in pattern"};
    pat->cleaned = std::move(p);
    m.m_patterns.push_back(std::move(pat));
  }
  return m;
}

Result<bool> IgnoreMatcher::excluded(std::string_view path) const {
  bool matched = false;
  std::string parent = dir_path(path);
  std::vector<std::string_view> dirs;
  for (size_t pos = 0;;) {
    size_t slash = parent.find('/', pos);
    dirs.push_back(std::string_view(parent).substr(
        pos, slash == std::string::npos ? std::string::npos : slash - pos));
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  for (const auto& pattern : m_patterns) {
    // An inclusion cannot change an excluded path, nor an exception an included one.
    if (pattern->exclusion != matched) continue;
    bool match = TRY(pattern->match(path));
    if (!match && parent != ".") {
      // The pattern may match a parent directory; errors here are ignored, as upstream.
      size_t prefix_len = 0;
      for (size_t i = 0; i < dirs.size(); ++i) {
        prefix_len += dirs[i].size() + (i ? 1 : 0);
        auto m = pattern->match(std::string_view(parent).substr(0, prefix_len));
        if (m && *m) {
          match = true;
          break;
        }
      }
    }
    if (match) matched = !pattern->exclusion;
  }
  return matched;
}

bool IgnoreMatcher::must_enter(std::string_view dir) const {
  if (!m_exceptions) return false;
  std::string prefix = std::string(dir) + "/";
  for (const auto& pattern : m_patterns) {
    if (!pattern->exclusion) continue;
    std::string p = pattern->cleaned + "/";
    if (p.compare(0, prefix.size(), prefix) == 0) return true;
  }
  return false;
}

}  // namespace pith::dockerfile
