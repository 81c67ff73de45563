// The file tree of an image: each layer's change set applied in order, as a runtime's unpacker
// and overlayfs show it. Whiteouts (fs/whiteout.h) act on the layers below; an entry of another
// type replaces a directory; missing parents are implied; a parent that is a symlink is
// followed inside the root (as containerd's applier and GNU tar do), so a file written through
// it lands where the link points.
//
// The tree is a trie: a node holds its name and its children, never its full path, so a deep
// hostile path costs memory in proportion to its depth, not its depth squared. Limits keep the
// rest bounded (docs/limits.md).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fs/whiteout.h"
#include "tar/entry.h"
#include "util/limits.h"
#include "util/result.h"

namespace pith::fs {

// Limits (util/limits.h): a node's path, once symlinks are followed, is at most
// k_max_path_bytes long (PATH_MAX, which allows 2048 levels of "a/"); a tree holds at most
// k_max_entries nodes, implied directories included, whose paths sum to at most
// k_max_path_bytes_total; k_max_symlinks are followed per path, k_max_tree_steps in all.

struct Node {
  // The entry as its layer wrote it: `entry.path` is the path written there, which differs
  // from the node's place in the tree when a parent was a symlink. Implied directories all show
  // one node: an empty `entry.path`, mode 0755, layer 0.
  tar::Entry entry;
  size_t layer = 0;      // the layer that wrote it last
  bool implied = false;  // a directory no layer wrote, implied by a deeper path
};

class Tree {
 public:
  Tree();
  ~Tree();
  Tree(Tree&&) noexcept;
  Tree& operator=(Tree&&) noexcept;

  // Applies one layer's entries (in archive order) on top of the tree. Errors: a whiteout of
  // "", "." or "..", a path longer than PATH_MAX once symlinks are followed, more than
  // k_max_entries nodes, a symlink loop on the way to a parent.
  Result<void> apply_layer(size_t layer, const std::vector<tar::Entry>& entries);

  // The node at exactly `path` (no symlink followed), or nullptr; "" is never a node.
  const Node* find(std::string_view path) const;
  // The node `path` names in the final tree: symlinks in its parents followed inside the root,
  // the last component not (as lstat does); nullptr when missing or looping.
  const Node* lookup(std::string_view path) const;
  // The names in directory `path` ("" is the root; no symlink followed), in byte order; empty
  // when it is no directory.
  std::vector<std::string> list(std::string_view path) const;

  // Every node except the root, in byte order of its path (as `sort` with LC_ALL=C), with that
  // path. Iterative: a deep tree costs no stack.
  void for_each(const std::function<void(const std::string& path, const Node& node)>& visit) const;

  size_t size() const { return m_count; }

 private:
  struct Slot;
  Result<Slot*> resolve_dir(std::string_view dir, bool create);
  Result<void> apply_whiteout(const Classified& c);
  Result<void> apply_entry(size_t layer, const tar::Entry& e);
  Result<Slot*> add_child(Slot* dir, std::string name);
  void clear_children(Slot* dir);
  void drop(std::unique_ptr<Slot> slot);
  void forget_parent() {
    m_parent = nullptr;
    m_parent_path.clear();
  }

  std::unique_ptr<Slot> m_root;
  size_t m_count = 0;         // nodes below the root
  uint64_t m_path_bytes = 0;  // the lengths of their paths, summed
  uint64_t m_steps = 0;       // components walked, against k_max_tree_steps
  Slot* m_parent = nullptr;   // the directory the last entry went to, and its path as written
  std::string m_parent_path;
};

}  // namespace pith::fs
