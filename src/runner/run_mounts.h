// The host side of a RUN's extra mounts (RunSpec::mounts): what runc binds for each, made in
// the run's own directory, and undone with it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runner/init_layer.h"
#include "runner/overlay_mount.h"
#include "runner/run_spec.h"

namespace pith::runner {

struct HostMounts {
  // Per RunSpec::mounts, the host path runc binds: the source itself (read-only bind, cache),
  // an overlay over it (writable bind of a directory: the writes land in the run's
  // directory), a copy (writable bind of a file, a secret); "" for a tmpfs.
  std::vector<std::string> sources;
  std::vector<OverlayMount> held;  // unmounted (last first) before the directory goes
};

// Makes them under `dir` (the run's private directory): `dir`/m/<i>/ per mount, and one tmpfs
// `dir`/secrets (0711, as BuildKit's) holding the secrets' copies, so that no secret is
// written to a disk.
Result<HostMounts> make_host_mounts(const std::string& dir, const std::vector<Mount>& mounts);

// The mountpoints the init layer stubs: a file for a secret or a bound file, else a directory.
Result<std::vector<MountTarget>> mount_targets(const std::vector<Mount>& mounts);

// The order runc mounts them in: sorted by target, bytewise (as BuildKit's llb sorts an exec's
// mounts), so a mount is made before the ones inside it; the same target twice keeps the
// given order, the later on top (BuildKit keeps only the later: the same view).
std::vector<Mount> mount_order(std::vector<Mount> mounts);

// A cache mount's directory: made (with any missing parent, as mkdir -p) owned uid:gid with `mode`
// when it does not exist yet, as BuildKit sets a new cache's (uid 0, gid 0, 0755 unless the
// mount says otherwise); left as it is when it exists. Made under a temporary name and
// renamed into place, so concurrent builds see it whole. Returns whether it was made.
Result<bool> make_cache_dir(const std::string& path, uint32_t uid, uint32_t gid, uint32_t mode);

}  // namespace pith::runner
