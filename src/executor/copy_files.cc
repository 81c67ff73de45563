// COPY/ADD: sources chosen and hashed, then written through descriptors that never leave the
// destination root (RootDir resolves every parent inside it; final names use *at calls that
// do not follow symlinks).
#include "executor/copy_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/sendfile.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>

#include "compress/compression.h"
#include "dockerfile/go_path.h"
#include "fs/unpack.h"
#include "tar/layer_reader.h"
#include "util/file.h"
#include "util/root_dir.h"
#include "util/sha256.h"

namespace pith::executor {

namespace {

bool has_wildcard(const std::string& s) {
  return s.find_first_of("*?[") != std::string::npos;
}

std::string join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "/" + b;
}

std::string last_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// A source path relative to its root: cleaned, ".." stopped at the root, "" for the root.
std::string clean_rel(const std::string& path) {
  std::string c = dockerfile::clean_path("/" + path);
  return c == "/" ? "" : c.substr(1);
}

Result<std::vector<std::string>> list_dir(const std::string& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return make_error(dir + ": " + errno_text(errno));
  std::vector<std::string> names;
  while (auto* e = ::readdir(d.get())) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The relative paths a pattern names, each component with wildcards matched as Go's
// filepath.Match does (fnmatch without flags: '*' stops at '/', dots are not special). The
// directories listed are resolved inside the root first, as fsutil's ResolveWildcards does:
// a symlink on the way (`var/run -> /run`) never reads a directory outside it.
Result<std::vector<std::string>> expand_pattern(const RootDir& root, const std::string& rel) {
  std::vector<std::string> found = {""};
  size_t start = 0;
  while (start < rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string::npos) end = rel.size();
    std::string part = rel.substr(start, end - start);
    start = end + 1;
    std::vector<std::string> next;
    for (const auto& base : found) {
      if (!has_wildcard(part)) {
        next.push_back(join(base, part));
        continue;
      }
      auto resolved = root.resolve("/" + base);
      if (!resolved) continue;
      std::string dir = root.dir() + resolved->path;
      struct stat st {};
      if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
      for (const auto& name : TRY(list_dir(dir)))
        if (::fnmatch(part.c_str(), name.c_str(), 0) == 0) next.push_back(join(base, name));
    }
    found = std::move(next);
  }
  return found;
}

class Walker {
 public:
  Walker(const SourceTree& tree) : m_tree(tree) {
    if (!tree.excludes.empty()) {
      auto m = dockerfile::IgnoreMatcher::create(tree.excludes);
      if (m) m_excludes.emplace(std::move(*m));
    }
  }

  // Whether a path of the tree (relative to its root) is left out by .dockerignore, and
  // whether a directory left out must still be entered (an exception lies below it).
  Result<bool> ignored(const std::string& tree_rel) const {
    return m_tree.ignore ? m_tree.ignore->excluded(tree_rel) : Result<bool>(false);
  }
  bool must_enter(const std::string& tree_rel) const {
    return m_tree.ignore && m_tree.ignore->must_enter(tree_rel);
  }
  // Whether COPY --exclude leaves out a path below a source (patterns are relative to each
  // source, as fsutil's copier matches them), or a source by its name.
  Result<bool> excluded(const std::string& source_rel) const {
    return m_excludes ? m_excludes->excluded(source_rel) : Result<bool>(false);
  }
  bool must_enter_excluded(const std::string& source_rel) const {
    return m_excludes && m_excludes->must_enter(source_rel);
  }

  // Adds what lies below directory `rel` (host path `host`) to `out`.
  Result<void> walk(const std::string& host, const std::string& rel, const std::string& below,
                    std::vector<SourceEntry>& out) {
    for (const auto& name : TRY(list_dir(host))) {
      SourceEntry e;
      e.host = host + "/" + name;
      e.rel = join(below, name);
      std::string tree_rel = join(rel, name);
      if (::lstat(e.host.c_str(), &e.st) != 0) return make_error(e.host + ": " + errno_text(errno));
      if (S_ISSOCK(e.st.st_mode)) continue;  // a layer cannot hold one
      bool dir = S_ISDIR(e.st.st_mode);
      if (TRY(ignored(tree_rel)) && (!dir || !must_enter(tree_rel))) continue;
      if (TRY(excluded(e.rel)) && (!dir || !must_enter_excluded(e.rel))) continue;
      out.push_back(e);
      if (dir) TRY(walk(e.host, tree_rel, e.rel, out));
    }
    return {};
  }

