#include "lint/command.h"

#include <set>

#include "elf/search.h"

namespace pith::lint {

namespace {

bool blank(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && (blank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<Shebang> parse_shebang(std::string_view head) {
  if (!head.starts_with("#!")) return std::nullopt;
  std::string_view line = head.substr(2, k_shebang_bytes - 2);
  line = trim(line.substr(0, line.find('\n')));
  size_t end = 0;
  while (end < line.size() && !blank(line[end])) ++end;
  return Shebang{std::string(line.substr(0, end)), std::string(trim(line.substr(end)))};
}

std::string env_program(std::string_view argument) {
  while (!argument.empty()) {
    argument = trim(argument);
    size_t end = 0;
    while (end < argument.size() && !blank(argument[end])) ++end;
    std::string_view word = argument.substr(0, end);
    argument.remove_prefix(end);
    if (!word.empty() && word.front() != '-' && word.find('=') == std::string_view::npos)
      return std::string(word);
  }
  return {};
}

std::vector<std::vector<std::string>> shell_commands(const std::string& line) {
  // POSIX's reserved words (XCU 2.4) that open or close a compound command: what follows
  // them is a command again (or, after a closing one, a redirection or an operator).
  static const std::set<std::string, std::less<>> k_reserved = {
      "!", "{", "}", "do", "done", "elif", "else", "esac", "fi", "if", "then", "until", "while"};
  if (line.size() > k_max_arg_bytes) return {};
  std::vector<std::vector<std::string>> out(1);
  std::string word;
  bool in_word = false;
  bool quoted = false;    // a quote or backslash in the word: never a reserved word
  bool skipping = false;  // in the head of a `for` or `case`, up to the next operator
  auto end_word = [&] {
    if (in_word && !skipping) {
      bool reserved_here = out.back().empty() && !quoted;  // where a shell looks for one
      if (reserved_here && (word == "for" || word == "case"))
        skipping = true;
      else if (!(reserved_here && k_reserved.contains(word)))
        out.back().push_back(word);
    }
    word.clear();
    in_word = false;
    quoted = false;
  };
  auto end_command = [&] {
    end_word();
    skipping = false;
    if (!out.back().empty()) out.emplace_back();
  };
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\'' || c == '"') {
      size_t close = line.find(c, i + 1);
      if (close == std::string::npos) close = line.size();
      word += line.substr(i + 1, close - i - 1);
      in_word = true;
      quoted = true;
      i = close;
    } else if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
      in_word = true;
      quoted = true;
    } else if (c == ';' || c == '&' || c == '|' || c == '\n' || c == '(' || c == ')') {
      end_command();
    } else if (c == ' ' || c == '\t') {
      end_word();
    } else {
      word += c;
      in_word = true;
    }
  }
  end_word();
  if (out.back().empty()) out.pop_back();
  return out;
}

bool is_assignment(std::string_view word) {
  auto eq = word.find('=');
  return eq != std::string_view::npos && eq > 0 && word.front() != '-';
}

size_t program_word(const std::vector<std::string>& words) {
  size_t i = 0;
  while (i < words.size() &&
         (is_assignment(words[i]) || words[i] == "exec" || words[i] == "command"))
    ++i;
  return i;
}

bool shell_builtin(std::string_view name) {
  static const std::set<std::string, std::less<>> k_builtins = {
      ".",        ":",      "[",     "alias",   "bg",    "break",  "cd",    "command",
      "continue", "echo",   "eval",  "exec",    "exit",  "export", "false", "fg",
      "getopts",  "hash",   "jobs",  "kill",    "local", "printf", "pwd",   "read",
      "readonly", "return", "set",   "shift",   "test",  "times",  "trap",  "true",
      "type",     "ulimit", "umask", "unalias", "unset", "wait"};
  return k_builtins.contains(name);
}

std::vector<std::string> path_dirs(const std::vector<std::string>& env) {
  std::optional<std::string_view> value;
  for (const auto& kv : env)
    if (kv.starts_with("PATH=")) value = std::string_view(kv).substr(5);
  return elf::split_search_path(value.value_or(k_default_path), ":");
}

}  // namespace pith::lint
