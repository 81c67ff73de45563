// What one RUN asks of the executor: the root's layers, the process, its identity and its
// network. Names (users, groups) are resolved by the caller; here only numbers.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pith::runner {

enum class Network {
  host,  // the host's network namespace, as `podman build --network host` gives
  none,  // a new one holding only lo
};

// An extra mount of the RUN (`RUN --mount`). Host paths are the caller's: the build context or
// a stage's root for bind, the persistent directory for cache (see make_cache_dir in
// run_mounts.h), the secret's file. Their mountpoints are stubbed in the init layer, and
// nothing written under them enters the RUN's layer.
enum class MountKind {
  // `source` (a directory or a file) at the target. Read-only, or writable with every write
  // discarded when the run ends (copy-on-write over the source: BuildKit's rw bind mount is
  // a scratch copy of its snapshot); the source itself is never written.
  bind,
  // `source` (a directory) bound as it is: writes persist in it (read-only if asked).
  cache,
  // A new tmpfs of `size_limit` bytes (0: the kernel's default, half the RAM).
  tmpfs,
  // `source` (a file) copied into a tmpfs private to the run, owned uid:gid with `mode`, and
  // bound read-only at the target (BuildKit: /run/secrets/<id> unless a target is given).
  secret,
};

struct Mount {
  MountKind kind = MountKind::bind;
  std::string target;      // absolute in the container
  std::string source;      // host path (bind, cache, secret)
  bool read_only = false;  // bind, cache, tmpfs
  int64_t size_limit = 0;  // tmpfs
  uint32_t uid = 0;        // secret: the file's owner and mode
  uint32_t gid = 0;
  uint32_t mode = 0400;
};

struct RunSpec {
  std::vector<std::string> lowers;  // layer directories of the root, top first
  std::vector<std::string> argv;    // argv[0] is looked up in the container's PATH by runc
  std::vector<std::string> env;     // "KEY=VALUE", as the process gets them
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;
  std::string cwd = "/";
  std::string hostname = "pith";
  Network network = Network::host;
  // Mounted sorted by target (a parent before what it holds; see mount_order).
  std::vector<Mount> mounts;
  std::string scratch_dir;  // where the run's temporary directory goes (upper, work, bundle)
  // Paths (relative, no leading "/") whose changes the layer drops: the image's VOLUMEs, which
  // podman and Docker mount over during a RUN and throw away.
  std::vector<std::string> discard;
  // Capabilities beyond podman's defaults (`pith slim --trace`: CAP_SYS_PTRACE, so its tracer
  // still reads a traced server's memory once the server has dropped privileges).
  std::vector<std::string> add_capabilities;
  // No command: only the overlay mount, for changes pith makes itself (COPY, ADD) through
  // Run::root(); no init layer, no bundle, no runc, no `mounts`.
  bool mount_only = false;
};

enum class Stream { out, err };
// Gets the command's output as it comes, in pieces of any size.
using OutputFn = std::function<void(Stream, std::string_view)>;

}  // namespace pith::runner
