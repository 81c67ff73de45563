// What the lower layers of a run show, looked up the way overlayfs looks them up: the top
// layer first, a 0:0 character device hides the name below it, a directory marked
// trusted.overlay.opaque hides what lower layers hold in it, a non-directory hides everything
// under its name. The runner asks it what existed before a RUN (opaque marks are kept only
// where a directory was below; the init layer copies the image's /etc).
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/result.h"

namespace pith::runner {

// Whether a directory entry is an overlayfs whiteout, and whether a directory is opaque.
bool is_overlay_whiteout(const struct stat& st);
Result<bool> is_opaque_dir(const std::string& path);

class LowerView {
 public:
  explicit LowerView(std::vector<std::string> layers) : m_layers(std::move(layers)) {}  // top first

  // The lstat of what `path` (relative and normalised, "" for the root) names once the layers
  // are merged, or nullopt when nothing does. Components are looked up literally in each
  // layer (as overlayfs does), never through a symlink.
  Result<std::optional<struct stat>> lookup(const std::string& path) const;
  // The host path of what `path` names once merged (in the layer that shows it), or nullopt.
  Result<std::optional<std::string>> locate(const std::string& path) const;

 private:
  Result<std::optional<std::pair<std::string, struct stat>>> find(const std::string& path) const;
  std::vector<std::string> m_layers;
};

}  // namespace pith::runner
