#include "report_html/owners.h"

#include "catalog/dpkg.h"

namespace pith::report_html {

Owners package_owners(const report::InspectReport& report, const lint::ImageView& image) {
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
  for (size_t i = 0; i < report.packages.size(); ++i) {
    const catalog::Package& p = report.packages[i].package;
    for (const auto& f : p.files) own(f, i);
    if (p.type != catalog::PackageType::deb) continue;
    // dpkg files a package's list under "name:arch" (Multi-Arch: same) or "name".
    for (const auto& key : catalog::dpkg_file_list_keys(p)) {
      bool found = false;
      for (const std::string& list :
           {"/var/lib/dpkg/info/" + key + ".list", "/var/lib/dpkg/info/" + key + ".md5sums",
            "/var/lib/dpkg/status.d/" + key + ".md5sums"}) {
        auto bytes = image.file(list);
        if (!bytes) continue;
        found = true;
        auto files = list.ends_with(".list") ? catalog::parse_dpkg_file_list(*bytes)
                                             : catalog::parse_dpkg_md5sums(*bytes, list);
        for (const auto& f : files) own(f, i);
      }
      if (found) break;
    }
  }
  return owners;
}

}  // namespace pith::report_html