 private:
  const SourceTree& m_tree;
  std::optional<dockerfile::IgnoreMatcher> m_excludes;
};

}  // namespace

Result<CopySelection> choose_sources(const SourceTree& tree,
                                     const std::vector<std::string>& sources) {
  CopySelection selection;
  auto root = TRY(RootDir::open(tree.root));
  Walker walker(tree);
  selection.many = sources.size() > 1;
  for (const auto& written : sources) {
    std::string rel = clean_rel(written);
    std::vector<std::string> paths = {rel};
    if (has_wildcard(rel)) {
      selection.many = true;
      paths = TRY(expand_pattern(root, rel));
      std::vector<std::string> kept;
      for (auto& p : paths)
        if (!TRY(walker.ignored(p)) && !TRY(walker.excluded(last_name(p))))
          kept.push_back(std::move(p));
      paths = std::move(kept);
      if (paths.empty()) continue;  // as Docker: a pattern may match nothing if another does
    } else if (!rel.empty() && TRY(walker.ignored(rel)) && !walker.must_enter(rel)) {
      return make_error("\"" + written + "\": not found (excluded by .dockerignore)");
    }
    for (const auto& path : paths) {
      // The source itself is followed if it is a symlink, inside the root.
      auto resolved = root.resolve("/" + path);
      if (!resolved) return make_error("\"" + written + "\": no such file or directory");
      SourceEntry top;
      top.host = tree.root + resolved->path;
      top.rel = "";
      if (::lstat(top.host.c_str(), &top.st) != 0)
        return make_error("\"" + written + "\": " + errno_text(errno));
      ChosenSource chosen;
      chosen.name = last_name(path);
      chosen.path = path;
      // A "./" pivot in the path as written: --parents keeps only what follows it.
      if (auto pivot = written.rfind("/./"); pivot != std::string::npos) {
        std::string before = clean_rel(written.substr(0, pivot));
        if (!before.empty() && path.starts_with(before + "/"))
          chosen.path = path.substr(before.size() + 1);
      }
      chosen.entries.push_back(top);
      if (S_ISDIR(top.st.st_mode))
        TRY(walker.walk(top.host, resolved->path == "/" ? "" : resolved->path.substr(1), "",
                        chosen.entries));
      selection.sources.push_back(std::move(chosen));
    }
  }
  if (selection.sources.empty()) return make_error("no source files were specified");
  return selection;
}

namespace {

// A file's sha256, streamed (a context may hold files larger than memory); "?" when it cannot
// be read (the copy that follows says why).
std::string file_sha256(const std::string& path) {
  auto fd = open_read(path);
  if (!fd) return "?";
  auto size = file_size(fd->get());
  if (!size) return "?";
  FileRegionSource content(std::make_shared<UniqueFd>(std::move(*fd)), 0, *size);
  HashingSource hashed(content);
  if (!drain(hashed)) return "?";
  return hashed.hex_digest();
}

}  // namespace

std::string selection_digest(const CopySelection& selection, bool owners) {
  Sha256 h;
  auto add = [&](const std::string& s) {
    h.update(std::as_bytes(std::span(s)));
    h.update(std::as_bytes(std::span("\0", 1)));
  };
  add(selection.many ? "many" : "one");
  for (const auto& source : selection.sources) {
    add("source " + source.name);
    for (const auto& e : source.entries) {
      const auto& st = e.st;
      std::string line = e.rel + " " + std::to_string(st.st_mode) + " " +
                         std::to_string(st.st_size) + " " + std::to_string(st.st_rdev);
      if (owners) line += " " + std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid);
      add(line);
      if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = ::readlink(e.host.c_str(), target, sizeof target);
        add(n < 0 ? "?" : std::string(target, static_cast<size_t>(n)));
      } else if (S_ISREG(st.st_mode)) {
        add(file_sha256(e.host));
      }
    }
  }
  return h.hex_digest();
}

