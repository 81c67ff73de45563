// Whether the image's user can reach a file, as the kernel decides it when the container
// starts: every directory on the way searchable, the file executable (programs, the ELF
// interpreter) or readable (libraries), for the uid, gid and supplementary groups that runc
// gives the process from the config's User and the image's /etc/passwd and /etc/group.
// `pith build` checks its plan with it before writing anything (rule PL107, docs/rules/).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pith::lint {

struct Identity {
  uint64_t uid = 0;
  uint64_t gid = 0;
  std::vector<uint64_t> groups;  // supplementary
};

// The User of an image config ("uid", "uid:gid", "name", "name:group") as runc resolves it:
// names through `passwd` and `group`; the primary gid from the passwd line when none is given
// (0 when the uid has none); supplementary groups: every group listing the user's name.
// nullopt when a name is in neither file (the container would not start at all).
std::optional<Identity> identity_of(std::string_view user, std::string_view passwd,
                                    std::string_view group);

// Whether a line of `passwd` has the numeric uid `uid`.
bool passwd_has_uid(std::string_view passwd, std::string_view uid);

// A path's owner and mode in the image.
struct Meta {
  bool directory = false;
  uint32_t mode = 0;
  uint64_t uid = 0;
  uint64_t gid = 0;
};

enum class Access { search, read, execute };

// The kernel's permission check (generic_permission): owner bits for the owner, group bits for
// its groups, other bits else; uid 0 passes every check but executing a file no x bit allows.
bool allows(const Meta& meta, const Identity& who, Access access);

// The first place `who` cannot pass on the way to `path` (absolute, normalised, symlinks
// already followed): a directory it cannot search, or the file itself lacking `last`. `meta`
// gives each path's metadata; nullopt for a path that is no entry (an implied directory, taken
// as 0755 root's). nullopt when the file is reachable.
struct Barrier {
  std::string path;
  Meta meta;
  Access needed = Access::search;
};
std::optional<Barrier> first_barrier(
    std::string_view path, const Identity& who, Access last,
    const std::function<std::optional<Meta>(const std::string&)>& meta);

// "0700 0:0"-style text of a barrier, for messages: "cannot search /root (mode 0700, owner 0:0)".
std::string describe(const Barrier& b);

}  // namespace pith::lint
