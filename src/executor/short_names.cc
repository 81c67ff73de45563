// registries.conf read for the two keys short names need: [aliases] and
// unqualified-search-registries (TOML, of which only these lines' simple forms are read).
#include "executor/short_names.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "util/file.h"

namespace pith::executor {

namespace {

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

// The strings of a TOML line's quoted words: `"a" = "b"` -> {a, b}; `["x", "y"]` -> {x, y}.
std::vector<std::string> quoted_words(const std::string& line) {
  std::vector<std::string> out;
  size_t i = 0;
  while ((i = line.find('"', i)) != std::string::npos) {
    size_t end = line.find('"', i + 1);
    if (end == std::string::npos) break;
    out.push_back(line.substr(i + 1, end - i - 1));
    i = end + 1;
  }
  return out;
}

struct Conf {
  std::map<std::string, std::string> aliases;
  std::vector<std::string> search;
  bool search_set = false;
};

void read_conf(const std::string& path, Conf& conf) {
  auto text = read_file(path, 1 << 20);
  if (!text) return;
  std::string section;
  size_t start = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    std::string line = trim(text->substr(start, end - start));
    start = end + 1;
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      section = trim(line.substr(1, line.find(']') - 1));
      continue;
    }
    if (section == "aliases") {
      auto words = quoted_words(line);
      if (words.size() == 2 && line.find('=') != std::string::npos)
        conf.aliases[words[0]] = words[1];
    } else if (section.empty() && line.starts_with("unqualified-search-registries")) {
      conf.search = quoted_words(line.substr(line.find('=') + 1));
      conf.search_set = true;
    }
  }
}

// Whether the first component of a name is a registry, as containers/image decides it.
bool has_registry(const std::string& name) {
  auto slash = name.find('/');
  if (slash == std::string::npos) return false;
  std::string first = name.substr(0, slash);
  return first == "localhost" || first.find_first_of(".:") != std::string::npos;
}

}  // namespace

std::vector<std::string> registries_conf_files() {
  std::vector<std::string> files;
  auto add_dir = [&](const std::string& conf) {
    files.push_back(conf);
    std::error_code ec;
    std::vector<std::string> more;
    for (const auto& e : std::filesystem::directory_iterator(conf + ".d", ec))
      if (e.path().extension() == ".conf") more.push_back(e.path().string());
    std::sort(more.begin(), more.end());
    files.insert(files.end(), more.begin(), more.end());
  };
  add_dir("/etc/containers/registries.conf");
  if (const char* home = std::getenv("HOME"); home && *home)
    add_dir(std::string(home) + "/.config/containers/registries.conf");
  return files;
}

std::string resolve_short_name(const std::string& name, const std::vector<std::string>& files) {
  if (has_registry(name)) return name;
  Conf conf;
  for (const auto& f : files) read_conf(f, conf);
  // The alias is looked up by the name without its tag or digest.
  size_t cut = name.find('@');
  if (cut == std::string::npos) {
    auto colon = name.rfind(':');
    if (colon != std::string::npos && name.find('/', colon) == std::string::npos) cut = colon;
  }
  std::string repo = name.substr(0, cut);
  std::string rest = cut == std::string::npos ? "" : name.substr(cut);
  if (auto it = conf.aliases.find(repo); it != conf.aliases.end()) return it->second + rest;
  std::string registry = !conf.search.empty() ? conf.search.front() : "docker.io";
  if (registry == "docker.io" && repo.find('/') == std::string::npos)
    return "docker.io/library/" + name;
  return registry + "/" + name;
}

}  // namespace pith::executor
