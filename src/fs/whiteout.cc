// Whiteout names classified once, for the squash and the unpacker alike.
#include "fs/whiteout.h"
#include "util/path_text.h"

namespace pith::fs {

namespace {

constexpr std::string_view k_aufs_prefix = ".wh..wh.";

}  // namespace

bool is_whiteout(std::string_view path) {
  return path_base_name(path).starts_with(k_whiteout_prefix);
}

bool is_aufs_metadata(std::string_view path) {
  for (size_t start = 0; start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.starts_with(k_aufs_prefix) && part != k_opaque_whiteout) return true;
    start = end + 1;
  }
  return false;
}

Result<Classified> classify(const std::string& path) {
  if (is_aufs_metadata(path)) return Classified{Marker::aufs, ""};
  std::string_view name = path_base_name(path);
  std::string_view dir = path_parent(path);
  if (name == k_opaque_whiteout) return Classified{Marker::opaque, std::string(dir)};
  if (!name.starts_with(k_whiteout_prefix)) return Classified{};
  std::string_view target = name.substr(k_whiteout_prefix.size());
  if (target.empty() || target == "." || target == "..")
    return make_error(path + ": a whiteout of \"" + std::string(target) +
                      "\" would delete its own directory or what holds it");
  std::string full =
      dir.empty() ? std::string(target) : std::string(dir) + "/" + std::string(target);
  return Classified{Marker::whiteout, std::move(full)};
}

}  // namespace pith::fs
