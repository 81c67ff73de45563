// The file tree of an image: each layer's change set applied in order, with whiteouts
// (".wh.NAME" deletes NAME below, ".wh..wh..opq" empties a directory of what lower layers put
// there), entries of another type replacing directories, and implied parent directories.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "tar/entry.h"
#include "util/result.h"

namespace pith::fs {

inline constexpr std::string_view k_whiteout_prefix = ".wh.";
inline constexpr std::string_view k_opaque_whiteout = ".wh..wh..opq";

struct Node {
  tar::Entry entry;
  size_t layer = 0;      // the layer that wrote it last
  bool implied = false;  // a directory no layer wrote, implied by a deeper path
};

class Tree {
 public:
  // Applies one layer's entries (in archive order) on top of the tree.
  void apply_layer(size_t layer, const std::vector<tar::Entry>& entries);

  // Every path except the root, sorted (byte order, as `sort` with LC_ALL=C).
  const std::map<std::string, Node>& nodes() const { return m_nodes; }
  const Node* find(const std::string& path) const;

 private:
  void erase_subtree(const std::string& path, bool keep_self);
  void ensure_parents(const std::string& path, size_t layer);
  std::map<std::string, Node> m_nodes;
};

// True for whiteout markers (which are instructions, not files).
bool is_whiteout(const std::string& path);

}  // namespace pith::fs
