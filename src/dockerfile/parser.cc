// The Dockerfile parser's outer loop (BuildKit's parser.Parse): physical lines -> logical
// lines -> nodes, with parser directives, continuations, comments and heredoc bodies.
#include "dockerfile/parser.h"

#include <cctype>
#include <optional>

#include "dockerfile/go_text.h"
#include "dockerfile/limits.h"
#include "dockerfile/line_parsers.h"
#include "dockerfile/shell_lex.h"

namespace pith::dockerfile {

namespace {

// Physical lines with their '\n' (Go's scanLines variant BuildKit uses), each held to
// k_max_line_bytes as Go's bufio.Scanner holds it.
class LineScanner {
 public:
  explicit LineScanner(std::string_view text) : m_text(text) {}

  std::optional<std::string_view> next() {
    if (m_pos >= m_text.size() || m_too_long) return std::nullopt;
    size_t nl = m_text.find('\n', m_pos);
    size_t end = nl == std::string_view::npos ? m_text.size() : nl + 1;
    size_t content = (nl == std::string_view::npos ? m_text.size() : nl) - m_pos;
    if (content > k_max_line_bytes) {
      m_too_long = true;
      return std::nullopt;
    }
    std::string_view line = m_text.substr(m_pos, end - m_pos);
    m_pos = end;
    return line;
  }
  bool too_long() const { return m_too_long; }

