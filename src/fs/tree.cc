// Squashing layers into one tree, as overlayfs and `docker export` see it.
#include "fs/tree.h"

namespace pith::fs {

namespace {

std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string parent_of(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

std::string join(const std::string& dir, std::string_view name) {
  return dir.empty() ? std::string(name) : dir + "/" + std::string(name);
}

// aufs keeps bookkeeping under ".wh..wh.*" directories (e.g. ".wh..wh.plnk/"): never files.
bool is_aufs_metadata(std::string_view path) {
  for (size_t start = 0; start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.substr(0, 8) == ".wh..wh." && part != k_opaque_whiteout) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

bool is_whiteout(const std::string& path) {
  return base_name(path).substr(0, k_whiteout_prefix.size()) == k_whiteout_prefix;
}

const Node* Tree::find(const std::string& path) const {
  auto it = m_nodes.find(path);
  return it == m_nodes.end() ? nullptr : &it->second;
}

void Tree::erase_subtree(const std::string& path, bool keep_self) {
  if (path.empty()) {  // the root: everything below it
    m_nodes.clear();
    return;
  }
  // Descendants sort between "path/" and "path0" ('0' follows '/').
  m_nodes.erase(m_nodes.lower_bound(path + "/"), m_nodes.lower_bound(path + "0"));
  if (!keep_self) m_nodes.erase(path);
}

void Tree::ensure_parents(const std::string& path, size_t layer) {
  std::string parent = parent_of(path);
  if (parent.empty()) return;
  auto it = m_nodes.find(parent);
  if (it != m_nodes.end() && it->second.entry.type == tar::EntryType::directory) return;
  ensure_parents(parent, layer);
  if (it != m_nodes.end()) m_nodes.erase(it);  // a non-directory in the way is replaced
  Node n;
  n.entry.path = parent;
  n.entry.type = tar::EntryType::directory;
  n.entry.mode = 0755;
  n.layer = layer;
  n.implied = true;
  m_nodes.emplace(parent, std::move(n));
}

void Tree::apply_layer(size_t layer, const std::vector<tar::Entry>& entries) {
  // Whiteouts act on lower layers only, so all of them go first.
  for (const auto& e : entries) {
    std::string_view name = base_name(e.path);
    if (name.substr(0, k_whiteout_prefix.size()) != k_whiteout_prefix) continue;
    std::string dir = parent_of(e.path);
    if (name == k_opaque_whiteout) {
      erase_subtree(dir, /*keep_self=*/true);
    } else if (name.substr(0, 2 * k_whiteout_prefix.size()) != ".wh..wh.") {
      erase_subtree(join(dir, name.substr(k_whiteout_prefix.size())), /*keep_self=*/false);
    }
    // Other ".wh..wh." names are aufs bookkeeping (e.g. ".wh..wh.plnk"): not files.
  }
  for (const auto& e : entries) {
    if (e.path.empty() || is_whiteout(e.path) || is_aufs_metadata(e.path)) continue;
    ensure_parents(e.path, layer);
    auto it = m_nodes.find(e.path);
    if (it != m_nodes.end() && it->second.entry.type == tar::EntryType::directory &&
        e.type != tar::EntryType::directory)
      erase_subtree(e.path, /*keep_self=*/true);
    Node n;
    n.entry = e;
    n.layer = layer;
    m_nodes.insert_or_assign(e.path, std::move(n));
  }
}

}  // namespace pith::fs
