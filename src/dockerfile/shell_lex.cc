// BuildKit's shell lexer (see shell_lex.h), written from its behaviour: a rune scanner over the
// word, one function per construct (quotes, $, heredoc marker), words built beside the text.
#include "dockerfile/shell_lex.h"

#include "dockerfile/go_text.h"
#include "dockerfile/limits.h"
#include "dockerfile/shell_pattern.h"

namespace pith::dockerfile {

namespace {

constexpr int k_eof = -1;

// Words as the lexer builds them: unquoted white space from substitutions splits words,
// quoted or escaped characters never do.
class Words {
 public:
  void add_char(char32_t r) {
    if (is_go_space(r)) {
      if (m_in_word && !m_buf.empty()) {
        m_words.push_back(std::move(m_buf));
        m_buf.clear();
        m_in_word = false;
      }
    } else {
      add_raw_char(r);
    }
  }
  void add_raw_char(char32_t r) {
    append_rune(m_buf, r);
    m_in_word = true;
  }
  void add_string(std::string_view s) {
    for (size_t pos = 0; pos < s.size();) {
      Rune r = decode_rune(s, pos);
      add_char(r.value);
      pos += r.width;
    }
  }
  void add_raw_string(std::string_view s) {
    m_buf.append(s);
    m_in_word = true;
  }
  std::vector<std::string> take() {
    if (!m_buf.empty()) m_words.push_back(std::move(m_buf));
    m_buf.clear();
    m_in_word = false;
    return std::move(m_words);
  }

 private:
  std::string m_buf;
  std::vector<std::string> m_words;
  bool m_in_word = false;
};

struct Piece {
  std::string text;
  std::vector<std::string> words;
};

class Lexer {
 public:
  Lexer(std::string_view src, const Vars& env, const LexOptions& opt, Expansion& out)
      : m_src(src), m_env(env), m_opt(opt), m_out(out), m_raw_escapes(opt.raw_escapes) {
    // Go's text/scanner skips a byte order mark at the start.
    if (m_src.substr(0, 3) == "\xEF\xBB\xBF") m_pos = 3;
  }

  Result<Piece> process_stop_on(int stop, bool raw_escapes) {
    bool saved = m_raw_escapes;
    m_raw_escapes = raw_escapes;
    auto r = stop_on(stop);
    m_raw_escapes = saved;
    return r;
  }

  int peek() const {
    return m_pos < m_src.size() ? static_cast<int>(decode_rune(m_src, m_pos).value) : k_eof;
  }

 private:
  int next() {
    if (m_pos >= m_src.size()) return k_eof;
    Rune r = decode_rune(m_src, m_pos);
    m_pos += r.width;
    return static_cast<int>(r.value);
  }
  static void put(std::string& s, int r) { append_rune(s, static_cast<char32_t>(r)); }

  Result<Piece> stop_on(int stop) {
    std::string result;
    Words words;
    while (peek() != k_eof) {
      int ch = peek();
      if (stop != k_eof && ch == stop) {
        next();
        return Piece{std::move(result), words.take()};
      }
      if (result.size() > k_max_expanded_bytes) return Error{"expansion too large"};
      if (ch == '$') {
        std::string tmp = TRY(dollar());
        result += tmp;
        words.add_string(tmp);
      } else if (ch == '<') {
        std::string tmp = possible_heredoc();
        result += tmp;
        words.add_raw_string(tmp);
      } else if (!m_opt.skip_process_quotes && (ch == '\'' || ch == '"')) {
        std::string tmp = TRY(ch == '\'' ? single_quote() : double_quote());
        result += tmp;
        words.add_raw_string(tmp);
      } else {
        ch = next();
        if (ch == m_opt.escape) {
          if (m_raw_escapes) {
            words.add_raw_char(static_cast<char32_t>(ch));
            put(result, ch);
          }
          // The escape character escapes the next one, except at the end of the word.
          ch = next();
          if (ch == k_eof) break;
          words.add_raw_char(static_cast<char32_t>(ch));
        } else {
          words.add_char(static_cast<char32_t>(ch));
        }
        put(result, ch);
      }
    }
    if (stop != k_eof) {
      std::string s = "unexpected end of statement while looking for matching ";
      put(s, stop);
      return Error{s};
    }
    return Piece{std::move(result), words.take()};
  }

  // Everything up to the next ' is literal; ' cannot be escaped inside.
  Result<std::string> single_quote() {
    std::string result;
    int ch = next();
    if (m_opt.raw_quotes) put(result, ch);
    for (;;) {
      ch = next();
      if (ch == k_eof) {
        return Error{"unexpected end of statement while looking for matching single-quote"};
      }
      if (ch == '\'') {
        if (m_opt.raw_quotes) put(result, ch);
        return result;
      }
      put(result, ch);
    }
  }

  // Literal except $ substitutions; the escape character escapes only " $ and itself.
  Result<std::string> double_quote() {
    std::string result;
    int ch = next();
    if (m_opt.raw_quotes) put(result, ch);
    for (;;) {
      int p = peek();
      if (p == k_eof) {
        return Error{"unexpected end of statement while looking for matching double-quote"};
      }
      if (p == '"') {
        ch = next();
        if (m_opt.raw_quotes) put(result, ch);
        return result;
      }
      if (p == '$') {
        result += TRY(dollar());
        continue;
      }
      ch = next();
      if (ch == m_opt.escape) {
        if (m_raw_escapes) put(result, ch);
        int after = peek();
        if (after == k_eof) continue;  // dropped; the loop then reports the missing quote
        if (after == '"' || after == '$' || after == m_opt.escape) ch = next();
      }
      put(result, ch);
      if (result.size() > k_max_expanded_bytes) return Error{"expansion too large"};
    }
  }

