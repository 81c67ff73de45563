// Waste accounting: dive's per-layer trees and score (wagoodman/dive, dive/filetree) modelled
// closely enough to agree to the last bit, and reclaimable bytes measured on pith's own Tree.
#include "fs/efficiency.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "fs/tree.h"
#include "util/limits.h"

namespace pith::fs {

namespace {

// dive never adds a node whose name starts so (its only "opaque whiteout" handling).
constexpr std::string_view k_dive_skipped_prefix = ".wh..wh..";

std::string join(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (!out.empty()) out += '/';
  out += name;
  return out;
}

// Path components; empty ones are skipped, as dive's GetNode does.
std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = std::min(path.find('/', start), path.size());
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// dive's payload, reduced to what the score reads. A directory that no entry names gets the
// empty payload (size 0 and, notably, not a directory), as in dive.
struct DiveInfo {
  int64_t size = 0;
  bool is_dir = false;
};

struct DiveNode {
  DiveInfo info;
  std::map<std::string, size_t, std::less<>> children;  // byte order, as Go's sort.Strings
};

// What every DiveTree of one computation may still make (nodes, copies included) and walk
// (path components), against the squash's own bounds.
struct NodeBudget {
  size_t nodes = k_max_entries;
  uint64_t steps = k_max_tree_steps;
  Result<void> take(size_t n) {
    if (n > nodes)
      return make_error("waste accounting: more than " + std::to_string(k_max_entries) +
                        " files and directories in the layers' trees");
    nodes -= n;
    return {};
  }
  Result<void> walk(size_t n) {
    if (n > steps)
      return make_error("waste accounting: more than " + std::to_string(k_max_tree_steps) +
                        " path components walked");
    steps -= n;
    return {};
  }
};

// One dive FileTree. Nodes live in a vector (0 is the root): a copy is a vector copy, a removed
// subtree just becomes unreachable, and nothing recurses however deep a hostile path goes.
class DiveTree {
 public:
  DiveTree() : m_nodes(1) {}

  // dive's AddPath: creates missing components with the empty payload, except names that
  // start with ".wh..wh.." (the walk stops there); the last component gets `info`.
  Result<void> add_path(std::string_view path, DiveInfo info, NodeBudget& budget) {
    auto names = components(path);
    TRY(budget.walk(names.size()));
    size_t at = 0;
    for (size_t i = 0; i < names.size(); ++i) {
      auto it = m_nodes[at].children.find(names[i]);
      if (it != m_nodes[at].children.end()) {
        at = it->second;
      } else {
        if (names[i].starts_with(k_dive_skipped_prefix)) return {};
        TRY(budget.take(1));
        size_t child = m_nodes.size();
        m_nodes.emplace_back();
        m_nodes[at].children.emplace(std::string(names[i]), child);
        at = child;
      }
      if (i + 1 == names.size()) m_nodes[at].info = info;
    }
    return {};
  }

  // dive's RemovePath: the node and everything below it; a missing path or the root is left
  // alone (dive logs those and goes on).
  void remove_path(std::string_view path) {
    auto names = components(path);
    if (names.empty()) return;
    std::string_view last = names.back();
    names.pop_back();
    auto parent = find_names(names);
    if (!parent) return;
    auto& siblings = m_nodes[*parent].children;
    auto it = siblings.find(last);
    if (it != siblings.end()) siblings.erase(it);
  }

  std::optional<size_t> find(std::string_view path) const { return find_names(components(path)); }
  const DiveNode& node(size_t i) const { return m_nodes[i]; }

  // Sizes of a node and all below it, wrapping as dive's int64 sum would.
  uint64_t subtree_size(size_t i) const {
    uint64_t sum = 0;
    std::vector<size_t> todo{i};
    while (!todo.empty()) {
      size_t n = todo.back();
      todo.pop_back();
      if (n != 0) sum += static_cast<uint64_t>(m_nodes[n].info.size);  // the root has no size
      for (const auto& [name, child] : m_nodes[n].children) todo.push_back(child);
    }
    return sum;
  }

  Result<void> stack(const DiveTree& upper, NodeBudget& budget);
  size_t size() const { return m_nodes.size(); }

 private:
  std::optional<size_t> find_names(const std::vector<std::string_view>& names) const {
    size_t at = 0;
    for (auto name : names) {
      auto it = m_nodes[at].children.find(name);
      if (it == m_nodes[at].children.end()) return std::nullopt;
      at = it->second;
    }
    return at;
  }

