// RootDir: paths resolved inside a directory as a chroot would, one component at a time with
// openat(O_PATH|O_NOFOLLOW), so every symlink is seen (and recorded) before it is followed.
#include "util/root_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>

namespace pith {

namespace {

constexpr int k_max_links = 40;  // the kernel's MAXSYMLINKS

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

std::string join(const std::vector<std::string>& names) {
  if (names.empty()) return "/";
  std::string out;
  for (const auto& n : names) out += "/" + n;
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

// Where a walk ended: the open directories from the root down to the parent of the last
// component, the last component's name in it ("." for a directory reached by ".." or "/"),
// its canonical path, and the links met. `err` is the errno of a failed walk.
struct RootDir::Walk {
  std::vector<UniqueFd> dirs;
  std::vector<std::string> names;
  std::string name = ".";
  std::string path;
  std::vector<Link> links;
  int parent(int root) const { return dirs.empty() ? root : dirs.back().get(); }
};

Result<RootDir::Walk> RootDir::walk(std::string_view path, Follow follow_last, int* err) const {
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
  Walk w;
  std::deque<std::string> todo = components(path);
  int links = 0;
  while (!todo.empty()) {
    std::string name = std::move(todo.front());
    todo.pop_front();
    if (name == "..") {  // never above the root, like a chroot
      if (!w.dirs.empty()) {
        w.dirs.pop_back();
        w.names.pop_back();
      }
      continue;
    }
    bool last = todo.empty();
    std::string here = join(w.names);
    std::string at = (here == "/" ? "" : here) + "/" + name;
    int fd = ::openat(w.parent(m_fd.get()), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return fail(errno, at);
    UniqueFd node(fd);
    struct stat st {};
    if (::fstat(node.get(), &st) != 0) return fail(errno, at);
    if (S_ISLNK(st.st_mode) && (!last || follow_last == Follow::yes)) {
      if (++links > k_max_links) return fail(ELOOP, at);
      std::string target = TRY(readlink_fd(node.get(), at));
      w.links.push_back({at, target});
      if (target.starts_with('/')) {  // absolute targets restart at the root
        w.dirs.clear();
        w.names.clear();
      }
      std::deque<std::string> more = components(target);
      todo.insert(todo.begin(), more.begin(), more.end());
      continue;
    }
    if (last) {
      w.name = name;
      w.path = at;
      return w;
    }
    if (!S_ISDIR(st.st_mode)) return fail(ENOTDIR, at);
    w.dirs.push_back(std::move(node));
    w.names.push_back(std::move(name));
  }
  w.path = join(w.names);
  return w;
}

Result<RootDir> RootDir::open(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return make_error(dir + ": " + errno_text(errno));
  return RootDir(dir, UniqueFd(fd));
}

Result<RootDir::Resolved> RootDir::resolve(std::string_view path) const {
  int err = 0;
  Walk w = TRY(walk(path, Follow::yes, &err));
  return Resolved{std::move(w.path), std::move(w.links)};
}

Result<struct stat> RootDir::lstat(std::string_view path) const {
  int err = 0;
  Walk w = TRY(walk(path, Follow::no, &err));
  struct stat st {};
  if (::fstatat(w.parent(m_fd.get()), w.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return make_error(w.path + ": " + errno_text(errno));
  return st;
}

Result<bool> RootDir::exists(std::string_view path) const {
  int err = 0;
  auto w = walk(path, Follow::yes, &err);
  if (w) return true;
  if (err == ENOENT || err == ENOTDIR) return false;
  return std::move(w).error();
}

Result<UniqueFd> RootDir::open_file(std::string_view path) const {
  int err = 0;
  Walk w = TRY(walk(path, Follow::yes, &err));
  int fd = ::openat(w.parent(m_fd.get()), w.name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return make_error(w.path + ": " + errno_text(errno));
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
  Walk w = TRY(walk(path, Follow::no, &err));
  int fd = ::openat(w.parent(m_fd.get()), w.name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return make_error(w.path + ": " + errno_text(errno));
  UniqueFd node(fd);
  return readlink_fd(node.get(), w.path);
}

Result<std::vector<std::string>> RootDir::list(std::string_view dir) const {
  int err = 0;
  Walk w = TRY(walk(dir, Follow::yes, &err));
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
