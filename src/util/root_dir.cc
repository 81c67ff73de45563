// RootDir: paths resolved inside a directory as a chroot would, one component at a time with
// openat(O_PATH|O_NOFOLLOW), so every symlink is seen (and recorded) before it is followed.
#include "util/root_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>

namespace pith {

namespace {

// The components of a path, without empty ones and ".", which name nothing.
std::deque<std::string> components(std::string_view path) {
  std::deque<std::string> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(pos, end - pos);
    if (!part.empty() && part != ".") out.emplace_back(part);
    pos = end + 1;
  }
  return out;
}

Result<std::string> readlink_fd(int fd, const std::string& shown) {
  std::string buf(256, '\0');
  for (;;) {
    // An O_PATH descriptor of a symlink reads its target with an empty path.
    ssize_t n = ::readlinkat(fd, "", buf.data(), buf.size());
    if (n < 0) return make_error(shown + ": readlink: " + errno_text(errno));
    if (static_cast<size_t>(n) < buf.size()) {
      buf.resize(static_cast<size_t>(n));
      return buf;
    }
    if (buf.size() >= 65536) return make_error(shown + ": symlink target too long");
    buf.resize(buf.size() * 2);
  }
}

}  // namespace

// Where a walk ended: the directory holding the last component (empty: the root), that
// component's name in it ("." when the walk ended on a directory, reached by ".." or "/"), its
// canonical path, and the links met. `err` is the errno of a failed walk.
struct RootDir::Walk {
  UniqueFd dir;
  std::string name = ".";
  std::string path;
  std::vector<Link> links;
  int parent(int root) const { return dir ? dir.get() : root; }
};

