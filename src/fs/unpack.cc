// Applying a layer tar to a directory, confined to it, as a runtime's unpacker would: whiteouts
// by the one rule of fs/whiteout.h, parents resolved inside the root (RootDir), sparse files
// written sparse.
#include "fs/unpack.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs/whiteout.h"
#include "tar/entry.h"

namespace pith::fs {

namespace {

constexpr std::string_view k_overlay_xattrs = "trusted.overlay.";

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

std::string base_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Error fail(const std::string& path) {
  return make_error(path + ": " + errno_text(errno));
}

// `name` in the directory `dir` as a path the *xattr calls take (they have no *at form):
// the descriptor's own entry in /proc, so no parent is looked up again.
std::string proc_path(int dir, const std::string& name) {
  return "/proc/self/fd/" + std::to_string(dir) + "/" + name;
}

// Removes `name` in `dir` (a whole tree for a directory); missing is fine.
Result<void> remove(int dir, const std::string& name, const std::string& shown) {
  struct stat st {};
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return {};
  return remove_tree_at(dir, name).wrap(shown);
}

// A regular file: the stored runs written at their offsets, the size set at the end, so the
// holes of a sparse file stay holes.
Result<UniqueFd> write_file(int dir, const std::string& name, const tar::Entry& e,
                            tar::EntryContent& content) {
  UniqueFd out(
      ::openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out) return fail(e.path);
  for (;;) {
    auto block = TRY(content.read_block());
    if (!block) break;
    auto data = block->data;
    uint64_t offset = block->offset;
    while (!data.empty()) {
      ssize_t n = ::pwrite(out.get(), data.data(), data.size(), static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return fail(e.path);
      data = data.subspan(static_cast<size_t>(n));
      offset += static_cast<uint64_t>(n);
    }
  }
  if (::ftruncate(out.get(), static_cast<off_t>(e.size)) != 0) return fail(e.path);
  if (::fchmod(out.get(), e.mode) != 0) return fail(e.path);
  return out;
}

Result<void> set_mode(int dir, const std::string& name, uint32_t mode, const std::string& path) {
  UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd || ::fchmod(fd.get(), mode) != 0) return fail(path);
  return {};
}

timespec to_timespec(int64_t seconds) {
  return timespec{static_cast<time_t>(seconds), 0};
}

}  // namespace

Result<Unpacker> Unpacker::open(const std::string& dir, UnpackOptions options) {
  return Unpacker(TRY(RootDir::open(dir)), options);
}

Result<void> Unpacker::apply(const tar::Entry& e, tar::EntryContent& content) {
  if (e.path.empty()) return {};
  if (fs::is_whiteout(e.path) || fs::is_aufs_metadata(e.path)) return apply_marker(e);
  int dir = TRY(parent_dir(parent_of(e.path)));
  std::string name = base_name(e.path);
  struct stat st {};
  bool exists = ::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  // Replacing an entry of the kept directory leaves that directory (`dir`) as it is.
  if (exists && !(S_ISDIR(st.st_mode) && e.type == tar::EntryType::directory))
    TRY(remove(dir, name, e.path));
  if (e.type == tar::EntryType::directory && (!exists || !S_ISDIR(st.st_mode))) {
    if (::mkdirat(dir, name.c_str(), 0700) != 0) return fail(e.path);
  }
  return create(dir, name, e, content);
}

Result<void> Unpacker::apply_marker(const tar::Entry& e) {
  Classified kind = TRY(fs::classify(e.path));
  bool overlay = m_options.whiteouts == UnpackOptions::Whiteouts::overlay;
  switch (kind.marker) {
    case Marker::aufs:
    case Marker::none:
      return {};
    case Marker::opaque: {
      if (overlay) {
        // The directory this layer holds hides what the layers below put there.
        int dir = TRY(parent_dir(kind.target));
        UniqueFd fd(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!fd || ::fsetxattr(fd.get(), "trusted.overlay.opaque", "y", 1, 0) != 0)
          return fail(e.path);
        return {};
      }
      auto dir = TRY(m_root.open_dir("/" + kind.target, RootDir::Create::no));
      if (dir) {
        forget_parents();
        TRY(empty_directory(dir.get()).wrap(tar::shown_path(e.path)));
      }
      return {};
    }
    case Marker::whiteout: {
      if (overlay) {
        // overlayfs's whiteout: a 0:0 character device under the deleted name.
        int dir = TRY(parent_dir(parent_of(kind.target)));
        std::string name = base_name(kind.target);
        TRY(remove(dir, name, e.path));
        if (::mknodat(dir, name.c_str(), S_IFCHR, ::makedev(0, 0)) != 0) return fail(e.path);
        return {};
      }
      auto dir = TRY(m_root.open_dir("/" + parent_of(kind.target), RootDir::Create::no));
      if (dir) {
        forget_parents();  // the kept directory may be the one removed, or below it
        TRY(remove(dir.get(), base_name(kind.target), e.path));
      }
      return {};
    }
  }
  return {};
}

Result<void> Unpacker::create(int dir, const std::string& name, const tar::Entry& e,
                              tar::EntryContent& content) {
  bool keep = m_options.metadata == UnpackOptions::Metadata::keep;
  switch (e.type) {
    case tar::EntryType::directory:
      if (keep) m_dir_mtimes.emplace_back(e.path, e.mtime);
      if (keep) TRY(keep_metadata(dir, name, e));
      return set_mode(dir, name, e.mode, e.path);  // after chown, which clears setgid
    case tar::EntryType::regular: {
      UniqueFd fd = TRY(write_file(dir, name, e, content));
      if (!keep) return {};
      TRY(keep_metadata(dir, name, e));
      if (::fchmod(fd.get(), e.mode) != 0) return fail(e.path);  // chown cleared setuid
      timespec times[2] = {to_timespec(e.mtime), to_timespec(e.mtime)};
      if (::futimens(fd.get(), times) != 0) return fail(e.path);
      return {};
    }
    case tar::EntryType::symlink:
      if (::symlinkat(e.link_target.c_str(), dir, name.c_str()) != 0) return fail(e.path);
      break;
    case tar::EntryType::hardlink: {
      // The target as the kernel's link() finds it: its parents followed inside the root.
      auto from = TRY(m_root.open_dir("/" + parent_of(e.link_target), RootDir::Create::no));
      std::string target = base_name(e.link_target);
      if (!from || ::linkat(from.get(), target.c_str(), dir, name.c_str(), 0) != 0) {
        if (!from || errno == ENOENT)
          return make_error(e.path + ": hard link to missing " + e.link_target);
        return fail(e.path);
      }
      return {};  // one inode: its owner, mode and times are the target's
    }
    case tar::EntryType::char_device:
    case tar::EntryType::block_device:
    case tar::EntryType::fifo: {
      if (!keep) return {};  // not copied into a build
      mode_t kind = e.type == tar::EntryType::fifo          ? S_IFIFO
                    : e.type == tar::EntryType::char_device ? S_IFCHR
                                                            : S_IFBLK;
      if (::mknodat(dir, name.c_str(), kind | (e.mode & 0777),
                    ::makedev(e.dev_major, e.dev_minor)) != 0)
        return fail(e.path);
      break;
    }
  }
  if (!keep) return {};
  TRY(keep_metadata(dir, name, e));
  if (e.type != tar::EntryType::symlink &&
      ::fchmodat(dir, name.c_str(), e.mode, 0) != 0)  // a node just made, never a symlink
    return fail(e.path);
  timespec times[2] = {to_timespec(e.mtime), to_timespec(e.mtime)};
  if (::utimensat(dir, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) return fail(e.path);
  return {};
}

// Owner first, then xattrs: chown drops security.capability, as it drops setuid bits.
Result<void> Unpacker::keep_metadata(int dir, const std::string& name, const tar::Entry& e) {
  if (::fchownat(dir, name.c_str(), static_cast<uid_t>(e.uid), static_cast<gid_t>(e.gid),
                 AT_SYMLINK_NOFOLLOW) != 0)
    return fail(e.path);
  for (const auto& [key, value] : e.xattrs) {
    if (key.starts_with(k_overlay_xattrs))
      return make_error(tar::shown_path(e.path) + ": refusing the overlayfs xattr " + key);
    if (::lsetxattr(proc_path(dir, name).c_str(), key.c_str(), value.data(), value.size(), 0) != 0)
      return make_error(tar::shown_path(e.path) + ": xattr " + key + ": " + errno_text(errno));
  }
  return {};
}

Result<void> Unpacker::finish() {
  forget_parents();
  for (auto it = m_dir_mtimes.rbegin(); it != m_dir_mtimes.rend(); ++it) {
    auto dir = TRY(m_root.open_dir("/" + it->first, RootDir::Create::no));
    if (!dir) continue;  // removed by a later entry
    UniqueFd fd(::openat(dir.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    timespec times[2] = {to_timespec(it->second), to_timespec(it->second)};
    if (!fd || ::futimens(fd.get(), times) != 0) return fail(it->first);
  }
  m_dir_mtimes.clear();
  return {};
}

// The directory `path` (created as needed). Entries come grouped by directory, so the last
// one is kept: most entries cost no walk at all.
Result<int> Unpacker::parent_dir(const std::string& path) {
  if (m_parent && m_parent_path == path) return m_parent.get();
  m_parent = TRY(m_root.open_dir("/" + path, RootDir::Create::yes).wrap(tar::shown_path(path)));
  m_parent_path = path;
  return m_parent.get();
}

// A removal may take the kept directory, or a symlink on the way to it, away.
void Unpacker::forget_parents() {
  m_parent.reset();
  m_parent_path.clear();
}

}  // namespace pith::fs
