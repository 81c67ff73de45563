// Applying layer tars to a directory, confined to it, as a runtime's unpacker would: whiteouts
// by the one rule of fs/whiteout.h, parents resolved inside the root (RootDir), sparse files
// written sparse.
#include "build/unpack.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/whiteout.h"
#include "tar/entry.h"
#include "tar/layer_reader.h"
#include "transport/layer.h"
#include "util/file.h"
#include "util/root_dir.h"

namespace pith::build {

namespace {

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

std::string base_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

class Unpacker {
 public:
  explicit Unpacker(RootDir root) : m_root(std::move(root)) {}

  Result<void> apply(const tar::Entry& e, tar::EntryContent& content) {
    if (e.path.empty()) return {};
    fs::Classified kind = TRY(fs::classify(e.path));
    switch (kind.marker) {
      case fs::Marker::aufs:
        return {};
      case fs::Marker::opaque: {
        auto dir = TRY(m_root.open_dir("/" + kind.target, RootDir::Create::no));
        if (dir) {
          forget_parents();
          TRY(empty_directory(dir.get()).wrap(tar::shown_path(e.path)));
        }
        return {};
      }
      case fs::Marker::whiteout: {
        auto dir = TRY(m_root.open_dir("/" + parent_of(kind.target), RootDir::Create::no));
        if (dir) {
          forget_parents();  // the kept directory may be the one removed, or below it
          TRY(remove(dir.get(), base_name(kind.target), e.path));
        }
        return {};
      }
      case fs::Marker::none:
        break;
    }
    int dir = TRY(parent_dir(parent_of(e.path)));
    std::string name = base_name(e.path);
    struct stat st {};
    bool exists = ::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    // Replacing an entry of the kept directory leaves that directory (`dir`) as it is.
    if (exists && !(S_ISDIR(st.st_mode) && e.type == tar::EntryType::directory))
      TRY(remove(dir, name, e.path));
    switch (e.type) {
      case tar::EntryType::directory:
        if (!exists || !S_ISDIR(st.st_mode)) {
          if (::mkdirat(dir, name.c_str(), 0700) != 0) return fail(e.path);
        }
        return chmod_at(dir, name, e.mode, e.path);
      case tar::EntryType::regular:
        return write_file(dir, name, e, content);
      case tar::EntryType::symlink:
        if (::symlinkat(e.link_target.c_str(), dir, name.c_str()) != 0) return fail(e.path);
        return {};
      case tar::EntryType::hardlink: {
        // The target as the kernel's link() finds it: its parents followed inside the root.
        auto from = TRY(m_root.open_dir("/" + parent_of(e.link_target), RootDir::Create::no));
        std::string target = base_name(e.link_target);
        if (!from || ::linkat(from.get(), target.c_str(), dir, name.c_str(), 0) != 0) {
          if (!from || errno == ENOENT)
            return make_error(e.path + ": hard link to missing " + e.link_target);
          return fail(e.path);
        }
        return {};
      }
      default:
        return {};  // devices and fifos: not copied into a build
    }
  }

 private:
  static Error fail(const std::string& path) { return make_error(path + ": " + errno_text(errno)); }

  // The directory `path` (created as needed). Entries come grouped by directory, so the last
  // one is kept: most entries cost no walk at all.
  Result<int> parent_dir(const std::string& path) {
    if (m_parent && m_parent_path == path) return m_parent.get();
    m_parent = TRY(m_root.open_dir("/" + path, RootDir::Create::yes).wrap(tar::shown_path(path)));
    m_parent_path = path;
    return m_parent.get();
  }

  // A removal may take the kept directory, or a symlink on the way to it, away.
  void forget_parents() {
    m_parent.reset();
    m_parent_path.clear();
  }

  // Removes `name` in `dir` (a whole tree for a directory); missing is fine.
  static Result<void> remove(int dir, const std::string& name, const std::string& shown) {
    struct stat st {};
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return {};
    return remove_tree_at(dir, name).wrap(shown);
  }

  // A regular file: the stored runs written at their offsets, the size set at the end, so the
  // holes of a sparse file stay holes.
  static Result<void> write_file(int dir, const std::string& name, const tar::Entry& e,
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
    return {};
  }

  static Result<void> chmod_at(int dir, const std::string& name, uint32_t mode,
                               const std::string& path) {
    UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd || ::fchmod(fd.get(), mode) != 0) return fail(path);
    return {};
  }

  RootDir m_root;
  UniqueFd m_parent;
  std::string m_parent_path;
};

}  // namespace

Result<void> unpack_image(transport::ImageSource& src, const transport::ResolvedImage& img,
                          const std::string& dir) {
  Unpacker unpacker(TRY(RootDir::open(dir)));
  const auto& layers = img.manifest.layers;
  for (size_t i = 0; i < layers.size(); ++i) {
    auto ctx = "layer " + std::to_string(i) + " (" + layers[i].digest.str() + ")";
    auto stream = TRY(transport::open_layer(src, layers[i], img.config.diff_ids.at(i)).wrap(ctx));
    TRY(tar::for_each_entry(*stream, [&](const tar::Entry& e, tar::EntryContent& content) {
          return unpacker.apply(e, content);
        }).wrap(ctx));
  }
  return {};
}

}  // namespace pith::build
