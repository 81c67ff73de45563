// nsswitch.conf reading and the NSS module names glibc derives from it.
#include "elf/dlopen_extras.h"

#include <algorithm>
#include <cctype>

#include "util/lines.h"

namespace pith::elf {

std::vector<std::string> nss_services(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view line : split_lines(text)) {
    line = line.substr(0, line.find('#'));
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    int depth = 0;
    std::string word;
    auto flush = [&] {
      if (!word.empty() && std::find(out.begin(), out.end(), word) == out.end())
        out.push_back(word);
      word.clear();
    };
    for (char c : line.substr(colon + 1)) {
      if (c == '[') {
        flush();
        ++depth;
      } else if (c == ']') {
        depth = std::max(0, depth - 1);
      } else if (depth == 0 && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                                c == '-' || c == '.')) {
        word += c;
      } else {
        flush();
      }
    }
    flush();
  }
  return out;
}

bool libc_has_builtin_nss(const DynamicInfo& libc) {
  const auto& v = libc.version_definitions;
  return std::find(v.begin(), v.end(), "GLIBC_2.34") != v.end();
}

std::vector<std::string> nss_modules(std::string_view nsswitch_conf, bool builtin_files_dns) {
  std::vector<std::string> services = nss_services(nsswitch_conf);
  // Without nsswitch.conf lines glibc falls back to files (and dns for hosts).
  for (std::string s : {"files", "dns"})
    if (std::find(services.begin(), services.end(), s) == services.end()) services.push_back(s);
  std::vector<std::string> out;
  for (const auto& s : services) {
    if (builtin_files_dns && (s == "files" || s == "dns")) continue;
    out.push_back("libnss_" + s + ".so.2");
  }
  return out;
}

}  // namespace pith::elf
