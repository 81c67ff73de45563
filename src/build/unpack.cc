// Applying layer tars to a directory, confined to it, with whiteouts (.wh.NAME deletes NAME,
// .wh..wh..opq empties its directory), as a runtime's overlay would show them.
#include "build/unpack.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tar/entry.h"
#include "tar/layer_reader.h"
#include "transport/layer.h"
#include "util/file.h"

namespace pith::build {

namespace {

constexpr std::string_view k_whiteout = ".wh.";
constexpr std::string_view k_opaque = ".wh..wh..opq";
constexpr int k_max_links = 40;

class Unpacker {
 public:
  explicit Unpacker(UniqueFd root) : m_root(std::move(root)) {}

  Result<void> apply(const tar::Entry& e, ByteSource& content) {
    if (e.path.empty()) return {};
    auto slash = e.path.rfind('/');
    std::string parent = slash == std::string::npos ? "" : e.path.substr(0, slash);
    std::string name = slash == std::string::npos ? e.path : e.path.substr(slash + 1);
    if (name == k_opaque) {
      auto dir = TRY(open_dir(parent, false));
      if (dir) TRY(empty_dir(dir.get()));
      return {};
    }
    if (name.starts_with(k_whiteout)) {
      auto dir = TRY(open_dir(parent, false));
      if (dir) TRY(remove(dir.get(), name.substr(k_whiteout.size())));
      return {};
    }
    auto dir = TRY(open_dir(parent, true));
    struct stat st {};
    bool exists = ::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && !(S_ISDIR(st.st_mode) && e.type == tar::EntryType::directory))
      TRY(remove(dir.get(), name));
    switch (e.type) {
      case tar::EntryType::directory:
        if (!exists || !S_ISDIR(st.st_mode)) {
          if (::mkdirat(dir.get(), name.c_str(), 0700) != 0) return fail(e.path);
        }
        return chmod_at(dir.get(), name, e.mode, e.path);
      case tar::EntryType::regular: {
        UniqueFd out(::openat(dir.get(), name.c_str(),
                              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!out) return fail(e.path);
        FdSink sink(out.get());
        std::vector<std::byte> buf(1 << 16);
        for (;;) {
          size_t n = TRY(content.read(buf));
          if (n == 0) break;
          TRY(sink.write(std::span(buf.data(), n)));
        }
        TRY(sink.flush());
        if (::fchmod(out.get(), e.mode) != 0) return fail(e.path);
        return {};
      }
      case tar::EntryType::symlink:
        if (::symlinkat(e.link_target.c_str(), dir.get(), name.c_str()) != 0) return fail(e.path);
        return {};
      case tar::EntryType::hardlink: {
        UniqueFd target = TRY(open_in_root(e.link_target, O_PATH | O_NOFOLLOW));
        if (!target) return make_error(e.path + ": hard link to missing " + e.link_target);
        if (::linkat(target.get(), "", dir.get(), name.c_str(), AT_EMPTY_PATH) != 0)
          return fail(e.path);
        return {};
      }
      default:
        return {};  // devices and fifos: not copied into a build
    }
  }

 private:
  static Error fail(const std::string& path) { return make_error(path + ": " + errno_text(errno)); }

  // Opens `path` inside the root (symlinks resolved inside it); an empty fd when missing.
  Result<UniqueFd> open_in_root(const std::string& path, int flags) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    std::string p = path.empty() ? "." : path;
    long fd = ::syscall(SYS_openat2, m_root.get(), p.c_str(), &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    if (errno == ENOENT) return UniqueFd();
    return fail(path);
  }

  // The directory `path`, created (0755, as tar does for implied parents) when `create`. A
  // dangling symlink on the way gets what it points to created, inside the root, as
  // containerd's unpacker does.
  Result<UniqueFd> open_dir(const std::string& path, bool create, int depth = 0) {
    auto fd = TRY(open_in_root(path, O_PATH | O_DIRECTORY));
    if (fd || !create) return fd;
    if (depth > k_max_links) return make_error(path + ": too many levels of symbolic links");
    auto slash = path.rfind('/');
    std::string parent = slash == std::string::npos ? "" : path.substr(0, slash);
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    auto up = TRY(open_dir(parent, true, depth + 1));
    std::string target(4096, '\0');
    ssize_t n = ::readlinkat(up.get(), name.c_str(), target.data(), target.size());
    if (n > 0) {
      target.resize(static_cast<size_t>(n));
      return open_dir(
          tar::normalize_path_in_root(target.front() == '/' ? target : parent + "/" + target), true,
          depth + 1);
    }
    if (::mkdirat(up.get(), name.c_str(), 0755) != 0 && errno != EEXIST) return fail(path);
    fd = TRY(open_in_root(path, O_PATH | O_DIRECTORY));
    if (!fd) return make_error(path + ": cannot create the directory");
    return fd;
  }

  static Result<void> chmod_at(int dir, const std::string& name, uint32_t mode,
                               const std::string& path) {
    UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd || ::fchmod(fd.get(), mode) != 0) return fail(path);
    return {};
  }

  // Removes `name` in `dir` (a whole tree for a directory); missing is fine.
  static Result<void> remove(int dir, const std::string& name) {
    struct stat st {};
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return {};
    if (S_ISDIR(st.st_mode)) {
      UniqueFd sub(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub) return fail(name);
      TRY(empty_dir(sub.get()));
      if (::unlinkat(dir, name.c_str(), AT_REMOVEDIR) != 0) return fail(name);
      return {};
    }
    if (::unlinkat(dir, name.c_str(), 0) != 0) return fail(name);
    return {};
  }

  static Result<void> empty_dir(int dir) {
    UniqueFd listing(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!listing) return fail(".");
    DIR* d = ::fdopendir(listing.release());
    if (!d) return fail(".");
    std::vector<std::string> names;
    while (auto* ent = ::readdir(d)) {
      std::string n = ent->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
    for (const auto& n : names) TRY(remove(dir, n));
    return {};
  }

  UniqueFd m_root;
};

}  // namespace

Result<void> unpack_image(transport::ImageSource& src, const transport::ResolvedImage& img,
                          const std::string& dir) {
  UniqueFd root(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return make_error(dir + ": " + errno_text(errno));
  Unpacker unpacker(std::move(root));
  const auto& layers = img.manifest.layers;
  for (size_t i = 0; i < layers.size(); ++i) {
    auto ctx = "layer " + std::to_string(i) + " (" + layers[i].digest.str() + ")";
    auto stream = TRY(transport::open_layer(src, layers[i], img.config.diff_ids.at(i)).wrap(ctx));
    TRY(tar::for_each_entry(*stream, [&](const tar::Entry& e, ByteSource& content) {
          return unpacker.apply(e, content);
        }).wrap(ctx));
  }
  return {};
}

}  // namespace pith::build
