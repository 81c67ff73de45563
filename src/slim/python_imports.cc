#include "slim/python_imports.h"

#include <cctype>

namespace pith::slim {

namespace {

bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_name_char(char c) {
  return is_name_start(c) || std::isdigit(static_cast<unsigned char>(c));
}

// The source as tokens that matter for imports: names, dots, commas, parentheses, "*", and a
// statement end (newline outside brackets, ';', ':'). Strings and comments are dropped.
struct Token {
  enum Kind { name, punct, end } kind;
  std::string text;
};

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  int depth = 0;
  size_t i = 0;
  auto end_statement = [&] {
    if (!out.empty() && out.back().kind != Token::end) out.push_back({Token::end, ""});
  };
  while (i < s.size()) {
    char c = s[i];
    if (c == '#') {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '\n' || s[i + 1] == '\r')) {
      i += 2;
      continue;
    }
    if (c == '\n') {
      if (depth == 0) end_statement();
      ++i;
      continue;
    }
    if (c == '\'' || c == '"') {
      bool triple = i + 2 < s.size() && s[i + 1] == c && s[i + 2] == c;
      size_t j = i + (triple ? 3 : 1);
      while (j < s.size()) {
        if (s[j] == '\\') {
          j += 2;
          continue;
        }
        if (triple) {
          if (j + 2 < s.size() && s[j] == c && s[j + 1] == c && s[j + 2] == c) {
            j += 3;
            break;
          }
        } else if (s[j] == c) {
          ++j;
          break;
        } else if (s[j] == '\n') {
          break;  // an unclosed one-line string: the line still ends the statement
        }
        ++j;
      }
      i = j;
      out.push_back({Token::punct, "str"});  // a string is an expression: no import there
      continue;
    }
    if (is_name_start(c)) {
      size_t j = i;
      while (j < s.size() && is_name_char(s[j])) ++j;
      // A string prefix (r, b, f, u, rb, ...) right before a quote belongs to the string.
      if (j < s.size() && (s[j] == '\'' || s[j] == '"') && j - i <= 2) {
        i = j;
        continue;
      }
      out.push_back({Token::name, std::string(s.substr(i, j - i))});
      i = j;
      continue;
    }
    if (c == '(' || c == '[' || c == '{') ++depth;
    if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    if (c == ';' || (c == ':' && depth == 0)) {
      end_statement();
      ++i;
      continue;
    }
    if (c == '.' || c == ',' || c == '(' || c == ')' || c == '*')
      out.push_back({Token::punct, std::string(1, c)});
    else if (!std::isspace(static_cast<unsigned char>(c)))
      out.push_back({Token::punct, "op"});
    ++i;
  }
  return out;
}

// A dotted name starting at tokens[i]: "a.b.c"; i moves past it.
std::string dotted(const std::vector<Token>& t, size_t& i) {
  std::string name;
  while (i < t.size() && t[i].kind == Token::name) {
    name += t[i].text;
    if (i + 2 < t.size() + 1 && i + 1 < t.size() && t[i + 1].text == "." && i + 2 < t.size() &&
        t[i + 2].kind == Token::name) {
      name += '.';
      i += 2;
      continue;
    }
    ++i;
    break;
  }
  return name;
}

bool at_statement_start(const std::vector<Token>& t, size_t i) {
  return i == 0 || t[i - 1].kind == Token::end;
}

}  // namespace

std::vector<PythonImport> python_imports(std::string_view source) {
  const auto t = tokenize(source);
  std::vector<PythonImport> out;
  for (size_t i = 0; i < t.size() && out.size() < k_max_python_imports; ++i) {
    if (t[i].kind != Token::name || !at_statement_start(t, i)) continue;
    if (t[i].text == "import") {
      // import a.b as c, d
      ++i;
      while (i < t.size() && t[i].kind == Token::name && out.size() < k_max_python_imports) {
        std::string name = dotted(t, i);
        if (!name.empty()) out.push_back({name, 0, {}});
        if (i < t.size() && t[i].text == "as") i += 2;
        if (i < t.size() && t[i].text == ",") {
          ++i;
          continue;
        }
        break;
      }
      --i;
    } else if (t[i].text == "from") {
      // from ..a.b import (c as d, e) | *
      size_t j = i + 1;
      PythonImport imp;
      while (j < t.size() && t[j].text == ".") {
        ++imp.level;
        ++j;
      }
      if (j < t.size() && t[j].kind == Token::name && t[j].text != "import")
        imp.module = dotted(t, j);
      if (j >= t.size() || t[j].text != "import") continue;
      ++j;
      if (j < t.size() && t[j].text == "(") ++j;
      while (j < t.size() && imp.names.size() < k_max_python_imports) {
        if (t[j].text == "*") {
          imp.names.push_back("*");
          ++j;
        } else if (t[j].kind == Token::name) {
          imp.names.push_back(t[j].text);
          ++j;
          if (j < t.size() && t[j].text == "as") j += 2;
        } else {
          break;
        }
        if (j < t.size() && t[j].text == ",") {
          ++j;
          continue;
        }
        break;
      }
      if (imp.module.empty() && imp.level == 0) continue;
      out.push_back(std::move(imp));
      i = j - 1;
    }
  }
  return out;
}

}  // namespace pith::slim
