#include "lint/owners.h"

namespace pith::lint {

Owners package_owners(const report::InspectReport& report, const ImageView& image) {
  Owners owners;
  // Each listed directory is resolved once (a package lists hundreds of files per directory).
  std::unordered_map<std::string, std::string> dirs;
  auto own = [&](const std::string& path, size_t index) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return;
    std::string dir = path.substr(0, slash);
    auto it = dirs.find(dir);
    if (it == dirs.end()) {
      auto r = image.resolve(dir.empty() ? "/" : dir);
      std::string canonical = r ? r->path : dir;
      if (canonical.starts_with('/')) canonical.erase(0, 1);
      it = dirs.emplace(dir, std::move(canonical)).first;
    }
    std::string name = path.substr(slash + 1);
    if (name.empty()) return;
    owners.emplace(it->second.empty() ? name : it->second + "/" + name, index);
  };
  for (size_t i = 0; i < report.packages.size(); ++i)
    for (const auto& f : report.packages[i].package.files) own(f, i);
  return owners;
}

}  // namespace pith::lint
