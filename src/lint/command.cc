#include "lint/command.h"

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

std::vector<std::string> path_dirs(const std::vector<std::string>& env) {
  std::optional<std::string_view> value;
  for (const auto& kv : env)
    if (kv.starts_with("PATH=")) value = std::string_view(kv).substr(5);
  return elf::split_search_path(value.value_or(k_default_path), ":");
}

}  // namespace pith::lint
