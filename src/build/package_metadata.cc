// package_metadata: which OS packages own the files an image takes from a root, and their
// records written the distroless way (see package_dpkg.cc, package_apk.cc, package_rpm.cc).
#include "build/package_metadata.h"

#include <algorithm>
#include <tuple>

#include "build/package_metadata_parts.h"

namespace pith::build {
namespace detail {

PathMatcher::PathMatcher(const RootDir& root, const std::set<std::string>& included)
    : m_root(root), m_included(included) {
  for (const std::string& path : included) m_names.insert(path.substr(path.rfind('/') + 1));
}

std::optional<std::string> PathMatcher::included(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view name = path.substr(slash + 1);
  // Most listed files are not in the image; their name alone says so, without a resolve.
  if (name.empty() || name == "." || name == ".." || !m_names.contains(name)) return std::nullopt;
  std::string dir(slash == 0 ? std::string_view("/") : path.substr(0, slash));
  auto it = m_dirs.find(dir);
  if (it == m_dirs.end()) {
    std::optional<std::string> canonical;
    if (auto resolved = m_root.resolve(dir)) canonical = resolved->path;
    it = m_dirs.emplace(dir, std::move(canonical)).first;
  }
  if (!it->second) return std::nullopt;
  std::string canonical = *it->second == "/" ? "" : *it->second;
  canonical += '/';
  canonical += name;
  if (!m_included.contains(canonical)) return std::nullopt;
  return canonical;
}

std::vector<std::string> PathMatcher::owned(const std::vector<std::string>& paths) {
  std::set<std::string> owned;
  for (const std::string& path : paths) {
    if (auto canonical = included(path)) owned.insert(std::move(*canonical));
  }
  return {owned.begin(), owned.end()};
}

std::optional<std::string> read_database(const RootDir& root, const std::string& path,
                                         uint64_t limit, std::vector<catalog::Warning>& warnings) {
  auto exists = root.exists(path);
  if (!exists) {
    warnings.push_back({path, exists.error().message});
    return std::nullopt;
  }
  if (!*exists) return std::nullopt;
  auto bytes = root.read_file(path, limit);
  if (!bytes) {
    warnings.push_back({path, bytes.error().message});
    return std::nullopt;
  }
  return std::move(bytes).value();
}

}  // namespace detail

Result<PackageMetadata> package_metadata(const RootDir& root, const std::set<std::string>& included,
                                         const std::string& cache_dir) {
  PackageMetadata out;
  detail::PathMatcher matcher(root, included);
  // A root normally has one of these; each is looked for, so a mixed root loses nothing.
  detail::add_dpkg_metadata(root, matcher, cache_dir, out);
  detail::add_apk_metadata(root, matcher, out);
  detail::add_rpm_metadata(root, matcher, out);

  std::sort(out.packages.begin(), out.packages.end(),
            [](const catalog::Package& a, const catalog::Package& b) {
              return std::tie(a.name, a.arch, a.version, a.location) <
                     std::tie(b.name, b.arch, b.version, b.location);
            });
  std::sort(out.files.begin(), out.files.end(),
            [](const GeneratedFile& a, const GeneratedFile& b) { return a.path < b.path; });
  return out;
}

}  // namespace pith::build