Result<RootDir::Walk> RootDir::walk(std::string_view path, Follow follow_last, Create create,
                                    int* err) const {
  *err = 0;
  auto fail = [&](int e, const std::string& at) -> Error {
    *err = e;
    std::string shown(path);
    if (at != shown) shown += " (at " + at + ")";
    return make_error(shown + ": " + errno_text(e));
  };
  if (path.empty() || path.front() != '/') {
    *err = EINVAL;
    return make_error(std::string(path) + ": not an absolute path");
  }
  // The walk holds the directory it is in and that directory's canonical path (no symlink in
  // it): ".." goes up by reopening the shorter path, so no descriptor is kept per level.
  Walk w;
  std::string canon;  // "" is the root
  UniqueFd cur;       // empty is the root
  auto reopen = [&]() -> Result<void> {
    if (canon.empty()) {
      cur.reset();
      return {};
    }
    open_how how{};
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    long fd = ::syscall(SYS_openat2, m_fd.get(), canon.c_str() + 1, &how, sizeof how);
    if (fd < 0) return fail(errno, canon);
    cur = UniqueFd(static_cast<int>(fd));
    ++m_steps;
    return {};
  };
  std::deque<std::string> todo = components(path);
  // Directories with no symlink on the way are taken in one openat2 lookup: the common case
  // costs one step, whatever the depth. Tried at the start and after each symlink.
  auto take_plain_run = [&]() {
    size_t n = 0;
    while (n + 1 < todo.size() && todo[n] != "..") ++n;
    if (n < 2) return;
    std::string run;
    for (size_t i = 0; i < n; ++i) run += (i ? "/" : "") + todo[i];
    open_how how{};
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    long fd = ::syscall(SYS_openat2, cur ? cur.get() : m_fd.get(), run.c_str(), &how, sizeof how);
    // The kernel walks a component in about a thirtieth of the time a lookup of our own takes.
    m_steps += 1 + n / 32;
    if (fd < 0) return;  // a symlink, a missing or odd component: one at a time below
    cur = UniqueFd(static_cast<int>(fd));
    canon += "/" + run;
    todo.erase(todo.begin(), todo.begin() + static_cast<std::ptrdiff_t>(n));
  };
  int links = 0;
  bool plain_run = true;
  while (!todo.empty()) {
    if (plain_run) {
      plain_run = false;
      take_plain_run();
      if (todo.empty()) break;
    }
    if (++m_steps > m_budget) {
      *err = ELOOP;
      return make_error(std::string(path) + ": gave up after " + std::to_string(m_budget) +
                        " path lookups in this root (chains of symbolic links?)");
    }
    std::string name = std::move(todo.front());
    todo.pop_front();
    if (name == "..") {  // never above the root, like a chroot
      if (!canon.empty()) {
        canon.resize(canon.rfind('/'));
        TRY(reopen());
      }
      continue;
    }
    bool last = todo.empty();
    std::string at = canon + "/" + name;
    int parent = cur ? cur.get() : m_fd.get();
    int fd = ::openat(parent, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create == Create::yes) {
      if (at.size() - 1 > k_max_path_bytes) return fail(ENAMETOOLONG, at);
      if (::mkdirat(parent, name.c_str(), 0755) != 0 && errno != EEXIST) return fail(errno, at);
      fd = ::openat(parent, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) return fail(errno, at);
    UniqueFd node(fd);
    struct stat st {};
    if (::fstat(node.get(), &st) != 0) return fail(errno, at);
    if (S_ISLNK(st.st_mode) && (!last || follow_last == Follow::yes)) {
      if (++links > k_max_symlinks) return fail(ELOOP, at);
      std::string target = TRY(readlink_fd(node.get(), at));
      w.links.push_back({at, target});
      if (target.starts_with('/')) {  // absolute targets restart at the root
        canon.clear();
        cur.reset();
      }
      std::deque<std::string> more = components(target);
      todo.insert(todo.begin(), more.begin(), more.end());
      plain_run = true;
      continue;
    }
    if (last) {
      w.dir = std::move(cur);
      w.name = name;
      w.path = at;
      return w;
    }
    if (!S_ISDIR(st.st_mode)) return fail(ENOTDIR, at);
    cur = std::move(node);
    canon = at;
  }
  w.dir = std::move(cur);
  w.path = canon.empty() ? "/" : canon;
  return w;
}

Result<RootDir> RootDir::open(const std::string& dir, uint64_t walk_budget) {
  int fd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return make_error(dir + ": " + errno_text(errno));
  return RootDir(dir, UniqueFd(fd), walk_budget);
}

Result<RootDir::Resolved> RootDir::resolve(std::string_view path) const {
  int err = 0;
  Walk w = TRY(walk(path, Follow::yes, Create::no, &err));
  return Resolved{std::move(w.path), std::move(w.links)};
}

Result<struct stat> RootDir::lstat(std::string_view path) const {
  int err = 0;
  Walk w = TRY(walk(path, Follow::no, Create::no, &err));
  struct stat st {};
  if (::fstatat(w.parent(m_fd.get()), w.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return make_error(w.path + ": " + errno_text(errno));
  return st;
}

Result<bool> RootDir::exists(std::string_view path) const {
  int err = 0;
  auto w = walk(path, Follow::yes, Create::no, &err);
  if (w) return true;
  if (err == ENOENT || err == ENOTDIR) return false;
  return std::move(w).error();
}

Result<UniqueFd> RootDir::open_file(std::string_view path) const {
  int err = 0;
  Walk w = TRY(walk(path, Follow::yes, Create::no, &err));
  // Never blocks on a FIFO, and reads only regular files (a device or FIFO never ends).
  int fd = ::openat(w.parent(m_fd.get()), w.name.c_str(),
                    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return make_error(w.path + ": " + errno_text(errno));
  UniqueFd out(fd);
  TRY(check_regular(out.get(), w.path));
  return out;
}

Result<UniqueFd> RootDir::open_dir(std::string_view path, Create create) const {
  int err = 0;
  auto w = walk(path, Follow::yes, create, &err);
  if (!w) {
    if (create == Create::no && (err == ENOENT || err == ENOTDIR)) return UniqueFd();
    return std::move(w).error();
  }
  int fd = ::openat(w->parent(m_fd.get()), w->name.c_str(),
                    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (create == Create::no && (errno == ENOENT || errno == ENOTDIR)) return UniqueFd();
    return make_error(w->path + ": " + errno_text(errno));
  }
  return UniqueFd(fd);
}

Result<std::string> RootDir::read_file(std::string_view path, uint64_t limit) const {
  UniqueFd fd = TRY(open_file(path));
  std::string shown(path);
  uint64_t size = TRY_CTX(shown, file_size(fd.get()));
  if (size > limit)
    return make_error(shown + ": " + std::to_string(size) + " bytes is over the limit of " +
                      std::to_string(limit));
  return TRY_CTX(shown, pread_exact(fd.get(), 0, size));
}

Result<std::string> RootDir::read_link(std::string_view path) const {
  int err = 0;
  Walk w = TRY(walk(path, Follow::no, Create::no, &err));
  int fd = ::openat(w.parent(m_fd.get()), w.name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return make_error(w.path + ": " + errno_text(errno));
  UniqueFd node(fd);
  return readlink_fd(node.get(), w.path);
}

Result<std::vector<std::string>> RootDir::list(std::string_view dir) const {
  int err = 0;
  Walk w = TRY(walk(dir, Follow::yes, Create::no, &err));
  int fd = ::openat(w.parent(m_fd.get()), w.name.c_str(),
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return make_error(w.path + ": " + errno_text(errno));
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return make_error(w.path + ": " + errno_text(errno));
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace pith
