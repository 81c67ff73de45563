// `RUN --mount=...`: one value read as BuildKit reads it (frontend/dockerfile/instructions/
// commands_runmount.go, parseMount): CSV fields (tonistiigi/go-csvvalue), each `key=value`
// value expanded with the stage's variables, its checks and messages; then what BuildKit's
// dispatch derives from it (dockerfile2llb/convert_runmount.go, convert_secrets.go): the
// absolute target, the cache id, the secret's id, file and environment variable.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pith::dockerfile {

enum class MountType { bind, cache, tmpfs, secret, ssh };
// Cache sharing; `private` is a C++ keyword, hence the underscore.
enum class MountSharing { shared, private_, locked };

std::string_view mount_type_name(MountType type);

struct RunMount {
  MountType type = MountType::bind;  // BuildKit's default
  std::string from;                  // a stage name or image; "" for the build context
  std::string source;                // src=, as written (relative to `from`'s root)
  std::string target;                // dst=, as written: may be relative or empty
  // ro/rw; when neither is given, read-only except for cache and tmpfs.
  bool read_only = true;
  int64_t size_limit = 0;  // tmpfs size= in bytes (docker/go-units RAMInBytes); 0: none
  std::string id;          // id=: the cache's, the secret's or the ssh agent's
  std::optional<MountSharing> sharing;  // unset: shared (BuildKit's default)
  bool required = false;                // secret, ssh: fail when the secret is missing
  std::optional<std::string> env;       // secret: also (or only) as this variable
  std::optional<uint32_t> mode;         // cache, secret, ssh (octal as written)
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
};

// The expansion of one value with the stage's variables: BuildKit's ProcessWord (the
// stage's escape character, quotes processed), e.g.
//   [&](std::string_view w) { return process_word(w, vars, {.escape = escape}); }
using WordExpander = std::function<Result<std::string>(std::string_view)>;

// BuildKit's check when the instruction is parsed, before any stage runs: the CSV itself, and
// `from=` holding a variable ("'from' doesn't support variable expansion, define alias stage
// instead"). The other checks wait for parse_run_mount.
Result<void> check_run_mount(std::string_view value);

// The mount when the RUN is dispatched: each field's value after its '=' is expanded by
// `expand` (values are taken as written when it is empty: an already expanded string), keys
// and types are case-insensitive; BuildKit's errors, e.g. "unexpected key 'typ' in 'typ=tmpfs'
// (did you mean type?)", "mode not allowed for \"bind\" type mounts".
Result<RunMount> parse_run_mount(std::string_view value, const WordExpander& expand = {});

// Where the mount goes in the container (bind, cache, tmpfs): the target made absolute
// against `workdir` and cleaned, as dispatchRunMounts does; "/" (e.g. no target with WORKDIR
// /) is `invalid mount target "/"`.
Result<std::string> mount_target(const RunMount& mount, std::string_view workdir);

// The cache's id: id= or else the target as written, cleaned (path.Clean), as BuildKit keys
// its cache mounts (within the builder's namespace).
std::string cache_id(const RunMount& mount);

// A cache directory's owner and mode when first made: uid, gid (0 unless given) and mode
// (0755 unless given), as BuildKit's setCacheUIDGID.
struct CacheDirMode {
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t mode = 0755;
};
CacheDirMode cache_dir_mode(const RunMount& mount);

// A secret mount as dispatchSecret makes it: the secret's id (source=, else id=, else the
// target's base name), the file it is mounted as (none when only env= is given without a
// target; /run/secrets/<id> when no target is given), the variable it is also given as, the
// file's owner and mode (0:0 0400 unless given).
struct SecretUse {
  std::string id;
  std::optional<std::string> target;
  std::optional<std::string> env;
  bool required = false;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t mode = 0400;
};
Result<SecretUse> secret_use(const RunMount& mount);

}  // namespace pith::dockerfile
