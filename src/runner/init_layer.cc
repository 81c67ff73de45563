// Mountpoint stubs in a layer of their own, the image's directories mirrored around them.
#include "runner/init_layer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <map>
#include <optional>

#include "util/file.h"

namespace pith::runner {

namespace {

Error fail(const std::string& path) {
  return make_error(path + ": " + errno_text(errno));
}

// Owner, mode and times of `st` (the image's) given to the directory `path`.
Result<void> mirror(const std::string& path, const struct stat& st) {
  if (::lchown(path.c_str(), st.st_uid, st.st_gid) != 0) return fail(path);
  if (::chmod(path.c_str(), st.st_mode & 07777) != 0) return fail(path);
  timespec times[2] = {st.st_mtim, st.st_mtim};
  if (::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) return fail(path);
  return {};
}

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) names.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return names;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : "/") + name;
  return out;
}

// The init layer being made: the directories it holds, the image's ones mirrored last (each
// entry made in a directory changes its mtime).
class InitLayer {
 public:
  InitLayer(const std::string& dir, const LowerView& image) : m_dir(dir), m_image(image) {}

  bool holds(const std::string& path) const {
    struct stat st;
    return ::lstat((m_dir + "/" + path).c_str(), &st) == 0;
  }

  // The directories above `path`, as the image has them or new (0755, root's); false when
  // one of them is not a directory in the image (runc then decides).
  Result<bool> parents(const std::string& path) {
    auto names = split(path);
    std::string prefix;
    for (size_t i = 0; i + 1 < names.size(); ++i) {
      prefix += (i ? "/" : "") + names[i];
      auto have = TRY(m_image.lookup(prefix));
      if (have && !S_ISDIR(have->st_mode)) return false;
      if (holds(prefix)) continue;
      std::string full = m_dir + "/" + prefix;
      if (::mkdir(full.c_str(), 0755) != 0) return fail(full);
      if (have) m_mirrored.emplace(prefix, *have);
    }
    return true;
  }

  Result<void> stub(const std::string& path, bool directory) {
    std::string full = m_dir + "/" + path;
    if (directory) {
      if (::mkdir(full.c_str(), 0755) != 0) return fail(full);
    } else {
      UniqueFd fd(::open(full.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
      if (!fd) return fail(full);
    }
    return {};
  }

  Result<void> finish() {
    for (const auto& [path, st] : m_mirrored) TRY(mirror(m_dir + "/" + path, st));
    return {};
  }

 private:
  std::string m_dir;
  const LowerView& m_image;
  std::map<std::string, struct stat> m_mirrored;
};

// Where `target` (absolute) leads in the image, symlinks followed inside the root as runc
// follows them (filepath-securejoin: ".." stops at the root); nullopt past 255 links.
Result<std::optional<std::string>> resolve(const LowerView& image, const std::string& target) {
  std::vector<std::string> done;
  std::vector<std::string> todo = split(target);
  std::reverse(todo.begin(), todo.end());  // the next name last
  int links = 0;
  while (!todo.empty()) {
    std::string name = std::move(todo.back());
    todo.pop_back();
    if (name == ".") continue;
    if (name == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    done.push_back(name);
    std::string path = join(done);
    auto have = TRY(image.lookup(path));
    if (!have || !S_ISLNK(have->st_mode)) continue;
    if (++links > 255) return std::optional<std::string>();
    auto host = TRY(image.locate(path));
    if (!host) return std::optional<std::string>();
    char buf[PATH_MAX];
    ssize_t n = ::readlink(host->c_str(), buf, sizeof buf);
    if (n < 0) return fail(*host);
    std::string link(buf, static_cast<size_t>(n));
    done.pop_back();
    if (!link.empty() && link[0] == '/') done.clear();
    auto names = split(link);
    todo.insert(todo.end(), names.rbegin(), names.rend());
  }
  return std::optional<std::string>(join(done));
}

// runc's own mounts cover these: it makes a mountpoint under them in its tmpfs or proc.
bool under_runc_mounts(const std::string& path) {
  auto first = path.substr(0, path.find('/'));
  return first == "proc" || first == "sys" || first == "dev";
}

}  // namespace

const std::vector<std::string>& mountpoint_stubs() {
  static const std::vector<std::string> stubs = {"proc",      "sys",          "dev",
                                                 "etc/hosts", "etc/hostname", "etc/resolv.conf"};
  return stubs;
}

Result<std::vector<std::string>> make_init_layer(const std::string& dir, const LowerView& image,
                                                 const std::vector<MountTarget>& targets) {
  std::vector<std::string> made;
  InitLayer layer(dir, image);
  // runc's own: a wrong kind of file in the image (a symlink /etc/resolv.conf) is hidden.
  for (const auto& stub : mountpoint_stubs()) {
    bool is_dir = stub.find('/') == std::string::npos;
    auto have = TRY(image.lookup(stub));
    if (have && (is_dir ? S_ISDIR(have->st_mode) : S_ISREG(have->st_mode))) continue;
    if (!TRY(layer.parents(stub))) continue;  // /etc not a directory: runc decides
    TRY(layer.stub(stub, is_dir));
    made.push_back(stub);
  }
  // The RUN's mounts: where runc will mount them, when the image lacks it. A wrong kind of
  // file there, or a parent that is no directory, is left to runc (which refuses it).
  for (const auto& target : targets) {
    auto path = TRY(resolve(image, target.path));
    if (!path || path->empty() || under_runc_mounts(*path) || layer.holds(*path)) continue;
    if (TRY(image.lookup(*path))) continue;
    if (!TRY(layer.parents(*path))) continue;
    TRY(layer.stub(*path, target.directory));
    made.push_back(*path);
  }
  TRY(layer.finish());
  return made;
}

}  // namespace pith::runner
