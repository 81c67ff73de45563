// Mountpoint stubs in a layer of their own, the image's directories mirrored around them.
#include "runner/init_layer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

}  // namespace

const std::vector<std::string>& mountpoint_stubs() {
  static const std::vector<std::string> stubs = {"proc",      "sys",          "dev",
                                                 "etc/hosts", "etc/hostname", "etc/resolv.conf"};
  return stubs;
}

Result<std::vector<std::string>> make_init_layer(const std::string& dir, const LowerView& image) {
  std::vector<std::string> made;
  bool etc_made = false;
  std::optional<struct stat> etc_image;  // mirrored last: each stub made changes its mtime
  for (const auto& stub : mountpoint_stubs()) {
    bool is_dir = stub.find('/') == std::string::npos;
    auto have = TRY(image.lookup(stub));
    if (have && (is_dir ? S_ISDIR(have->st_mode) : S_ISREG(have->st_mode))) continue;
    if (!is_dir && !etc_made) {
      // The directory the file stubs live in; overlayfs shows its owner and mode, not the
      // image's, so it gets the image's.
      auto etc = TRY(image.lookup("etc"));
      if (etc && !S_ISDIR(etc->st_mode)) continue;  // /etc not a directory: runc decides
      std::string path = dir + "/etc";
      if (::mkdir(path.c_str(), 0755) != 0) return fail(path);
      etc_image = etc;
      etc_made = true;
    }
    std::string path = dir + "/" + stub;
    if (is_dir) {
      if (::mkdir(path.c_str(), 0755) != 0) return fail(path);
    } else {
      UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
      if (!fd) return fail(path);
    }
    made.push_back(stub);
  }
  if (etc_image) TRY(mirror(dir + "/etc", *etc_image));
  return made;
}

}  // namespace pith::runner
