// Building the list of image entries: files of the root (through their symlink chains), host
// files, generated files; and the per-layer view the layer writer needs.
#include "build/plan.h"

#include <sys/stat.h>

#include <filesystem>
#include <set>

#include "util/file.h"

namespace pith::build {

namespace {

std::string join(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

const char* kind_name(EntryKind k) {
  switch (k) {
    case EntryKind::file:
      return "file";
    case EntryKind::directory:
      return "directory";
    case EntryKind::symlink:
      return "symlink";
  }
  return "?";
}

}  // namespace

std::string_view layer_name(Layer l) {
  switch (l) {
    case Layer::base:
      return "base";
    case Layer::libs:
      return "libs";
    case Layer::app:
      return "app";
  }
  return "?";
}

Result<std::string> normalize_image_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return make_error(std::string(path) + ": not absolute");
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    auto part = path.substr(i, j - i);
    if (part == "..") {
      if (parts.empty()) return make_error(std::string(path) + ": climbs above /");
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (auto p : parts) (out += '/') += p;
  return out.empty() ? std::string("/") : out;
}

Result<void> Plan::put(PlanEntry e) {
  e.path = TRY(normalize_image_path(e.path));
  if (e.path == "/") return {};  // the root directory is implied
  auto it = m_entries.find(e.path);
  if (it == m_entries.end()) {
    m_entries.emplace(e.path, std::move(e));
    return {};
  }
  PlanEntry& old = it->second;
  if (e.layer > old.layer) {
    old = std::move(e);
    return {};
  }
  if (e.layer < old.layer) return {};  // the higher layer's entry already wins
  bool same = old.kind == e.kind && old.link_target == e.link_target && old.source == e.source &&
              old.content == e.content;
  if (old.kind == EntryKind::directory && e.kind == EntryKind::directory) return {};
  if (!same)
    return make_error(e.path + ": added twice, as a " + kind_name(old.kind) + " and a " +
                      kind_name(e.kind) + " from different sources");
  return {};
}

Result<void> Plan::add_from_root(const RootDir& root, std::string_view path, Layer layer) {
  auto resolved = TRY(root.resolve(path));
  for (const auto& link : resolved.links) add_symlink(link.path, link.target, layer);
  return add_root_entry(root, resolved.path, resolved.path, layer);
}

Result<void> Plan::add_tree(const RootDir& root, std::string_view path, std::string_view dest,
                            Layer layer) {
  auto resolved = TRY(root.resolve(path));
  std::string to = TRY(normalize_image_path(dest));
  // Where the tree is copied under its own name, the links leading to it come along, so the
  // name used to ask for it works in the image too.
  bool same_name = to == TRY(normalize_image_path(path));
  if (same_name)
    for (const auto& link : resolved.links) add_symlink(link.path, link.target, layer);
  return add_root_entry(root, resolved.path, same_name ? resolved.path : to, layer);
}

Result<void> Plan::add_root_entry(const RootDir& root, const std::string& canonical,
                                  const std::string& dest, Layer layer) {
  struct stat st = TRY(root.lstat(canonical));
  PlanEntry e;
  e.path = dest;
  e.layer = layer;
  e.mode = st.st_mode & 07777;
  if (m_keep_owners) {
    e.uid = st.st_uid;
    e.gid = st.st_gid;
  }
  if (S_ISDIR(st.st_mode)) {
    e.kind = EntryKind::directory;
    TRY(put(std::move(e)));
    for (const auto& name : TRY(root.list(canonical)))
      TRY(add_root_entry(root, join(canonical, name), join(dest, name), layer));
    return {};
  }
  if (S_ISLNK(st.st_mode)) {
    e.kind = EntryKind::symlink;
    e.link_target = TRY(root.read_link(canonical));
    e.mode = 0777;
    return put(std::move(e));
  }
  if (!S_ISREG(st.st_mode)) return {};  // devices, fifos and sockets have no place in an image
  e.kind = EntryKind::file;
  e.source = root.dir() == "/" ? canonical : root.dir() + canonical;
  m_root_files[TRY(normalize_image_path(dest))] = canonical;
  return put(std::move(e));
}

Result<void> Plan::add_host(const std::string& host_path, std::string_view dest, Layer layer) {
  namespace fs = std::filesystem;
  struct stat st {};
  if (::stat(host_path.c_str(), &st) != 0) return make_error(host_path + ": " + errno_text(errno));
  PlanEntry e;
  e.path = std::string(dest);
  e.layer = layer;
  e.mode = st.st_mode & 07777;
  if (S_ISREG(st.st_mode)) {
    e.source = host_path;
    return put(std::move(e));
  }
  if (!S_ISDIR(st.st_mode)) return make_error(host_path + ": not a file or directory");
  e.kind = EntryKind::directory;
  TRY(put(std::move(e)));
  std::set<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(host_path, ec), end; it != end; it.increment(ec))
    names.insert(it->path().filename().string());
  if (ec) return make_error(host_path + ": " + ec.message());
  for (const auto& name : names) {
    std::string child = join(host_path, name);
    struct stat cst {};
    if (::lstat(child.c_str(), &cst) != 0) return make_error(child + ": " + errno_text(errno));
    if (S_ISLNK(cst.st_mode)) {
      std::error_code lec;
      auto target = fs::read_symlink(child, lec);
      if (lec) return make_error(child + ": " + lec.message());
      add_symlink(join(dest, name), target.string(), layer);
    } else {
      TRY(add_host(child, join(dest, name), layer));
    }
  }
  return {};
}

void Plan::add_generated(std::string_view path, std::string content, uint32_t mode, Layer layer) {
  PlanEntry e;
  e.path = std::string(path);
  e.content = std::move(content);
  e.mode = mode;
  e.layer = layer;
  (void)put(std::move(e));  // generated paths are absolute constants: nothing to fail
}

void Plan::add_directory(std::string_view path, uint32_t mode, Layer layer, uint64_t uid,
                         uint64_t gid) {
  PlanEntry e;
  e.path = std::string(path);
  e.kind = EntryKind::directory;
  e.mode = mode;
  e.uid = uid;
  e.gid = gid;
  e.layer = layer;
  (void)put(std::move(e));
}

void Plan::add_symlink(std::string_view path, std::string target, Layer layer) {
  PlanEntry e;
  e.path = std::string(path);
  e.kind = EntryKind::symlink;
  e.mode = 0777;
  e.link_target = std::move(target);
  e.layer = layer;
  (void)put(std::move(e));
}

std::vector<PlanEntry> Plan::layer_entries(std::optional<Layer> layer) const {
  std::map<std::string, PlanEntry> out;
  for (const auto& [path, e] : m_entries) {
    if (layer && e.layer != *layer) continue;
    out.emplace(path, e);
    // Parents, so each layer unpacks on its own; a parent the plan knows keeps its mode and
    // owner (a lower layer's /home/nonroot stays 0700).
    for (std::string p = parent_of(path); p != "/"; p = parent_of(p)) {
      if (out.count(p)) break;
      auto known = m_entries.find(p);
      if (known != m_entries.end() && known->second.kind == EntryKind::symlink) break;
      PlanEntry dir;
      dir.path = p;
      dir.kind = EntryKind::directory;
      dir.mode = 0755;
      dir.layer = e.layer;
      if (known != m_entries.end()) {
        dir.mode = known->second.mode;
        dir.uid = known->second.uid;
        dir.gid = known->second.gid;
      }
      out.emplace(p, std::move(dir));
    }
  }
  std::vector<PlanEntry> list;
  list.reserve(out.size());
  for (auto& [path, e] : out) list.push_back(std::move(e));
  return list;
}

std::vector<std::string> Plan::root_files() const {
  std::set<std::string> files;
  for (const auto& [dest, canonical] : m_root_files) {
    auto it = m_entries.find(dest);
    // Only files still in the plan (a higher layer may have replaced them).
    if (it != m_entries.end() && it->second.kind == EntryKind::file && !it->second.source.empty())
      files.insert(canonical);
  }
  return {files.begin(), files.end()};
}

}  // namespace pith::build
