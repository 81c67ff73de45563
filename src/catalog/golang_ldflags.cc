// The main-module version a Go binary's recorded -ldflags set with -X, read the way trivy
// does: shell-word splitting (mattn/go-shellwords) and pflag's shorthand rules for "-X".
#include <map>

#include "catalog/golang.h"

namespace pith::catalog {
namespace {

// pflag's StringToString value: CSV fields ("a=1,b=2", fields may be "double quoted"), each
// "key=value". False on any malformed field, which fails pflag's whole parse.
bool parse_string_to_string(std::string_view value, std::map<std::string, std::string>& out) {
  std::vector<std::string> fields;
  size_t i = 0;
  for (;;) {
    std::string field;
    if (i < value.size() && value[i] == '"') {
      for (++i;; ++i) {
        if (i >= value.size()) return false;  // unterminated quote
        if (value[i] == '"') {
          if (i + 1 < value.size() && value[i + 1] == '"') {
            field += '"';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        field += value[i];
      }
      if (i < value.size() && value[i] != ',') return false;
    } else {
      size_t comma = value.find(',', i);
      std::string_view raw = value.substr(i, comma == std::string_view::npos ? comma : comma - i);
      if (raw.find('"') != std::string_view::npos) return false;  // bare quote in a field
      field = std::string(raw);
      i = comma == std::string_view::npos ? value.size() : comma;
    }
    fields.push_back(std::move(field));
    if (i >= value.size()) break;
    ++i;  // the comma
  }
  for (const std::string& f : fields) {
    size_t eq = f.find('=');
    if (eq == std::string::npos) return false;
    out[f.substr(0, eq)] = f.substr(eq + 1);
  }
  return true;
}

}  // namespace

std::vector<std::string> split_shell_words(std::string_view s) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false, escaped = false, single = false, dbl = false;
  for (char c : s) {
    if (escaped) {
      word += c;
      escaped = false;
      continue;
    }
    if (c == '\\' && !single) {
      escaped = in_word = true;
      continue;
    }
    if (c == '\'' && !dbl) {
      single = !single;
      in_word = true;
      continue;
    }
    if (c == '"' && !single) {
      dbl = !dbl;
      in_word = true;
      continue;
    }
    bool quoted = single || dbl;
    if (!quoted && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
      if (in_word) out.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    if (!quoted && (c == ';' || c == '&' || c == '|' || c == '<' || c == '>')) break;
    word += c;
    in_word = true;
  }
  if (single || dbl || escaped) return {};  // unbalanced: go-shellwords fails
  if (in_word) out.push_back(std::move(word));
  return out;
}

std::string go_ldflags_version(std::string_view module, const std::vector<std::string>& flags) {
  std::map<std::string, std::string> x;
  // An unknown flag may take the next argument as its value, unless that looks like a flag.
  auto skip_unknown_value = [&](size_t& i) {
    if (i + 1 < flags.size() && !flags[i + 1].starts_with('-')) ++i;
  };
  for (size_t i = 0; i < flags.size(); ++i) {
    std::string_view arg = flags[i];
    if (arg.size() < 2 || arg[0] != '-') continue;  // positional
    if (arg == "--") break;
    if (arg.starts_with("--")) {  // -X has no long name, so every long flag is unknown
      if (arg.find('=') == std::string_view::npos) skip_unknown_value(i);
      continue;
    }
    std::string_view shorts = arg.substr(1);
    size_t index = i;
    while (!shorts.empty()) {
      char c = shorts[0];
      if (c == 'X') {
        std::string value;
        if (shorts.size() > 2 && shorts[1] == '=') {
          value = shorts.substr(2);
        } else if (shorts.size() > 1) {
          value = shorts.substr(1);
        } else if (index + 1 < flags.size()) {
          value = flags[++index];
        } else {
          return {};  // "flag needs an argument" fails the parse
        }
        if (!parse_string_to_string(value, x)) return {};
        break;
      }
      if (c == 'h') {  // trivy defines -h as a bool so "-lpthread" does not ask for help
        shorts = (shorts.size() > 2 && shorts[1] == '=') ? std::string_view() : shorts.substr(1);
        continue;
      }
      if (shorts.size() > 2 && shorts[1] == '=') break;
      skip_unknown_value(index);
      shorts.remove_prefix(1);
    }
    i = index;
  }
  return go_pick_version(module, {x.begin(), x.end()});
}

std::string go_pick_version(std::string_view module,
                            const std::vector<std::pair<std::string, std::string>>& key_values) {
  // Three tiers, searched in order: <module>/cmd/**, the common prefixes, anything else.
  std::vector<std::string> tiers[3];
  for (const auto& [raw_key, raw_value] : key_values) {
    // -X='key=value' keeps its quotes through pflag; trivy trims them.
    std::string_view key = raw_key;
    std::string_view value = raw_value;
    while (key.starts_with('\'')) key.remove_prefix(1);
    while (value.ends_with('\'')) value.remove_suffix(1);
    std::string lower = ascii_lower(key);
    bool version_key = lower.ends_with(".version") || lower.ends_with(".ver");
    if (!version_key || !(is_go_semver(value) || is_go_semver("v" + std::string(value)))) continue;
    // The prefix of the last path element: "github.com/x/pkg/version/app.ver" -> "app".
    std::string_view last = key;
    if (size_t slash = last.rfind('/'); slash != std::string_view::npos && slash > 0)
      last.remove_prefix(slash + 1);
    std::string prefix = ascii_lower(last.substr(0, last.find('.')));
    if (key.starts_with(std::string(module) + "/cmd/"))
      tiers[0].emplace_back(value);
    else if (prefix == "main" || prefix == "common" || prefix == "version" || prefix == "cmd")
      tiers[1].emplace_back(value);
    else
      tiers[2].emplace_back(value);
  }
  // The first tier with a version decides; two versions in it mean "unknown".
  for (const auto& tier : tiers)
    if (!tier.empty()) return tier.size() == 1 ? tier[0] : std::string();
  return {};
}

}  // namespace pith::catalog
