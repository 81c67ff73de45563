// Platforms as containerd's platforms package parses, normalises and formats them (the
// values of --platform, FROM --platform and the TARGET*/BUILD* ARGs).
#include "dockerfile/stages.h"

#include <cctype>

namespace pith::dockerfile {

std::string format_platform(const Platform& p) {
  std::string out = p.os + "/" + p.arch;
  if (!p.variant.empty()) out += "/" + p.variant;
  return out;
}

Result<Platform> parse_platform(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t slash = text.find('/', start);
    std::string part(
        text.substr(start, slash == std::string_view::npos ? text.npos : slash - start));
    for (char& c : part) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    parts.push_back(part);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  auto bad = [&]() {
    return Error{"\"" + std::string(text) +
                 "\": unknown operating system or architecture: invalid argument"};
  };
  for (const std::string& p : parts) {
    if (p.empty()) return bad();
    for (char c : p) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
        return Error{"\"" + std::string(text) + "\": invalid platform component: invalid argument"};
      }
    }
  }
  if (parts.size() > 3) return bad();
  Platform p;
  p.variant.clear();
  if (parts.size() == 1) {
    // A lone OS or architecture: containerd takes an architecture it knows, else an OS.
    const std::string& a = parts[0];
    if (a == "linux" || a == "windows" || a == "darwin" || a == "freebsd") {
      p.os = a;
      p.arch = "amd64";
    } else {
      p.os = "linux";
      p.arch = a;
    }
  } else {
    p.os = parts[0];
    p.arch = parts[1];
    if (parts.size() == 3) p.variant = parts[2];
  }
  if (p.arch == "x86_64" || p.arch == "x86-64" || p.arch == "amd64") {
    p.arch = "amd64";
    if (p.variant == "v1") p.variant.clear();
  } else if (p.arch == "aarch64" || p.arch == "arm64") {
    p.arch = "arm64";
    if (p.variant == "8" || p.variant == "v8" || p.variant == "v8.0") p.variant.clear();
  } else if (p.arch == "armhf") {
    p.arch = "arm";
    p.variant = "v7";
  } else if (p.arch == "armel") {
    p.arch = "arm";
    p.variant = "v6";
  } else if (p.arch == "arm") {
    if (p.variant.empty() || p.variant == "7")
      p.variant = "v7";
    else if (p.variant == "5" || p.variant == "6" || p.variant == "8")
      p.variant = "v" + p.variant;
  } else if (p.arch == "i386" || p.arch == "i686" || p.arch == "x86") {
    p.arch = "386";
  }
  if (p.os == "macos") p.os = "darwin";
  return p;
}

}  // namespace pith::dockerfile