Result<mode_t> parse_chmod(const std::string& text) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("01234567") != std::string::npos)
    return make_error("--chmod=" + text + ": expected an octal mode such as 755");
  mode_t m = static_cast<mode_t>(std::stoul(text, nullptr, 8));
  if (m > 07777) return make_error("--chmod=" + text + ": beyond 7777");
  return m;
}

namespace {

struct DirTime {
  std::shared_ptr<UniqueFd> parent;
  std::string name;
  struct timespec times[2];
};

// Writes entries into the destination root.
class Writer {
 public:
  Writer(RootDir root, const CopyTarget& target) : m_root(std::move(root)), m_target(target) {}

  // The parent directory of `path` (absolute in the image), made like `mkdir -p`.
  // Parents made here are 0755, owned by --chown's user when given (Docker's
  // MkdirAllAndChown, fsutil's MkdirAll with Chown), else root.
  Result<std::shared_ptr<UniqueFd>> parent_of(const std::string& path) {
    std::string parent = dockerfile::dir_path(path);
    if (parent == m_parent_path && m_parent) return m_parent;
    std::vector<std::string> missing;
    if (m_target.uid)
      for (std::string p = parent; p != "/" && p != "." && !TRY(m_root.exists(p));
           p = dockerfile::dir_path(p))
        missing.push_back(p);
    m_parent = std::make_shared<UniqueFd>(TRY(m_root.open_dir(parent, RootDir::Create::yes)));
    m_parent_path = parent;
    for (const auto& made : missing) {
      auto above = TRY(m_root.open_dir(dockerfile::dir_path(made), RootDir::Create::no));
      if (::fchownat(above.get(), last_name(made).c_str(), *m_target.uid,
                     m_target.gid.value_or(*m_target.uid), AT_SYMLINK_NOFOLLOW) != 0)
        return make_error(made + ": " + errno_text(errno));
    }
    return m_parent;
  }

  // How a directory entry is written: the destination a source directory's contents go into
  // is made 0755 (owned by --chown's user, else root) and kept as it is when it exists, as
  // BuildKit and buildah do; a directory below it takes the source's metadata whether it
  // exists or not (podman and Docker overwrite an existing one's mode and owner).
  enum class DirRole { destination, copied };

