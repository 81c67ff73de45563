// The upper dir walked depth first, one directory listed at a time, into a tar::Writer.
#include "runner/upper_layer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>

#include "fs/whiteout.h"
#include "tar/writer.h"
#include "util/file.h"

namespace pith::runner {

namespace {

constexpr std::string_view k_overlay_xattrs = "trusted.overlay.";

// One name of a directory as the tar will hold it.
struct Child {
  std::string name;  // in the tar: ".wh.NAME" for a whiteout, the opaque marker
  std::string real;  // in the upper dir; "" for the opaque marker
  struct stat st {};
};

Error fail(const std::string& path) {
  return make_error(path + ": " + errno_text(errno));
}

Result<std::vector<std::string>> list_names(const std::string& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return fail(dir);
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* e = ::readdir(d.get())) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  if (errno != 0) return fail(dir);
  return names;
}

Result<std::map<std::string, std::string>> read_xattrs(const std::string& path) {
  std::map<std::string, std::string> out;
  ssize_t size = ::llistxattr(path.c_str(), nullptr, 0);
  if (size < 0 && errno == ENOTSUP) return out;
  if (size < 0) return fail(path);
  std::string names(static_cast<size_t>(size), '\0');
  size = ::llistxattr(path.c_str(), names.data(), names.size());
  if (size < 0) return fail(path);
  names.resize(static_cast<size_t>(size));
  for (size_t at = 0; at < names.size();) {
    std::string key = names.c_str() + at;
    at += key.size() + 1;
    if (key.empty() || key.starts_with(k_overlay_xattrs)) continue;
    ssize_t n = ::lgetxattr(path.c_str(), key.c_str(), nullptr, 0);
    if (n < 0) return fail(path);
    std::string value(static_cast<size_t>(n), '\0');
    n = ::lgetxattr(path.c_str(), key.c_str(), value.data(), value.size());
    if (n < 0) return fail(path);
    value.resize(static_cast<size_t>(n));
    out.emplace(std::move(key), std::move(value));
  }
  return out;
}

class UpperWalk {
 public:
  UpperWalk(const std::string& upper, const LowerView& lowers, const LayerOptions& options,
            ByteSink& out)
      : m_upper(upper), m_lowers(lowers), m_options(options), m_writer(out) {}

  Result<void> run() {
    TRY(directory(""));
    return m_writer.finish();
  }

 private:
  static std::string join(const std::string& dir, const std::string& name) {
    return dir.empty() ? name : dir + "/" + name;
  }

  int64_t clamp(int64_t mtime) const {
    if (m_options.source_date_epoch && mtime > *m_options.source_date_epoch)
      return *m_options.source_date_epoch;
    return mtime;
  }

  bool skipped(const std::string& path) const {
    return std::find(m_options.skip.begin(), m_options.skip.end(), path) != m_options.skip.end();
  }

  // The entries of the directory `rel` (relative to the upper dir), sorted by tar name, each
  // directory followed at once by its own.
  Result<void> directory(const std::string& rel) {
    std::string full = rel.empty() ? m_upper : m_upper + "/" + rel;
    std::vector<Child> children;
    for (auto& real : TRY(list_names(full))) {
      std::string path = join(rel, real);
      if (skipped(path)) continue;
      Child child;
      if (::lstat((m_upper + "/" + path).c_str(), &child.st) != 0) return fail(path);
      if (S_ISSOCK(child.st.st_mode)) continue;
      child.name = is_overlay_whiteout(child.st) ? std::string(fs::k_whiteout_prefix) + real : real;
      child.real = std::move(real);
      children.push_back(std::move(child));
    }
    if (!rel.empty() && TRY(opaque_over_a_directory(rel, full))) {
      Child marker;
      marker.name = fs::k_opaque_whiteout;
      if (::lstat(full.c_str(), &marker.st) != 0) return fail(rel);
      children.push_back(std::move(marker));
    }
    std::sort(children.begin(), children.end(),
              [](const Child& a, const Child& b) { return a.name < b.name; });
    for (const auto& child : children) {
      if (m_options.cancelled && m_options.cancelled()) return make_error("interrupted");
      TRY(entry(rel, child));
      if (!child.real.empty() && S_ISDIR(child.st.st_mode)) TRY(directory(join(rel, child.real)));
    }
    return {};
  }

  // An opaque mark says "hide what lies below": kept only if a directory lay below.
  Result<bool> opaque_over_a_directory(const std::string& rel, const std::string& full) {
    if (!TRY(is_opaque_dir(full))) return false;
    auto below = TRY(m_lowers.lookup(rel));
    return below && S_ISDIR(below->st_mode);
  }

  Result<void> entry(const std::string& rel, const Child& child) {
    const struct stat& st = child.st;
    tar::Entry e;
    e.path = join(rel, child.name);
    e.uid = st.st_uid;
    e.gid = st.st_gid;
    e.mtime = clamp(st.st_mtim.tv_sec);
    e.mode = st.st_mode & 07777;
    if (child.real.empty() || is_overlay_whiteout(st)) {
      // Markers are empty regular files with the permission bits of what they stand for: a
      // whiteout the device's (0: overlayfs makes it so), the opaque marker its directory's;
      // podman 4.3 writes them so.
      e.type = tar::EntryType::regular;
      e.mode &= 0777;
      return m_writer.add(e, nullptr);
    }
    std::string real = join(rel, child.real);
    std::string full = m_upper + "/" + real;
    e.xattrs = TRY(read_xattrs(full));
    if (S_ISDIR(st.st_mode)) {
      e.type = tar::EntryType::directory;
    } else if (S_ISLNK(st.st_mode)) {
      e.type = tar::EntryType::symlink;
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlink(full.c_str(), target.data(), target.size());
      if (n < 0) return fail(real);
      target.resize(static_cast<size_t>(n));
      e.link_target = std::move(target);
    } else if (S_ISREG(st.st_mode)) {
      if (st.st_nlink > 1) {
        std::pair<dev_t, ino_t> inode{st.st_dev, st.st_ino};
        auto [it, first] = m_links.try_emplace(inode, real);
        if (!first) {
          e.type = tar::EntryType::hardlink;
          e.link_target = it->second;
          return m_writer.add(e, nullptr);
        }
      }
      e.type = tar::EntryType::regular;
      e.size = static_cast<uint64_t>(st.st_size);
      auto fd = std::make_shared<UniqueFd>(::open(full.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      if (!*fd) return fail(real);
      FileRegionSource content(fd, 0, e.size);
      return m_writer.add(e, &content);
    } else {
      e.type = S_ISFIFO(st.st_mode)  ? tar::EntryType::fifo
               : S_ISCHR(st.st_mode) ? tar::EntryType::char_device
                                     : tar::EntryType::block_device;
      e.dev_major = ::major(st.st_rdev);
      e.dev_minor = ::minor(st.st_rdev);
    }
    return m_writer.add(e, nullptr);
  }

  const std::string& m_upper;
  const LowerView& m_lowers;
  const LayerOptions& m_options;
  tar::Writer m_writer;
  std::map<std::pair<dev_t, ino_t>, std::string> m_links;  // inode -> its first name
};

}  // namespace

Result<void> write_upper_layer(const std::string& upper, const LowerView& lowers,
                               const LayerOptions& options, ByteSink& out) {
  return UpperWalk(upper, lowers, options, out).run().wrap("layer of " + upper);
}

}  // namespace pith::runner
