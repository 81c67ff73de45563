// Surface checks: a distroless image has no shell, no package manager, and runs as a user that
// exists (numerically, so Kubernetes runAsNonRoot can verify it).
#include "report/surface.h"

#include <array>

namespace pith::report {

namespace {

constexpr std::array k_bin_dirs = {"bin/", "usr/bin/", "sbin/", "usr/sbin/", "usr/local/bin/"};
constexpr std::array k_shells = {"sh",   "bash", "dash", "ash",  "zsh",    "ksh",
                                 "mksh", "csh",  "tcsh", "fish", "busybox"};
constexpr std::array k_package_managers = {"apt",  "apt-get", "dpkg",     "apk",    "rpm",
                                           "yum",  "dnf",     "microdnf", "zypper", "pip",
                                           "pip3", "npm",     "gem"};

// The user field of a passwd line matches `user` by name or by uid.
bool user_in_passwd(std::string_view user, std::string_view passwd) {
  std::string_view name = user.substr(0, user.find(':'));  // "uid:gid" or "name:group"
  size_t pos = 0;
  while (pos < passwd.size()) {
    size_t end = passwd.find('\n', pos);
    if (end == std::string_view::npos) end = passwd.size();
    std::string_view line = passwd.substr(pos, end - pos);
    pos = end + 1;
    size_t c1 = line.find(':');
    if (c1 == std::string_view::npos) continue;
    size_t c2 = line.find(':', c1 + 1);
    size_t c3 = c2 == std::string_view::npos ? c2 : line.find(':', c2 + 1);
    if (line.substr(0, c1) == name) return true;
    if (c3 != std::string_view::npos && line.substr(c2 + 1, c3 - c2 - 1) == name) return true;
  }
  return false;
}

template <size_t N>
void find_programs(const fs::Tree& tree, const std::array<const char*, N>& names,
                   std::vector<std::string>& out) {
  for (const char* dir : k_bin_dirs) {
    for (const char* name : names) {
      const fs::Node* n = tree.find(std::string(dir) + name);
      if (n != nullptr && n->entry.type != tar::EntryType::directory)
        out.push_back("/" + std::string(dir) + name);
    }
  }
}

}  // namespace

Surface find_surface(const fs::Tree& tree, const std::string& user, std::string_view passwd) {
  Surface s;
  s.user = user;
  // Root needs no passwd entry to run; any other user must be resolvable.
  std::string_view name = std::string_view(user).substr(0, user.find(':'));
  s.user_exists = name.empty() || name == "root" || name == "0" || user_in_passwd(user, passwd);
  find_programs(tree, k_shells, s.shells);
  find_programs(tree, k_package_managers, s.package_managers);
  tree.for_each([&](const std::string& path, const fs::Node& node) {
    const auto& e = node.entry;
    if ((e.type == tar::EntryType::regular || e.type == tar::EntryType::hardlink) &&
        (e.mode & 06000) != 0)
      s.setuid.push_back("/" + path);
    bool sticky_dir = e.type == tar::EntryType::directory && (e.mode & 01000) != 0;
    if ((e.type == tar::EntryType::regular || e.type == tar::EntryType::directory) &&
        (e.mode & 0002) != 0 && !sticky_dir)
      s.world_writable.push_back("/" + path);
  });
  return s;
}

}  // namespace pith::report
