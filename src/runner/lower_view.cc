// overlayfs's lookup across lower dirs, done with lstat on each layer.
#include "runner/lower_view.h"

#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <cerrno>

#include "util/file.h"

namespace pith::runner {

bool is_overlay_whiteout(const struct stat& st) {
  return S_ISCHR(st.st_mode) && st.st_rdev == ::makedev(0, 0);
}

Result<bool> is_opaque_dir(const std::string& path) {
  char value[2];
  ssize_t n = ::lgetxattr(path.c_str(), "trusted.overlay.opaque", value, sizeof value);
  if (n < 0) {
    if (errno == ENODATA || errno == ENOTSUP) return false;
    return make_error(path + ": " + errno_text(errno));
  }
  return n == 1 && value[0] == 'y';
}

Result<std::optional<struct stat>> LowerView::lookup(const std::string& path) const {
  auto found = TRY(find(path));
  if (!found) return std::optional<struct stat>();
  return std::optional<struct stat>(found->second);
}

Result<std::optional<std::string>> LowerView::locate(const std::string& path) const {
  auto found = TRY(find(path));
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(found->first);
}

Result<std::optional<std::pair<std::string, struct stat>>> LowerView::find(
    const std::string& path) const {
  using Found = std::optional<std::pair<std::string, struct stat>>;
  std::vector<std::string> parts;
  for (size_t start = 0; start < path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  for (const auto& layer : m_layers) {
    std::string at = layer;
    bool hides_below = false;  // an opaque directory on the way in this layer
    bool found = true;
    struct stat st {};
    if (::lstat(at.c_str(), &st) != 0) return make_error(at + ": " + errno_text(errno));
    for (size_t i = 0; i < parts.size(); ++i) {
      at += "/" + parts[i];
      if (::lstat(at.c_str(), &st) != 0) {
        if (errno != ENOENT) return make_error(at + ": " + errno_text(errno));
        found = false;
        break;
      }
      if (is_overlay_whiteout(st)) return Found();
      if (i + 1 == parts.size()) break;
      if (!S_ISDIR(st.st_mode)) return Found();  // a file hides what lies below its name
      if (TRY(is_opaque_dir(at))) hides_below = true;
    }
    if (found) return Found(std::make_pair(at, st));
    if (hides_below) return Found();
  }
  return Found();
}

}  // namespace pith::runner