  Result<std::string> dollar() {
    next();  // '$'
    if (peek() != '{') {
      std::string name = read_name();
      if (name.empty()) return std::string("$");
      const std::string* value = lookup(name);
      if (!value && m_opt.skip_unset_env) return "$" + name;
      return value ? *value : std::string();
    }
    next();  // '{'
    int p = peek();
    if (p == k_eof) return Error{"syntax error: missing '}'"};
    if (p == '{' || p == '}' || p == ':') return Error{"syntax error: bad substitution"};
    std::string name = read_name();
    int ch = next();
    std::string chs;
    put(chs, ch);
    if (ch == '}') {
      const std::string* value = lookup(name);
      if (!value && m_opt.skip_unset_env) return "${" + name + "}";
      return value ? *value : std::string();
    }
    if (ch == '/') return replace(name);
    bool null_is_unset = false;
    if (ch == ':') {
      // As BuildKit's fallthrough: the word after "${V:x" is read whatever x is, and an
      // x other than - + ? is refused below.
      null_is_unset = true;
      ch = next();
      put(chs, ch);
    } else if (ch != '+' && ch != '-' && ch != '?' && ch != '#' && ch != '%') {
      return Error{"unsupported modifier (" + chs + ") in substitution"};
    }
    bool raw = ch == '#' || ch == '%';
    if (null_is_unset && raw) return Error{"unsupported modifier (" + chs + ") in substitution"};
    std::string word = TRY(nested('}', raw, "syntax error: missing '}'"));
    const std::string* value = lookup(name);
    if (!value && m_opt.skip_unset_env) return "${" + name + chs + word + "}";
    bool empty = !value || (null_is_unset && value->empty());
    switch (ch) {
      case '-':
        return empty ? word : *value;
      case '+':
        return empty ? std::string() : word;
      case '?':
        if (!value)
          return Error{name + ": " + (word.empty() ? "is not allowed to be unset" : word)};
        if (null_is_unset && value->empty()) {
          return Error{name + ": " + (word.empty() ? "is not allowed to be empty" : word)};
        }
        return *value;
      case '%':
      case '#': {
        // %/# remove the shortest match, %%/## the longest.
        bool greedy = !word.empty() && word[0] == static_cast<char>(ch);
        if (greedy) word.erase(0, 1);
        std::string v = value ? *value : std::string();
        return ch == '%' ? trim_suffix_pattern(word, v, greedy)
                         : trim_prefix_pattern(word, v, greedy);
      }
      default:
        return Error{"unsupported modifier (" + chs + ") in substitution"};
    }
  }

  Result<std::string> replace(const std::string& name) {
    bool all = peek() == '/';
    if (all) next();
    std::string pattern = TRY(nested('/', true, "syntax error: missing '/' in ${}"));
    std::string replacement = TRY(nested('}', true, "syntax error: missing '}'"));
    const std::string* value = lookup(name);
    if (!value && m_opt.skip_unset_env)
      return "${" + name + "/" + pattern + "/" + replacement + "}";
    return replace_pattern(pattern, replacement, value ? *value : std::string(), all);
  }

  // A word inside ${...} up to `stop`; at the end of input the error is `missing`.
  Result<std::string> nested(int stop, bool raw, const char* missing) {
    if (++m_depth > k_max_substitution_depth) return Error{"substitutions nested too deeply"};
    auto r = process_stop_on(stop, raw);
    --m_depth;
    if (!r) {
      if (peek() == k_eof) return Error{missing};
      return std::move(r).error();
    }
    return std::move(r->text);
  }

  // A name: letters, digits, _; or all the digits of a positional parameter; or one special
  // parameter character.
  std::string read_name() {
    std::string name;
    while (peek() != k_eof) {
      int ch = peek();
      if (name.empty() && is_go_digit(static_cast<char32_t>(ch))) {
        while (peek() != k_eof && is_go_digit(static_cast<char32_t>(peek()))) put(name, next());
        return name;
      }
      if (name.empty() && is_special(ch)) {
        put(name, next());
        return name;
      }
      if (!is_go_letter(static_cast<char32_t>(ch)) && !is_go_digit(static_cast<char32_t>(ch)) &&
          ch != '_') {
        break;
      }
      put(name, next());
    }
    return name;
  }

  static bool is_special(int ch) {
    switch (ch) {
      case '@':
      case '*':
      case '#':
      case '?':
      case '-':
      case '$':
      case '!':
      case '0':
        return true;
      default:
        return false;
    }
  }

  // "<<" and the blanks after it stay together in one word, so the parser sees "<< EOF" as
  // one heredoc marker.
  std::string possible_heredoc() {
    next();
    if (peek() != '<') return "<";
    next();
    std::string out = "<<";
    while (peek() == '\t' || peek() == '\r' || peek() == ' ') put(out, next());
    return out;
  }

  const std::string* lookup(const std::string& name) {
    auto it = m_env.find(name);
    if (it == m_env.end()) {
      m_out.unmatched.insert(name);
      return nullptr;
    }
    m_out.matched.insert(name);
    return &it->second;
  }

  std::string_view m_src;
  size_t m_pos = 0;
  const Vars& m_env;
  const LexOptions& m_opt;
  Expansion& m_out;
  bool m_raw_escapes;
  int m_depth = 0;
};

}  // namespace

Result<Expansion> expand(std::string_view word, const Vars& env, const LexOptions& options) {
  Expansion out;
  Lexer lexer(word, env, options, out);
  auto piece = lexer.process_stop_on(k_eof, options.raw_escapes);
  if (!piece) {
    return Error{"failed to process " + go_quote(word) + ": " + piece.error().message};
  }
  out.word = std::move(piece->text);
  out.words = std::move(piece->words);
  return out;
}

}  // namespace pith::dockerfile
