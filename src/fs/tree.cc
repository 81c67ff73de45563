// Squashing layers into one tree, as overlayfs and `docker export` see it: a trie walked
// iteratively, symlinked parents followed inside the root.
#include "fs/tree.h"
#include "util/path_text.h"

#include <algorithm>
#include <vector>

namespace pith::fs {

// An implied directory holds no Node of its own: they all show this one, so the directories a
// deep path implies cost a name and a map each.
struct Tree::Slot {
  std::unique_ptr<Node> own;  // nullptr for implied directories (and the root)
  Slot* parent = nullptr;     // nullptr for the root
  size_t path_len = 0;        // bytes of its path from the root ("a/b" is 3)
  std::map<std::string, std::unique_ptr<Slot>, std::less<>> children;

  const Node& node() const { return own ? *own : implied_node(); }
  tar::EntryType type() const { return own ? own->entry.type : tar::EntryType::directory; }

  static const Node& implied_node() {
    static const Node k_implied = [] {
      Node n;
      n.entry.type = tar::EntryType::directory;
      n.entry.mode = 0755;
      n.implied = true;
      return n;
    }();
    return k_implied;
  }
};

namespace {

// Pushes the components of `path` on a stack of names still to walk, first one on top; empty
// components and "." name nothing.
void push_components(std::vector<std::string>& todo, std::string_view path) {
  size_t end = path.size();
  for (;;) {
    size_t slash = end == 0 ? std::string_view::npos : path.rfind('/', end - 1);
    size_t start = slash == std::string_view::npos ? 0 : slash + 1;
    std::string_view part = path.substr(start, end - start);
    if (!part.empty() && part != ".") todo.emplace_back(part);
    if (slash == std::string_view::npos) break;
    end = slash;
  }
}

// Deletes a subtree without recursion (a hostile tree may be thousands of levels deep):
// children move to a work list before their parent goes. Returns the nodes deleted and the
// bytes of their paths.
template <class SlotPtr>
std::pair<size_t, uint64_t> destroy(SlotPtr top) {
  size_t n = 0;
  uint64_t bytes = 0;
  std::vector<SlotPtr> todo;
  todo.push_back(std::move(top));
  while (!todo.empty()) {
    SlotPtr s = std::move(todo.back());
    todo.pop_back();
    for (auto& [name, child] : s->children) todo.push_back(std::move(child));
    s->children.clear();
    ++n;
    bytes += s->path_len;
  }
  return {n, bytes};
}

}  // namespace

Tree::Tree() : m_root(std::make_unique<Slot>()) {}

Tree::~Tree() {
  if (m_root) clear_children(m_root.get());
}

Tree::Tree(Tree&&) noexcept = default;

Tree& Tree::operator=(Tree&& o) noexcept {
  if (this != &o) {
    if (m_root) clear_children(m_root.get());
    m_root = std::move(o.m_root);
    m_count = o.m_count;
    m_path_bytes = o.m_path_bytes;
    o.m_count = 0;
    o.m_path_bytes = 0;
  }
  return *this;
}

void Tree::drop(std::unique_ptr<Slot> slot) {
  forget_parent();
  auto [n, bytes] = destroy(std::move(slot));
  m_count -= n;
  m_path_bytes -= bytes;
}

void Tree::clear_children(Slot* dir) {
  for (auto& [name, child] : dir->children) drop(std::move(child));
  dir->children.clear();
}

Result<Tree::Slot*> Tree::add_child(Slot* dir, std::string name) {
  size_t path_len = dir->path_len + (dir->parent ? 1 : 0) + name.size();
  if (path_len > k_max_path_bytes)
    return make_error("the path is longer than " + std::to_string(k_max_path_bytes) +
                      " bytes once symlinks are followed");
  if (m_count + 1 > k_max_entries)
    return make_error("more than " + std::to_string(k_max_entries) + " files and directories");
  // What `pith ls` would print: deep paths repeated by millions of implied directories.
  if (m_path_bytes + path_len > k_max_path_bytes_total)
    return make_error("the paths of the files and directories take more than " +
                      std::to_string(k_max_path_bytes_total) + " bytes");
  auto slot = std::make_unique<Slot>();
  slot->parent = dir;
  slot->path_len = path_len;
  Slot* raw = slot.get();
  dir->children.insert_or_assign(std::move(name), std::move(slot));
  ++m_count;
  m_path_bytes += path_len;
  return raw;
}

// The directory `dir` names, every component followed (symlinks inside the root, ".." never
// above it). With `create`, missing components become implied directories and a non-directory
// in the way is replaced by one; without, a missing or non-directory component gives nullptr.
Result<Tree::Slot*> Tree::resolve_dir(std::string_view dir, bool create) {
  std::vector<std::string> todo;
  push_components(todo, dir);
  Slot* at = m_root.get();
  int links = 0;
  while (!todo.empty()) {
    if (++m_steps > k_max_tree_steps)
      return make_error("gave up after walking " + std::to_string(k_max_tree_steps) +
                        " path components (chains of symbolic links?)");
    std::string name = std::move(todo.back());
    todo.pop_back();
    if (name == "..") {
      if (at->parent) at = at->parent;
      continue;
    }
    auto it = at->children.find(name);
    if (it == at->children.end()) {
      if (!create) return nullptr;
      at = TRY(add_child(at, std::move(name)));
      continue;
    }
    Slot* child = it->second.get();
    if (child->type() == tar::EntryType::directory) {
      at = child;
      continue;
    }
    const tar::Entry& e = child->own->entry;
    if (e.type == tar::EntryType::symlink) {
      if (++links > k_max_symlinks)
        return make_error(std::string(dir) + ": too many levels of symbolic links");
      if (e.link_target.starts_with('/')) at = m_root.get();
      push_components(todo, e.link_target);
      continue;
    }
    if (!create) return nullptr;
    drop(std::move(it->second));
    at->children.erase(it);
    at = TRY(add_child(at, std::move(name)));
  }
  return at;
}

Result<void> Tree::apply_whiteout(const Classified& c) {
  if (c.marker == Marker::opaque) {
    Slot* dir = TRY(resolve_dir(c.target, false));
    if (dir) clear_children(dir);
    return {};
  }
  Slot* dir = TRY(resolve_dir(path_parent(c.target), false));
  if (!dir) return {};
  auto it = dir->children.find(path_base_name(c.target));
  if (it == dir->children.end()) return {};
  drop(std::move(it->second));
  dir->children.erase(it);
  return {};
}

Result<void> Tree::apply_entry(size_t layer, const tar::Entry& e) {
  // Entries come grouped by directory: the last parent is kept until something is removed.
  std::string_view parent = path_parent(e.path);
  if (!m_parent || m_parent_path != parent) {
    m_parent = TRY(resolve_dir(parent, true));
    m_parent_path = parent;
  }
  Slot* dir = m_parent;
  std::string_view name = path_base_name(e.path);
  auto it = dir->children.find(name);
  if (it != dir->children.end()) {
    Slot* old = it->second.get();
    // A directory over a directory keeps what is below it; anything else replaces the node
    // (a directory with all its children).
    if (old->type() == tar::EntryType::directory && e.type == tar::EntryType::directory) {
      old->own = std::make_unique<Node>(Node{e, layer, false});
      return {};
    }
    drop(std::move(it->second));
    dir->children.erase(it);
  }
  Slot* slot = TRY(add_child(dir, std::string(name)));
  slot->own = std::make_unique<Node>(Node{e, layer, false});
  return {};
}

Result<void> Tree::apply_layer(size_t layer, const std::vector<tar::Entry>& entries) {
  // Whiteouts act on lower layers only, so all of them go first.
  std::vector<Classified> kinds;
  kinds.reserve(entries.size());
  for (const auto& e : entries) {
    kinds.push_back(TRY(classify(e.path)));
    const Classified& c = kinds.back();
    if (c.marker == Marker::whiteout || c.marker == Marker::opaque)
      TRY(apply_whiteout(c).wrap(tar::shown_path(e.path)));
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    const tar::Entry& e = entries[i];
    if (e.path.empty() || kinds[i].marker != Marker::none) continue;
    TRY(apply_entry(layer, e).wrap(tar::shown_path(e.path)));
  }
  return {};
}

const Node* Tree::find(std::string_view path) const {
  if (path.empty()) return nullptr;
  const Slot* at = m_root.get();
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(pos, end - pos);
    pos = end + 1;
    if (part.empty()) continue;
    auto it = at->children.find(part);
    if (it == at->children.end()) return nullptr;
    at = it->second.get();
  }
  return at == m_root.get() ? nullptr : &at->node();
}