  std::vector<DiveNode> m_nodes;
};

bool is_dive_whiteout(std::string_view name) {
  return name.starts_with(k_whiteout_prefix);
}

// dive's FileNode.Path(): the node's own name loses one ".wh." prefix, its parents' do not.
std::string dive_path(std::string_view parent, std::string_view name) {
  if (is_dive_whiteout(name)) name.remove_prefix(k_whiteout_prefix.size());
  return join(parent, name);
}

// dive's VisitDepthChildFirst: children before parents, siblings in byte order, the root never.
// `visit(node, parent_path, name)` returns false to end the walk (dive's visitor error).
template <class Visit>
void walk_child_first(const DiveTree& tree, Visit&& visit) {
  struct Frame {
    size_t node;
    size_t parent_len;  // length of `path` before this node's name was appended
    std::string_view name;
    std::map<std::string, size_t, std::less<>>::const_iterator next;
  };
  std::string path;
  std::vector<Frame> stack{{0, 0, {}, tree.node(0).children.begin()}};
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next != tree.node(top.node).children.end()) {
      const auto& [name, child] = *top.next++;
      size_t parent_len = path.size();
      if (!path.empty()) path += '/';
      path += name;
      stack.push_back({child, parent_len, name, tree.node(child).children.begin()});
      continue;
    }
    Frame done = top;
    stack.pop_back();
    if (stack.empty()) break;
    if (!visit(done.node, std::string_view(path).substr(0, done.parent_len), done.name)) return;
    path.resize(done.parent_len);
  }
}

// dive's Stack: every node of `upper`, children first; a whiteout removes its target, anything
// else is added (an existing node takes the new payload and keeps its children).
Result<void> DiveTree::stack(const DiveTree& upper, NodeBudget& budget) {
  Result<void> status;
  walk_child_first(upper, [&](size_t n, std::string_view parent, std::string_view name) {
    if (is_dive_whiteout(name)) {
      remove_path(dive_path(parent, name));
      return true;
    }
    status = add_path(join(parent, name), upper.node(n).info, budget);
    return status.ok();
  });
  return status;
}

// What dive's Efficiency() keeps per path.
struct PathStats {
  std::string path;
  uint64_t cumulative = 0;  // wraps as dive's int64 would
  // -1 until a size is seen. A walk that stops (a whiteout of nothing) leaves it at -1, and
  // dive's score still adds that -1: kept, so the scores agree.
  int64_t min_size = -1;
  size_t count = 0;
};

Result<void> dive_measures(const std::vector<LayerEntries>& layers, Efficiency& out) {
  NodeBudget budget;
  // Each layer's own tree, as dive builds it from the tar headers; a layer's size is the sum
  // of its header sizes (not its tar's length).
  std::vector<DiveTree> trees(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    uint64_t layer_size = 0;
    for (const auto& e : layers[i].entries) {
      layer_size += e.size;
      if (e.path.empty()) continue;  // dive skips "." entries
      TRY(trees[i].add_path(
          e.path, {static_cast<int64_t>(e.size), e.type == tar::EntryType::directory}, budget));
    }
    out.size_bytes += layer_size;
    if (i > 0) out.user_size_bytes += layer_size;
  }

  // A whiteout is sized against the layers below it, stacked as dive's StackTreeRange(0, n-1)
  // does: a copy of layer 0 with layers 0..n-1 stacked on it (layer 0 twice). Built once,
  // incrementally, instead of afresh for every whiteout.
  DiveTree stacked;
  size_t stacked_layers = 0;
  bool have_stacked = false;
  Result<void> stacking;
  auto below = [&](size_t layer) -> const DiveTree& {
    if (layer == 0) return trees[0];  // StackTreeRange(0, -1): layer 0 alone
    if (!have_stacked) {
      stacking = budget.take(trees[0].size());
      if (!stacking) return stacked;
      stacked = trees[0];
      have_stacked = true;
    }
    while (stacking && stacked_layers < layer)
      stacking = stacked.stack(trees[stacked_layers++], budget);
    return stacked;
  };

  std::unordered_map<std::string, size_t> index;
  std::vector<PathStats> stats;
  std::vector<size_t> inefficient;  // in the order paths reach their second sighting
  for (size_t layer = 0; layer < trees.size(); ++layer) {
    const DiveTree& tree = trees[layer];
    walk_child_first(tree, [&](size_t n, std::string_view parent, std::string_view name) {
      const DiveNode& node = tree.node(n);
      if (!node.children.empty()) return true;  // leaves only
      std::string path = dive_path(parent, name);
      auto [it, added] = index.try_emplace(path, stats.size());
      if (added) stats.push_back(PathStats{path});
      int64_t size = node.info.size;
      if (is_dive_whiteout(name)) {
        // A deleted directory costs its whole lower subtree; a deleted file costs nothing here
        // (its bytes were counted when it was written).
        const DiveTree& lower = below(layer);
        auto found = lower.find(path);
        if (!found) return false;  // dive's GetNode error ends this layer's walk
        size =
            lower.node(*found).info.is_dir ? static_cast<int64_t>(lower.subtree_size(*found)) : 0;
      }
      PathStats& s = stats[it->second];
      s.cumulative += static_cast<uint64_t>(size);
      if (s.min_size < 0 || size < s.min_size) s.min_size = size;
      if (++s.count == 2) inefficient.push_back(it->second);
      return true;
    });
  }

  TRY(std::move(stacking));

  uint64_t minimum = 0;
  uint64_t discovered = 0;
  for (const auto& s : stats) {
    minimum += static_cast<uint64_t>(s.min_size);
    discovered += s.cumulative;
  }
  auto discovered_signed = static_cast<int64_t>(discovered);
  out.score = discovered_signed == 0 ? 1.0
                                     : static_cast<double>(static_cast<int64_t>(minimum)) /
                                           static_cast<double>(discovered_signed);

  for (size_t i : inefficient) {
    const PathStats& s = stats[i];
    out.inefficient.push_back({s.path, s.count, s.cumulative});
    out.wasted_bytes += s.cumulative;
  }
  // dive sorts with Go's sort.Sort, which is stable only up to 12 entries; stable here.
  std::stable_sort(
      out.inefficient.begin(), out.inefficient.end(), [](const auto& a, const auto& b) {
        return static_cast<int64_t>(a.cumulative_bytes) < static_cast<int64_t>(b.cumulative_bytes);
      });
  out.user_wasted_percent =
      static_cast<double>(out.wasted_bytes) / static_cast<double>(out.user_size_bytes);
  return {};
}