 private:
  std::string_view m_text;
  size_t m_pos = 0;
  bool m_too_long = false;
};

std::string_view trim_newline(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

bool is_comment(std::string_view line) {
  line = trim_left_go_space(line);
  return !line.empty() && line[0] == '#';
}

// Go's \s in regular expressions: [\t\n\f\r ].
bool is_re_s(char c) {
  return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

// BuildKit's DirectiveParser: directives only while every line so far was one; the first other
// line ends them.
class DirectiveReader {
 public:
  // The directive on this line, if it is one; an error for a repeated directive.
  Result<std::optional<Directive>> read(std::string_view line, int line_no) {
    if (m_done) return std::optional<Directive>();
    if (line.empty() || line[0] != '#') return finish();
    line = trim_left_go_space(line.substr(1));
    // ^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$
    size_t i = 0;
    if (i >= line.size() || !std::isalpha(static_cast<unsigned char>(line[i]))) return finish();
    while (i < line.size() && std::isalnum(static_cast<unsigned char>(line[i]))) ++i;
    std::string key(line.substr(0, i));
    while (i < line.size() && is_re_s(line[i])) ++i;
    if (i >= line.size() || line[i] != '=') return finish();
    std::string_view value = line.substr(i + 1);
    if (value.empty() || value.find('\n') != std::string_view::npos) return finish();
    // The lazy (.+?) takes at least one character, so a value of blanks is its last blank.
    size_t b = 0, e = value.size();
    while (b < e && is_re_s(value[b])) ++b;
    while (e > b && is_re_s(value[e - 1])) --e;
    std::string v =
        b < e ? std::string(value.substr(b, e - b)) : std::string(value.substr(value.size() - 1));
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (key != "syntax" && key != "escape" && key != "check") return finish();
    for (const std::string& seen : m_seen) {
      if (seen == key) return Error{"only one " + key + " parser directive can be used"};
    }
    m_seen.push_back(key);
    return std::optional<Directive>(Directive{key, v, line_no});
  }

 private:
  Result<std::optional<Directive>> finish() {
    m_done = true;
    return std::optional<Directive>();
  }
  bool m_done = false;
  std::vector<std::string> m_seen;
};

// The escape character ends the line as a continuation when it is the last character but
// blanks and not itself escaped (BuildKit's lineContinuationRegex); returns the line without
// it and whether the logical line ends here.
std::pair<std::string_view, bool> trim_continuation(std::string_view line, char escape) {
  size_t end = line.size();
  while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
  if (end == 0 || line[end - 1] != escape) return {line, true};
  size_t at = end - 1;
  if (at > 0 && line[at - 1] == escape) return {line, true};
  return {line.substr(0, at), false};
}

}  // namespace

// heredocFromMatch / ParseHeredoc: ^(\d*)<<(-?)\s*([^<]*)$ and the delimiter word.
Result<std::optional<Heredoc>> parse_heredoc_marker(std::string_view word) {
  size_t i = 0;
  while (i < word.size() && word[i] >= '0' && word[i] <= '9') ++i;
  std::string_view digits = word.substr(0, i);
  if (word.substr(i, 2) != "<<") return std::optional<Heredoc>();
  i += 2;
  bool chomp = i < word.size() && word[i] == '-';
  if (chomp) ++i;
  while (i < word.size() && is_re_s(word[i])) ++i;
  std::string_view rest = word.substr(i);
  if (rest.find('<') != std::string_view::npos || rest.find('\n') != std::string_view::npos) {
    return std::optional<Heredoc>();
  }
  if (rest.empty()) return std::optional<Heredoc>();
  // Go's ParseUint: an overflow gives the maximum, an empty string 0.
  uint64_t fd = 0;
  for (char c : digits) {
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (fd > (UINT64_MAX - d) / 10) {
      fd = UINT64_MAX;
      break;
    }
    fd = fd * 10 + d;
  }
  // The delimiter is the word with quotes removed; it is quoted (no expansion in the body)
  // when reading it with and without quote removal counts different quotes.
  LexOptions opt;
  opt.skip_unset_env = true;
  Vars none;
  auto words = TRY(process_words(rest, none, opt));
  if (words.size() != 1) return std::optional<Heredoc>();
  opt.raw_quotes = true;
  auto raw = TRY(process_words(rest, none, opt));
  if (raw.size() != words.size()) {
    return Error{"internal lexing of heredoc produced inconsistent results: " + std::string(rest)};
  }
  auto quotes = [](const std::string& s) {
    size_t n = 0;
    for (char c : s) n += c == '\'' || c == '"';
    return n;
  };
  Heredoc h;
  h.name = words[0];
  h.fd = fd;
  h.chomp = chomp;
  h.expand = quotes(words[0]) == quotes(raw[0]);
  return std::optional<Heredoc>(std::move(h));
}

namespace {

// heredocsFromLine: every heredoc marker among the line's words (lexed with quotes and
// escapes kept, unset variables left as written; a line the lexer refuses has none).
Result<std::vector<Heredoc>> heredocs_from_line(std::string_view line) {
  LexOptions opt;
  opt.raw_quotes = true;
  opt.raw_escapes = true;
  opt.skip_unset_env = true;
  Vars none;
  auto words = process_words(line, none, opt);
  std::vector<Heredoc> out;
  if (!words) return out;
  for (const std::string& w : *words) {
    auto h = TRY(parse_heredoc_marker(w));
    if (h) out.push_back(std::move(*h));
  }
  return out;
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view name) : m_lines(text), m_name(name) {}

  Result<ParsedDockerfile> run() {
    while (auto raw = m_lines.next()) {
      std::string_view bytes = *raw;
      if (m_line == 0 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
      std::string_view first = TRY_CTX(at(m_line + 1), process_line(bytes, true));
      ++m_line;
      int start = m_line;
      auto [text, ended] = trim_continuation(first, m_out.escape);
      if (ended && text.empty()) continue;
      std::string logical(text);
      bool empty_continuation = false;
      while (!ended) {
        auto more = m_lines.next();
        if (!more) break;
        std::string_view piece = TRY_CTX(at(m_line + 1), process_line(*more, false));
        ++m_line;
        if (is_comment(*more)) continue;
        if (trim_left_go_space(trim_newline(piece)).empty()) {
          empty_continuation = true;
          continue;
        }
        auto [t, e] = trim_continuation(piece, m_out.escape);
        ended = e;
        logical.append(t);
        if (logical.size() > k_max_dockerfile_bytes) return Error{at(start) + ": line too long"};
      }
      if (empty_continuation) {
        m_out.warnings.push_back({m_line, "Empty continuation line found in: " + logical});
      }
      Node node = TRY_CTX(at(start), node_from_line(logical, m_out.escape));
      if (can_contain_heredoc(node) && logical.find("<<") != std::string::npos) {
        TRY_CTX(at(start), read_heredocs(logical, node));
      }
      node.start_line = start;
      node.end_line = m_line;
      if (m_out.nodes.size() >= k_max_instructions) {
        return Error{at(start) + ": more than " + std::to_string(k_max_instructions) +
                     " instructions"};
      }
      m_out.nodes.push_back(std::move(node));
    }
    if (m_lines.too_long()) {
      return Error{at(m_line + 1) + ": dockerfile line greater than max allowed size of " +
                   std::to_string(k_max_line_bytes)};
    }
    if (m_out.nodes.empty()) return Error{at(m_line) + ": file with no instructions"};
    return std::move(m_out);
  }

 private:
  std::string at(int line) const { return m_name + ":" + std::to_string(line); }

  // processLine: the line without its newline (and leading blanks on a logical line's first
  // line), read for a parser directive, and empty if it is a comment.
  Result<std::string_view> process_line(std::string_view token, bool strip_left) {
    token = trim_newline(token);
    if (strip_left) token = trim_left_go_space(token);
    auto d = TRY(m_directives.read(token, m_line + 1));
    if (d) {
      if (d->name == "escape") {
        if (d->value != "`" && d->value != "\\") {
          return Error{"invalid escape token '" + d->value + "' does not match ` or \\"};
        }
        m_out.escape = d->value[0];
      }
      m_out.directives.push_back(std::move(*d));
    }
    if (is_comment(token)) return std::string_view();
    return token;
  }

  // The bodies of the line's heredocs, one after the other, each up to its delimiter line.
  Result<void> read_heredocs(std::string_view logical, Node& node) {
    auto heredocs = TRY(heredocs_from_line(logical));
    size_t total = 0;
    for (Heredoc& h : heredocs) {
      bool terminated = false;
      while (auto raw = m_lines.next()) {
        ++m_line;
        std::string_view candidate = trim_newline(*raw);
        if (h.chomp) {
          while (!candidate.empty() && candidate[0] == '\t') candidate.remove_prefix(1);
        }
        if (candidate == h.name) {
          terminated = true;
          break;
        }
        total += raw->size();
        if (total > k_max_heredoc_bytes) return Error{"heredoc larger than 1 MiB"};
        h.content.append(*raw);
      }
      if (!terminated) return Error{"unterminated heredoc"};
      // On the instruction itself, ONBUILD included, as BuildKit keeps them.
      node.heredocs.push_back(std::move(h));
    }
    return {};
  }

  LineScanner m_lines;
  std::string m_name;
  int m_line = 0;
  DirectiveReader m_directives;
  ParsedDockerfile m_out;
};

}  // namespace

Result<ParsedDockerfile> parse_dockerfile(std::string_view text, std::string_view name) {
  if (text.size() > k_max_dockerfile_bytes) {
    return Error{std::string(name) + ": larger than " +
                 std::to_string(k_max_dockerfile_bytes >> 20) + " MiB"};
  }
  return Parser(text, name).run();
}

}  // namespace pith::dockerfile