std::vector<std::string> Tree::list(std::string_view path) const {
  const Slot* at = m_root.get();
  size_t pos = 0;
  while (pos < path.size()) {
    size_t end = std::min(path.find('/', pos), path.size());
    std::string_view part = path.substr(pos, end - pos);
    pos = end + 1;
    if (part.empty()) continue;
    auto it = at->children.find(part);
    if (it == at->children.end()) return {};
    at = it->second.get();
  }
  std::vector<std::string> names;
  if (at->type() != tar::EntryType::directory) return names;
  for (const auto& [name, child] : at->children) names.push_back(name);
  return names;
}

const Node* Tree::lookup(std::string_view path) const {
  if (path.empty()) return nullptr;
  // Without `create`, resolve_dir changes nothing: the cast only reuses the one walk.
  auto dir = const_cast<Tree*>(this)->resolve_dir(path_parent(path), false);
  if (!dir || !*dir) return nullptr;
  auto it = (*dir)->children.find(path_base_name(path));
  return it == (*dir)->children.end() ? nullptr : &it->second->node();
}

void Tree::for_each(
    const std::function<void(const std::string& path, const Node& node)>& visit) const {
  // Byte order of full paths is not a depth-first walk with children sorted by name: "a-b"
  // and "a.c" sort between "a" and "a/x". So each directory lists its children twice, as the
  // node ("a") and as the block of everything below it ("a/"), and sorts those keys.
  struct Key {
    std::string key;
    const Slot* slot;
    bool block;
  };
  struct Frame {
    std::vector<Key> keys;
    size_t next = 0;
    size_t path_len = 0;  // length of this directory's path
  };
  auto keys_of = [](const Slot* dir) {
    std::vector<Key> keys;
    for (const auto& [name, child] : dir->children) {
      keys.push_back({name, child.get(), false});
      if (!child->children.empty()) keys.push_back({name + "/", child.get(), true});
    }
    std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) { return a.key < b.key; });
    return keys;
  };
  std::string path;
  std::vector<Frame> stack;
  stack.push_back({keys_of(m_root.get()), 0, 0});
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next == top.keys.size()) {
      stack.pop_back();
      continue;
    }
    const Key& k = top.keys[top.next++];
    path.resize(top.path_len);
    if (!path.empty()) path += '/';
    path.append(k.key, 0, k.block ? k.key.size() - 1 : k.key.size());
    if (!k.block) {
      visit(path, k.slot->node());
      continue;
    }
    const Slot* below = k.slot;
    stack.push_back({keys_of(below), 0, path.size()});
  }
}

}  // namespace pith::fs