Result<uint64_t> reclaimable_bytes(const std::vector<LayerEntries>& layers, const Tree* squashed) {
  constexpr size_t k_none = SIZE_MAX;
  std::vector<uint64_t> version_bytes;  // one version per regular-file entry
  // Per layer: the version a path's last entry there shows (a hard link shows its target's).
  // Keys view the entries' own paths: copying every path was most of this function's cost.
  std::vector<std::unordered_map<std::string_view, size_t>> shows(layers.size());
  Tree tree;
  for (size_t layer = 0; layer < layers.size(); ++layer) {
    auto& here = shows[layer];
    here.reserve(layers[layer].entries.size());
    for (const auto& e : layers[layer].entries) {
      if (e.path.empty() || is_whiteout(e.path) || is_aufs_metadata(e.path)) continue;
      size_t version = k_none;
      if (e.type == tar::EntryType::regular) {
        version = version_bytes.size();
        version_bytes.push_back(e.size);
      } else if (e.type == tar::EntryType::hardlink) {
        // The target as it stands when the link is extracted: written earlier in this layer,
        // or else in the tree of the layers below (not yet holding this one).
        if (auto it = here.find(e.link_target); it != here.end()) {
          version = it->second;
        } else if (const Node* target = tree.lookup(e.link_target)) {
          const auto& lower = shows[target->layer];
          if (auto lt = lower.find(std::string_view(target->entry.path)); lt != lower.end())
            version = lt->second;
        }
      }
      if (version == k_none)
        here.erase(std::string_view(e.path));
      else
        here.insert_or_assign(std::string_view(e.path), version);
    }
    // The tree below the next layer; the caller's squash is the one after the last.
    if (!squashed || layer + 1 < layers.size()) TRY(tree.apply_layer(layer, layers[layer].entries));
  }
  // A final node is the last entry at its path in the layer that wrote it, so that layer's
  // map names the version it shows.
  std::vector<bool> visible(version_bytes.size());
  (squashed ? *squashed : tree).for_each([&](const std::string&, const Node& node) {
    if (node.entry.type != tar::EntryType::regular && node.entry.type != tar::EntryType::hardlink)
      return;
    // Keyed by the path the layer wrote, which a symlinked parent makes differ from the node's.
    const auto& there = shows[node.layer];
    if (auto it = there.find(node.entry.path); it != there.end()) visible[it->second] = true;
  });
  uint64_t hidden = 0;
  for (size_t v = 0; v < version_bytes.size(); ++v)
    if (!visible[v]) hidden += version_bytes[v];
  return hidden;
}

}  // namespace

Result<Efficiency> compute_efficiency(const std::vector<LayerEntries>& layers,
                                      const Tree* squashed) {
  Efficiency out;
  TRY(dive_measures(layers, out));
  out.reclaimable_bytes = TRY(reclaimable_bytes(layers, squashed));
  return out;
}

}  // namespace pith::fs