  Result<void> put(const SourceEntry& e, const std::string& path, DirRole role = DirRole::copied) {
    auto parent = TRY(parent_of(path));
    std::string name = last_name(path);
    int dir = parent->get();
    uint32_t uid = m_target.uid.value_or(m_target.keep_owners ? e.st.st_uid : 0);
    uint32_t gid = m_target.gid.value_or(m_target.keep_owners ? e.st.st_gid : 0);
    mode_t mode = m_target.chmod.value_or(e.st.st_mode & 07777);
    // A context file's setuid and setgid bits do not travel (podman and Docker clear them; a
    // directory's setgid stays, as Docker keeps it); a stage's or an image's do.
    if (!m_target.keep_owners && !m_target.chmod && !S_ISDIR(e.st.st_mode))
      mode &= ~mode_t{S_ISUID | S_ISGID};
    struct stat now {};
    bool exists = ::fstatat(dir, name.c_str(), &now, AT_SYMLINK_NOFOLLOW) == 0;
    const std::string shown = path;
    if (S_ISDIR(e.st.st_mode)) {
      if (role == DirRole::destination) {
        if (exists && (S_ISDIR(now.st_mode) || S_ISLNK(now.st_mode))) return {};
        uid = m_target.uid.value_or(0);
        gid = m_target.gid.value_or(m_target.uid.value_or(0));
        mode = 0755;
      } else if (exists && S_ISDIR(now.st_mode)) {
        TRY(set_owner_mode(dir, name, uid, gid, mode, false, shown));
        DirTime t{parent, name, {e.st.st_atim, e.st.st_mtim}};
        m_dir_times.push_back(std::move(t));
        return {};
      } else if (exists && S_ISLNK(now.st_mode)) {
        return {};  // followed by what goes below it
      }
      if (exists) TRY(remove(dir, name, now, shown));
      if (::mkdirat(dir, name.c_str(), 0700) != 0)
        return make_error(shown + ": " + errno_text(errno));
      TRY(set_owner_mode(dir, name, uid, gid, mode, false, shown));
      DirTime t{parent, name, {e.st.st_atim, e.st.st_mtim}};
      m_dir_times.push_back(std::move(t));
      m_parent.reset();  // a directory made below the cached parent may be next
      m_parent_path.clear();
      return {};
    }
    if (exists) {
      if (S_ISDIR(now.st_mode))
        return make_error(shown + ": cannot replace a directory with a file");
      TRY(remove(dir, name, now, shown));
    }
    if (e.st.st_nlink > 1 && !S_ISDIR(e.st.st_mode)) {
      auto key = std::make_pair(e.st.st_dev, e.st.st_ino);
      if (auto it = m_links.find(key); it != m_links.end()) {
        if (::linkat(it->second.first->get(), it->second.second.c_str(), dir, name.c_str(), 0) != 0)
          return make_error(shown + ": " + errno_text(errno));
        return {};
      }
      m_links[key] = {parent, name};
    }
    if (S_ISREG(e.st.st_mode)) {
      UniqueFd in(::open(e.host.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      if (!in) return make_error(e.host + ": " + errno_text(errno));
      UniqueFd out(
          ::openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!out) return make_error(shown + ": " + errno_text(errno));
      TRY(copy_content(in.get(), out.get(), static_cast<uint64_t>(e.st.st_size), shown));
      if (::fchown(out.get(), uid, gid) != 0 || ::fchmod(out.get(), mode) != 0)
        return make_error(shown + ": " + errno_text(errno));
      TRY(copy_xattrs(in.get(), out.get(), shown));
      struct timespec times[2] = {e.st.st_atim, e.st.st_mtim};
      if (::futimens(out.get(), times) != 0) return make_error(shown + ": " + errno_text(errno));
      return {};
    }
    if (S_ISLNK(e.st.st_mode)) {
      char target[4096];
      ssize_t n = ::readlink(e.host.c_str(), target, sizeof target - 1);
      if (n < 0) return make_error(e.host + ": " + errno_text(errno));
      target[n] = 0;
      if (::symlinkat(target, dir, name.c_str()) != 0)
        return make_error(shown + ": " + errno_text(errno));
      if (::fchownat(dir, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
        return make_error(shown + ": " + errno_text(errno));
      struct timespec times[2] = {e.st.st_atim, e.st.st_mtim};
      ::utimensat(dir, name.c_str(), times, AT_SYMLINK_NOFOLLOW);
      return {};
    }
    // fifos and devices
    if (::mknodat(dir, name.c_str(), (e.st.st_mode & S_IFMT) | 0600, e.st.st_rdev) != 0)
      return make_error(shown + ": " + errno_text(errno));
    TRY(set_owner_mode(dir, name, uid, gid, mode, false, shown));
    return {};
  }

  // Directories get their times last: every entry made in them changes them.
  Result<void> finish() {
    for (auto it = m_dir_times.rbegin(); it != m_dir_times.rend(); ++it)
      if (::utimensat(it->parent->get(), it->name.c_str(), it->times, AT_SYMLINK_NOFOLLOW) != 0)
        return make_error(it->name + ": " + errno_text(errno));
    return {};
  }

  RootDir& root() { return m_root; }

 private:
  static Result<void> remove(int dir, const std::string& name, const struct stat& st,
                             const std::string& shown) {
    if (::unlinkat(dir, name.c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0)
      return make_error(shown + ": " + errno_text(errno));
    return {};
  }

  static Result<void> set_owner_mode(int dir, const std::string& name, uint32_t uid, uint32_t gid,
                                     mode_t mode, bool link, const std::string& shown) {
    if (::fchownat(dir, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
      return make_error(shown + ": " + errno_text(errno));
    // chown clears setuid bits: the mode comes after it.
    if (!link && ::fchmodat(dir, name.c_str(), mode, 0) != 0)
      return make_error(shown + ": " + errno_text(errno));
    return {};
  }

  static Result<void> copy_content(int in, int out, uint64_t size, const std::string& shown) {
    uint64_t left = size;
    while (left > 0) {
      ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, left, 0);
      if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS))
        n = ::sendfile(out, in, nullptr, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return make_error(shown + ": " + errno_text(errno));
      }
      if (n == 0) return make_error(shown + ": the source changed size while copied");
      left -= static_cast<uint64_t>(n);
    }
    return {};
  }

  // Extended attributes travel with the file (file capabilities among them); overlayfs's own
  // never do.
  static Result<void> copy_xattrs(int in, int out, const std::string& shown) {
    char names[8192];
    ssize_t n = ::flistxattr(in, names, sizeof names);
    if (n <= 0) return {};
    for (ssize_t i = 0; i < n;) {
      std::string name(names + i);
      i += static_cast<ssize_t>(name.size()) + 1;
      if (name.starts_with("trusted.overlay.")) continue;
      char value[65536];
      ssize_t v = ::fgetxattr(in, name.c_str(), value, sizeof value);
      if (v < 0) continue;
      if (::fsetxattr(out, name.c_str(), value, static_cast<size_t>(v), 0) != 0 && errno != ENOTSUP)
        return make_error(shown + ": xattr " + name + ": " + errno_text(errno));
    }
    return {};
  }

  RootDir m_root;
  const CopyTarget& m_target;
  std::shared_ptr<UniqueFd> m_parent;
  std::string m_parent_path;
  std::map<std::pair<dev_t, ino_t>, std::pair<std::shared_ptr<UniqueFd>, std::string>> m_links;
  std::vector<DirTime> m_dir_times;
};

// Whether a file is a tar archive (plain, gzip or zstd) that ADD extracts: its first block,
// decompressed, must be a tar header (the "ustar" magic, or an old tar's valid checksum), as
// Docker and BuildKit open the archive and read its first entry before they extract.
// bzip2, xz and lzma tarballs: their first entry read through libarchive's filters.
bool other_compression(const std::string& head) {
  return head.starts_with("BZh") ||
         head.starts_with(
             "\xfd"
             "7zXZ") ||
         head.starts_with(std::string("\x5d\0\0", 3));
}

Result<bool> is_archive(const std::string& path) {
  auto fd = std::make_shared<UniqueFd>(TRY(open_read(path)));
  uint64_t size = TRY(file_size(fd->get()));
  std::string magic = TRY(pread_exact(fd->get(), 0, std::min<uint64_t>(size, 6)));
  if (other_compression(magic)) {
    FileRegionSource raw(fd, 0, size);
    bool entry = false;
    auto walked = tar::for_each_entry(
        raw,
        [&](const tar::Entry&, tar::EntryContent&) -> Result<void> {
          entry = true;
          return make_error("first entry read");
        },
        tar::Filters::any);
    return entry;
  }
  auto peeked = TRY(compress::peek(std::make_unique<FileRegionSource>(fd, 0, size)));
  auto stream = compress::decompress(std::move(peeked.stream), peeked.compression);
  std::string head(512, '\0');
  size_t got = 0;
  while (got < head.size()) {
    auto n = stream->read(std::as_writable_bytes(std::span(head.data() + got, head.size() - got)));
    if (!n) return false;  // not even a compressed stream: a plain file
    if (*n == 0) break;
    got += *n;
  }
  if (got < 512) return false;
  if (head.compare(257, 5, "ustar") == 0) return true;
  // A V7 header: the checksum field (octal) is the sum of the header's bytes, itself as spaces.
  unsigned long stored = std::strtoul(head.substr(148, 8).c_str(), nullptr, 8);
  unsigned long sum = 0;
  for (size_t i = 0; i < 512; ++i)
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(head[i]);
  return head[0] != '\0' && stored == sum;
}

// Extracts the archive into the empty directory `dir` (confined to it), owners and modes as
// in the archive.
Result<void> extract(const std::string& archive, const std::string& dir) {
  auto fd = std::make_shared<UniqueFd>(TRY(open_read(archive)));
  uint64_t size = TRY(file_size(fd->get()));
  fs::UnpackOptions options{fs::UnpackOptions::Whiteouts::apply, fs::UnpackOptions::Metadata::keep};
  auto unpacker = TRY(fs::Unpacker::open(dir, options));
  auto apply = [&](const tar::Entry& e, tar::EntryContent& content) {
    return unpacker.apply(e, content);
  };
  std::string magic = TRY(pread_exact(fd->get(), 0, std::min<uint64_t>(size, 6)));
  if (other_compression(magic)) {
    FileRegionSource raw(fd, 0, size);
    TRY(tar::for_each_entry(raw, apply, tar::Filters::any));
  } else {
    auto peeked = TRY(compress::peek(std::make_unique<FileRegionSource>(fd, 0, size)));
    auto tar = compress::decompress(std::move(peeked.stream), peeked.compression);
    TRY(tar::for_each_entry(*tar, apply));
  }
  return unpacker.finish();
}

// "/" + rel below `base` ("" for the root).
std::string under(const std::string& base, const std::string& rel) {
  return rel.empty() ? (base.empty() ? "/" : base) : base + "/" + rel;
}

}  // namespace

Result<void> copy_into(const CopySelection& selection, const CopyTarget& target) {
  Writer writer(TRY(RootDir::open(target.root)), target);
  std::string dest = target.dest;
  bool into_dir = dest.ends_with('/') || selection.many;
  std::string clean = dockerfile::clean_path(dest);
  std::string base = clean == "/" ? "" : clean;
  // A directory source's entries below `at`, `at` itself as a directory of the source's (the
  // root keeps its own metadata).
  auto put_tree = [](Writer& w, const ChosenSource& source, const std::string& at) -> Result<void> {
    if (!at.empty()) TRY(w.put(source.entries.front(), at, Writer::DirRole::destination));
    for (size_t i = 1; i < source.entries.size(); ++i)
      TRY(w.put(source.entries[i], under(at, source.entries[i].rel)));
    return {};
  };
  for (const auto& source : selection.sources) {
    const SourceEntry& top = source.entries.front();
    if (target.parents) {
      // DEST/<path>: the source's own path below DEST, its contents below that.
      TRY(put_tree(writer, source, source.path.empty() ? base : base + "/" + source.path));
      continue;
    }
    if (source.is_dir()) {
      TRY(put_tree(writer, source, base));
      continue;
    }
    if (target.extract_archives && S_ISREG(top.st.st_mode) && TRY(is_archive(top.host))) {
      // Extracted beside, then copied in like a directory, owners and modes as in the archive
      // (buildah's and Docker's classic builder's way); DEST itself, when made, is --chown's.
      std::string scratch = target.scratch.empty() ? temp_directory() : target.scratch;
      TempDir tmp = TRY(TempDir::create_beside(scratch + "/extract", 0700));
      TRY(extract(top.host, tmp.path()).wrap(source.name));
      SourceTree tree;
      tree.root = tmp.path();
      auto extracted = TRY(choose_sources(tree, {"."}));
      TRY(writer.parent_of(under(base, "x")));  // DEST made as a directory, --chown's
      CopyTarget from_archive = target;
      from_archive.keep_owners = true;
      from_archive.uid.reset();
      from_archive.gid.reset();
      from_archive.chmod.reset();
      Writer inner(TRY(RootDir::open(target.root)), from_archive);
      TRY(put_tree(inner, extracted.sources.front(), base));
      TRY(inner.finish());
      continue;
    }
    // A file: into DEST when it is a directory (or a symlink to one), else DEST itself; a
    // symlink at DEST is written through, inside the root, as Docker does.
    std::string path = clean;
    bool is_dir = into_dir;
    auto st = writer.root().lstat(clean);
    if (st && S_ISLNK(st->st_mode)) {
      if (auto followed = writer.root().resolve(clean)) {
        path = followed->path;
        auto fst = writer.root().lstat(followed->path);
        is_dir = is_dir || (fst && S_ISDIR(fst->st_mode));
      }
    } else if (st && S_ISDIR(st->st_mode)) {
      is_dir = true;
    }
    if (is_dir) path = under(path == "/" ? "" : path, source.name);
    TRY(writer.put(top, path));
  }
  return writer.finish();
}

}  // namespace pith::executor
