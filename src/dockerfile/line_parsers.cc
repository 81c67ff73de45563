// BuildKit's line parsers, rule for rule (see line_parsers.h); the comments name the quirks
// kept on purpose because BuildKit's output, and so the image, depends on them.
#include "dockerfile/line_parsers.h"

#include <cctype>

#include "dockerfile/go_text.h"
#include "dockerfile/json_array.h"
#include "util/ascii.h"

namespace pith::dockerfile {

namespace {

// BuildKit's reWhitespace: [\t\v\f\r ]+ (ASCII only, no newline).
bool is_re_space(char c) {
  return c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == ' ';
}

// reWhitespace.Split(s, -1), or at most two parts with limit 2.
std::vector<std::string> split_re_space(std::string_view s, bool two) {
  std::vector<std::string> out;
  size_t start = 0, pos = 0;
  while (pos < s.size()) {
    if (!is_re_space(s[pos])) {
      ++pos;
      continue;
    }
    size_t end = pos;
    while (end < s.size() && is_re_space(s[end])) ++end;
    out.emplace_back(s.substr(start, pos - start));
    start = pos = end;
    if (two) break;
  }
  out.emplace_back(s.substr(start));
  return out;
}

// extractBuilderFlags: the leading words starting with "--", quotes and escapes removed; stops
// at the first other word or at a bare "--". BuildKit reads this part byte by byte, so a byte
// >= 0x80 becomes the rune of the same number (UTF-8 of U+0080..U+00FF) and the bytes 0x85 and
// 0xA0 count as spaces; pith does the same so flags come out as BuildKit's do.
struct Flags {
  std::vector<std::string> words;
  std::string_view rest;
};

Flags extract_builder_flags(std::string_view line, char escape) {
  enum { in_spaces, in_word, in_quote } phase = in_spaces;
  Flags out;
  std::string word;
  char quote = 0;
  bool blank_ok = false;
  auto space = [](unsigned char c) { return is_go_space(c); };
  auto put = [&](unsigned char c) { append_rune(word, c); };
  for (size_t pos = 0; pos <= line.size(); ++pos) {
    unsigned char ch = pos < line.size() ? static_cast<unsigned char>(line[pos]) : 0;
    if (phase == in_spaces) {
      if (pos == line.size()) break;
      if (space(ch)) continue;
      if (ch != '-' || pos + 1 == line.size() || line[pos + 1] != '-') {
        out.rest = line.substr(pos);
        return out;
      }
      phase = in_word;
    }
    if (pos == line.size()) {
      if (word != "--" && (blank_ok || !word.empty())) out.words.push_back(word);
      break;
    }
    if (phase == in_word) {
      if (space(ch)) {
        phase = in_spaces;
        if (word == "--") {
          out.rest = line.substr(pos);
          return out;
        }
        if (blank_ok || !word.empty()) out.words.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = static_cast<char>(ch);
        blank_ok = true;
        phase = in_quote;
        continue;
      }
      if (ch == static_cast<unsigned char>(escape)) {
        if (pos + 1 == line.size()) continue;
        ch = static_cast<unsigned char>(line[++pos]);
      }
      put(ch);
      continue;
    }
    // in_quote
    if (ch == static_cast<unsigned char>(quote)) {
      phase = in_word;
      continue;
    }
    if (ch == static_cast<unsigned char>(escape)) {
      if (pos + 1 == line.size()) {
        phase = in_word;
        continue;
      }
      ch = static_cast<unsigned char>(line[++pos]);
    }
    put(ch);
  }
  out.rest = std::string_view();
  return out;
}

Error not_strings() {
  return Error{"when using JSON array syntax, arrays must be comprised of strings only"};
}

// The items of `rest` when it is a JSON array of strings (true), false when it is no JSON
// array at all; an array of anything else is BuildKit's error. Both parseMaybeJSON forms.
Result<bool> json_items(std::string_view rest, Node& node) {
  JsonArray j = parse_json_array(trim_left_go_space(rest));
  if (j.kind == JsonArrayKind::not_strings) return not_strings();
  if (j.kind != JsonArrayKind::strings) return false;
  node.args = std::move(j.items);
  node.json = true;
  return true;
}

// parseMaybeJSON: the JSON items, or the whole text as one argument.
Result<void> maybe_json(std::string_view rest, Node& node) {
  if (rest.empty()) return {};
  if (!TRY(json_items(rest, node))) node.args.emplace_back(rest);
  return {};
}

// parseStringsWhitespaceDelimited.
void whitespace_words(std::string_view rest, Node& node) {
  if (rest.empty()) return;
  node.args = split_re_space(rest, false);
}

// parseMaybeJSONToList: the JSON items, or the words.
Result<void> maybe_json_to_list(std::string_view rest, Node& node) {
  if (!TRY(json_items(rest, node))) whitespace_words(rest, node);
  return {};
}

// parseNameVal: `KEY name value` (the old form: everything after the name is the value) or
// `KEY a=b c=d` (each word split at its first '=', quotes kept for the lexer).
Result<void> name_val(std::string_view rest, const char* key, char escape, Node& node) {
  std::vector<std::string> words = parse_words(rest, escape);
  if (words.empty()) return {};
  if (words[0].find('=') == std::string::npos) {
    std::vector<std::string> parts = split_re_space(rest, true);
    if (parts.size() < 2) return Error{std::string(key) + " must have two arguments"};
    node.args = {parts[0], parts[1], ""};
    return {};
  }
  for (const std::string& w : words) {
    size_t eq = w.find('=');
    if (eq == std::string::npos) {
      return Error{"Syntax error - can't find = in " + go_quote(w) +
                   ". Must be of the form: name=value"};
    }
    node.args.push_back(w.substr(0, eq));
    node.args.push_back(w.substr(eq + 1));
    node.args.emplace_back("=");
  }
  return {};
}

// parseHealthConfig: the type (first word, split on bytes as BuildKit does), then the command
// as parseMaybeJSON reads it.
Result<void> health_config(std::string_view rest, Node& node) {
  size_t sep = 0;
  while (sep < rest.size() && !is_go_space(static_cast<unsigned char>(rest[sep]))) ++sep;
  size_t next = sep;
  while (next < rest.size() && is_go_space(static_cast<unsigned char>(rest[next]))) ++next;
  if (sep == 0) return {};
  Node cmd;
  TRY(maybe_json(rest.substr(next), cmd));
  node.args.emplace_back(rest.substr(0, sep));
  for (auto& a : cmd.args) node.args.push_back(std::move(a));
  node.json = cmd.json;
  return {};
}

}  // namespace

std::vector<std::string> parse_words(std::string_view rest, char escape) {
  enum { in_spaces, in_word, in_quote } phase = in_spaces;
  std::vector<std::string> words;
  std::string word;
  char32_t quote = 0;
  bool blank_ok = false;
  char32_t ch = 0;
  size_t width = 0;
  const char32_t esc = static_cast<unsigned char>(escape);
  for (size_t pos = 0; pos <= rest.size(); pos += width) {
    if (pos != rest.size()) {
      Rune r = decode_rune(rest, pos);
      ch = r.value;
      width = r.width;
    }
    if (phase == in_spaces) {
      if (pos == rest.size()) break;
      if (is_go_space(ch)) continue;
      phase = in_word;
    }
    if (pos == rest.size()) {
      if (blank_ok || !word.empty()) words.push_back(word);
      break;
    }
    if (phase == in_word) {
      if (is_go_space(ch)) {
        phase = in_spaces;
        if (blank_ok || !word.empty()) words.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        blank_ok = true;
        phase = in_quote;
      }
      if (ch == esc) {
        if (pos + width == rest.size()) continue;  // an escape at the end is dropped
        // Unquoted, the escape and the character after it are both kept, for the lexer.
        append_rune(word, ch);
        pos += width;
        Rune r = decode_rune(rest, pos);
        ch = r.value;
        width = r.width;
      }
      append_rune(word, ch);
      continue;
    }
    // in_quote: the escape character means nothing inside single quotes.
    if (ch == quote) phase = in_word;
    if (ch == esc && quote != '\'') {
      if (pos + width == rest.size()) {
        phase = in_word;
        continue;
      }
      pos += width;
      append_rune(word, ch);
      Rune r = decode_rune(rest, pos);
      ch = r.value;
      width = r.width;
    }
    append_rune(word, ch);
  }
  return words;
}

namespace {

// ONBUILD wraps an instruction, which BuildKit parses recursively without a bound; the
// instruction layer refuses ONBUILD ONBUILD anyway, so a small depth keeps a line of many
// ONBUILD words from exhausting the stack.
constexpr int k_max_onbuild_depth = 8;

Result<Node> node_at_depth(std::string_view line, char escape, int depth);

}  // namespace

Result<Node> node_from_line(std::string_view line, char escape) {
  return node_at_depth(line, escape, 0);
}

namespace {

Result<Node> node_at_depth(std::string_view line, char escape, int depth) {
  Node node;
  node.original = std::string(line);
  std::vector<std::string> cmdline = split_re_space(trim_go_space(line), true);
  node.command = cmdline[0];
  std::string_view rest;
  std::string rest_store;
  if (cmdline.size() == 2) {
    Flags f = extract_builder_flags(cmdline[1], escape);
    node.flags = std::move(f.words);
    rest_store = std::string(trim_go_space(f.rest));
    rest = rest_store;
  }
  std::string cmd = ascii_lower(node.command);
  if (cmd == "add" || cmd == "copy" || cmd == "volume") {
    TRY(maybe_json_to_list(rest, node));
  } else if (cmd == "run" || cmd == "cmd" || cmd == "entrypoint" || cmd == "shell") {
    TRY(maybe_json(rest, node));
  } else if (cmd == "from" || cmd == "expose") {
    whitespace_words(rest, node);
  } else if (cmd == "arg") {
    node.args = parse_words(rest, escape);
  } else if (cmd == "env") {
    TRY(name_val(rest, "ENV", escape, node));
  } else if (cmd == "label") {
    TRY(name_val(rest, "LABEL", escape, node));
  } else if (cmd == "healthcheck") {
    TRY(health_config(rest, node));
  } else if (cmd == "maintainer" || cmd == "stopsignal" || cmd == "user" || cmd == "workdir") {
    if (!rest.empty()) node.args.emplace_back(rest);
  } else if (cmd == "onbuild") {
    if (!rest.empty()) {
      if (depth >= k_max_onbuild_depth) return Error{"ONBUILD nested too deeply"};
      Node sub = TRY(node_at_depth(rest, escape, depth + 1));
      node.sub = std::make_shared<Node>(std::move(sub));
    }
  } else {
    node.unknown = true;
  }
  return node;
}

}  // namespace

bool can_contain_heredoc(const Node& node) {
  const Node* n = &node;
  if (ascii_lower(n->command) == "onbuild" && n->sub) n = n->sub.get();
  std::string cmd = ascii_lower(n->command);
  if (cmd != "add" && cmd != "copy" && cmd != "run") return false;
  return !n->json;
}

std::string dump(const Node& node) {
  std::string out = ascii_lower(node.command);
  if (!node.flags.empty()) {
    out += " [";
    for (size_t i = 0; i < node.flags.size(); ++i) {
      if (i) out += ' ';
      out += go_quote(node.flags[i]);
    }
    out += ']';
  }
  if (node.sub) {
    out += " (" + dump(*node.sub) + ")";
  } else if (node.unknown) {
    out += " \"\"";  // BuildKit's parser keeps an empty placeholder argument
  }
  for (const std::string& a : node.args) out += " " + go_quote(a);
  return std::string(trim_go_space(out));
}

std::string dump(const ParsedDockerfile& file) {
  std::string out;
  for (const Node& n : file.nodes) out += "(" + dump(n) + ")\n";
  return out;
}

}  // namespace pith::dockerfile
