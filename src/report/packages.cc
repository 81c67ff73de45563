// Package discovery over per-layer captures.
#include "report/packages.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "catalog/apk.h"
#include "catalog/dpkg.h"
#include "catalog/golang.h"
#include "catalog/java.h"
#include "catalog/npm.h"
#include "catalog/os_purl.h"
#include "catalog/python.h"
#include "catalog/rpmdb.h"
#include "catalog/rust.h"
#include "util/limits.h"

namespace pith::report {

namespace {

constexpr std::string_view k_dpkg_status = "var/lib/dpkg/status";
constexpr std::string_view k_dpkg_status_d = "var/lib/dpkg/status.d/";
constexpr std::string_view k_apk_installed = "lib/apk/db/installed";

bool is_rpm_database(std::string_view path) {
  for (std::string_view dir : {"var/lib/rpm/", "usr/lib/sysimage/rpm/"}) {
    if (!path.starts_with(dir)) continue;
    std::string_view name = path.substr(dir.size());
    if (name == "Packages" || name == "rpmdb.sqlite" || name == "Packages.db") return true;
  }
  return false;
}

bool is_status_d_stanza(std::string_view path) {
  if (!path.starts_with(k_dpkg_status_d)) return false;
  std::string_view name = path.substr(k_dpkg_status_d.size());
  return !name.empty() && name.find('/') == std::string_view::npos &&
         !catalog::is_dpkg_status_d_control_file(name);
}

bool is_os_database(std::string_view path) {
  return path == k_dpkg_status || path == k_apk_installed || is_status_d_stanza(path) ||
         is_rpm_database(path);
}

constexpr uint64_t k_max_dpkg_file_list = 16 << 20;

// dpkg's lists of each package's files: info/<key>.list, info/<key>.md5sums and (distroless)
// status.d/<key>.md5sums.
std::optional<catalog::DpkgFileListRef> dpkg_file_list(std::string_view path) {
  if (!path.starts_with("var/lib/dpkg/")) return std::nullopt;
  return catalog::dpkg_file_list_ref(path);
}

Result<std::vector<catalog::Package>> parse_os_database(const fs::CapturedFile& f,
                                                        const catalog::OsContext& os,
                                                        std::vector<catalog::Warning>& warnings) {
  std::string location = "/" + f.path;
  if (f.path == k_dpkg_status) return catalog::parse_dpkg_status(f.bytes, location, os, &warnings);
  if (f.path == k_apk_installed)
    return catalog::parse_apk_installed(f.bytes, location, os, &warnings);
  if (is_status_d_stanza(f.path))
    return catalog::parse_dpkg_status_d(f.bytes, location, os, &warnings);
  return catalog::parse_rpmdb(f.bytes, location, os, &warnings);
}

std::string package_key(const catalog::Package& p) {
  return std::string(catalog::type_name(p.type)) + "\n" + p.name + "\n" + p.version + "\n" + p.arch;
}

void add_findings(Result<catalog::Findings> found, const std::string& location, LayerCatalog& out,
                  bool quiet_if_not_applicable) {
  if (!found) {
    if (!quiet_if_not_applicable)
      out.warnings.push_back(location + ": skipped: " + found.error().message);
    return;
  }
  for (auto& w : found->warnings) out.warnings.push_back(w.location + ": " + w.message);
  for (auto& p : found->packages) out.language.push_back(std::move(p));
}

// Each deb package's files, from the file lists the final tree shows (by key: "name:arch" or
// "name"): its .list, what `dpkg -S` reads, else its .md5sums (distroless's status.d has only
// those).
void attach_deb_files(const std::vector<LayerCatalog>& layers, const fs::Tree& tree,
                      std::vector<PackageReport>& packages) {
  std::unordered_map<std::string, const std::vector<std::string>*> lists, md5sums;
  for (size_t i = 0; i < layers.size(); ++i) {
    for (const auto& f : layers[i].dpkg_file_lists) {
      const fs::Node* node = tree.lookup(f.path);
      if (node == nullptr || node->entry.type != tar::EntryType::regular || node->layer != i)
        continue;  // deleted or replaced by a later layer
      (f.kind == catalog::DpkgFileListKind::list ? lists : md5sums)[f.key] = &f.files;
    }
  }
  for (const auto& [key, files] : md5sums) lists.try_emplace(key, files);
  if (lists.empty()) return;
  for (auto& p : packages) catalog::attach_dpkg_file_lists(p.package, lists);
}

}  // namespace

bool is_system_file(std::string_view path) {
  return path == "etc/os-release" || path == "usr/lib/os-release" || path == "etc/passwd" ||
         path == "etc/group" || catalog::is_release_file(path);
}

fs::Want wanted_content(const tar::Entry& e) {
  std::string_view path = e.path;
  if (is_system_file(path) || is_os_database(path)) return fs::Want::content;
  // A real list is under 10 MB (the largest, of texlive's font packages, ~8 MB); past 16 MiB
  // it is not read at all, rather than held whole and then refused by its lines.
  if (dpkg_file_list(path))
    return e.size <= k_max_dpkg_file_list ? fs::Want::content : fs::Want::nothing;
  if (catalog::looks_like_python_metadata(path, "") ||
      catalog::looks_like_npm_package_json(path, "") || catalog::looks_like_java_archive(path, ""))
    return fs::Want::content;
  // Go and Rust binaries: executables whose first bytes are ELF.
  if ((e.mode & 0111) != 0 && e.size >= 64) return fs::Want::content_if_elf;
  return fs::Want::nothing;
}

void catalog_file(fs::CapturedFile&& file, LayerCatalog& out, CatalogBudget& budget) {
  std::string location = "/" + file.path;
  bool system = is_system_file(file.path);
  auto list = system ? std::nullopt : dpkg_file_list(file.path);
  if (system || list || is_os_database(file.path)) {
    if ((budget.kept_bytes += file.bytes.size()) > k_max_kept_bytes) {
      out.warnings.push_back(location + ": skipped: the image's package databases and system " +
                             "files take more than " + std::to_string(k_max_kept_bytes) + " bytes");
      return;
    }
    if (list) {
      // Parsed here, in the layer's worker, while the stream goes on; its lines counted first.
      uint64_t lines =
          static_cast<uint64_t>(std::count(file.bytes.begin(), file.bytes.end(), '\n'));
      if ((budget.listed_paths += lines + 1) > k_max_entries) {
        out.warnings.push_back(location + ": skipped: the image's dpkg file lists name more than " +
                               std::to_string(k_max_entries) + " paths");
        return;
      }
      bool md5 = list->kind == catalog::DpkgFileListKind::md5sums;
      out.dpkg_file_lists.push_back({file.path, list->key, list->kind,
                                     md5 ? catalog::parse_dpkg_md5sums(file.bytes, location)
                                         : catalog::parse_dpkg_file_list(file.bytes)});
      return;
    }
    (system ? out.system_files : out.os_databases).push_back(std::move(file));
  } else if (catalog::looks_like_python_metadata(file.path, file.bytes)) {
    add_findings(catalog::parse_python_metadata(file.bytes, location), location, out, false);
  } else if (catalog::looks_like_npm_package_json(file.path, file.bytes)) {
    add_findings(catalog::parse_npm_package_json(file.bytes, location), location, out, false);
  } else if (catalog::looks_like_java_archive(file.path, file.bytes)) {
    add_findings(catalog::parse_java_archive(file.bytes, location), location, out, false);
  } else if (catalog::looks_like_go_binary(file.path, file.bytes)) {
    // Most ELF files are neither Go programs nor cargo-auditable ones: no warning for those.
    add_findings(catalog::parse_go_binary(file.bytes, location), location, out, true);
    add_findings(catalog::parse_rust_binary(file.bytes, location), location, out, true);
  }
}

std::vector<PackageReport> merge_packages(const std::vector<LayerCatalog>& layers,
                                          const fs::Tree& tree, const catalog::OsContext& os,
                                          std::vector<std::string>& warnings) {
  std::vector<PackageReport> out;
  // OS databases: the version the final tree shows; a package was introduced by the lowest
  // layer from which every later version of that database lists it.
  std::map<std::string, std::vector<std::pair<size_t, const fs::CapturedFile*>>> versions;
  for (size_t i = 0; i < layers.size(); ++i)
    for (const auto& f : layers[i].os_databases) versions[f.path].emplace_back(i, &f);
  for (const auto& [path, list] : versions) {
    const fs::Node* node = tree.lookup(path);
    if (node == nullptr || node->entry.type != tar::EntryType::regular) continue;
    std::vector<std::pair<size_t, std::set<std::string>>> parsed;  // newest first
    std::vector<catalog::Package> final_packages;
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
      if (it->first > node->layer) continue;
      std::vector<catalog::Warning> w;
      auto pkgs = parse_os_database(*it->second, os, w);
      bool is_final = parsed.empty();
      if (is_final)
        for (const auto& x : w) warnings.push_back(x.location + ": " + x.message);
      if (!pkgs) {
        if (is_final) warnings.push_back("/" + path + ": skipped: " + pkgs.error().message);
        break;
      }
      std::set<std::string> keys;
      for (const auto& p : *pkgs) keys.insert(package_key(p));
      if (is_final) final_packages = std::move(*pkgs);
      parsed.emplace_back(it->first, std::move(keys));
    }
    for (auto& p : final_packages) {
      size_t layer = parsed.front().first;
      for (const auto& [l, keys] : parsed) {
        if (!keys.count(package_key(p))) break;
        layer = l;
      }
      out.push_back({std::move(p), layer});
    }
  }
  attach_deb_files(layers, tree, out);
  // Language packages: only from the version of their file the final tree shows.
  for (size_t i = 0; i < layers.size(); ++i) {
    for (const auto& p : layers[i].language) {
      std::string file = p.location.substr(0, p.location.find(':'));  // nested jars: "a.jar:b.jar"
      const fs::Node* node = tree.lookup(file.empty() ? file : file.substr(1));
      if (node == nullptr || node->layer != i) continue;
      out.push_back({p, i});
    }
  }
  for (size_t i = 0; i < layers.size(); ++i)
    for (const auto& w : layers[i].warnings) warnings.push_back(w);
  return out;
}

}  // namespace pith::report
