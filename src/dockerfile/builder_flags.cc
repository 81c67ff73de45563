// BuildKit's builder flags and command lines for the instruction layer (see
// instruction_parts.h).
#include <algorithm>
#include <cctype>

#include "dockerfile/instruction_parts.h"
#include "util/ascii.h"

namespace pith::dockerfile {

namespace {}  // namespace

Result<std::vector<Flag>> parse_flags(const std::vector<std::string>& given,
                                      std::initializer_list<FlagSpec> specs) {
  std::vector<Flag> out;
  std::vector<std::string> used;
  for (const std::string& a : given) {
    if (a == "--") break;
    if (a.rfind("--", 0) != 0) return Error{"arg should start with -- : " + a};
    size_t eq = a.find('=');
    bool has_value = eq != std::string::npos;
    std::string flag_name = a.substr(0, eq);
    std::string name = flag_name.substr(2);
    std::string value = has_value ? a.substr(eq + 1) : std::string();
    const FlagSpec* spec = nullptr;
    for (const FlagSpec& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (!spec) return Error{"unknown flag: " + flag_name};
    if (spec->type != FlagType::strings &&
        std::find(used.begin(), used.end(), name) != used.end()) {
      return Error{"duplicate flag specified: " + flag_name};
    }
    used.push_back(name);
    if (spec->type == FlagType::boolean) {
      if (has_value && value.empty()) return Error{"missing a value on flag: " + flag_name};
      std::string v = ascii_lower(value);
      if (v == "true" || v.empty()) {
        value = "true";
      } else if (v == "false") {
        value = "false";
      } else {
        return Error{"expecting boolean value for flag " + flag_name + ", not: " + value};
      }
    } else if (!has_value) {
      return Error{"missing a value on flag: " + flag_name};
    }
    out.push_back({name, value});
  }
  return out;
}

// handleJSONArgs: exec form as is; shell form joined into one text.
std::vector<std::string> command_line(const Node& node) {
  if (node.args.empty()) return {};
  if (node.json) return node.args;
  std::string joined;
  for (size_t i = 0; i < node.args.size(); ++i) {
    if (i) joined += ' ';
    joined += node.args[i];
  }
  return {joined};
}

Error at_least_one(std::string_view cmd) {
  return Error{std::string(cmd) + " requires at least one argument"};
}

}  // namespace pith::dockerfile
