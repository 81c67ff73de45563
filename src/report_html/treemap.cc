#include "report_html/treemap.h"

#include <algorithm>
#include <queue>
#include <unordered_map>

namespace pith::report_html {

namespace {

constexpr int32_t k_none = -1;

// The whole tree with sizes summed: nodes in the order the walk met them, so a parent always
// comes before its children.
struct Full {
  std::string name;
  uint32_t parent = 0;
  bool directory = false;
  uint64_t bytes = 0;
  uint64_t entries = 0;
  std::optional<size_t> owner;
  std::vector<uint32_t> children;
};

// A node kept for the page.
struct Kept {
  int32_t full = k_none;  // k_none for "other"
  int32_t parent = k_none;
  size_t depth = 0;
  TreemapNode node;  // children filled in at the end
  std::vector<int32_t> children;
};

std::vector<Full> summed_tree(
    const fs::Tree& tree, const std::function<std::optional<size_t>(const std::string&)>& owner) {
  std::vector<Full> full(1);
  full[0].directory = true;
  std::unordered_map<std::string, uint32_t> directories{{"", 0}};
  tree.for_each([&](const std::string& path, const fs::Node& node) {
    size_t slash = path.rfind('/');
    auto parent = directories.find(slash == std::string::npos ? "" : path.substr(0, slash));
    if (parent == directories.end()) return;  // the walk gives parents first: never
    Full f;
    f.name = slash == std::string::npos ? path : path.substr(slash + 1);
    f.parent = parent->second;
    f.directory = node.entry.type == tar::EntryType::directory;
    if (node.entry.type == tar::EntryType::regular) {
      f.bytes = node.entry.size;
      f.owner = owner(path);
    }
    auto index = static_cast<uint32_t>(full.size());
    full[f.parent].children.push_back(index);
    full.push_back(std::move(f));
    if (full.back().directory) directories.emplace(path, index);
  });
  for (size_t i = full.size(); i-- > 1;) {
    full[i].entries += 1;
    full[full[i].parent].bytes += full[i].bytes;
    full[full[i].parent].entries += full[i].entries;
  }
  return full;
}

TreemapNode nested(std::vector<Kept>& kept, int32_t at) {
  TreemapNode node = std::move(kept[at].node);
  for (int32_t c : kept[at].children) node.children.push_back(nested(kept, c));
  return node;
}

}  // namespace

TreemapNode build_treemap(const fs::Tree& tree,
                          const std::function<std::optional<size_t>(const std::string&)>& owner,
                          const TreemapLimits& limits) {
  std::vector<Full> full = summed_tree(tree, owner);
  // Where each node of the whole tree went: a kept node, or the "other" it merged into.
  std::vector<int32_t> placed(full.size(), k_none);
  std::vector<Kept> kept(1);
  kept[0].full = 0;
  kept[0].node.bytes = full[0].bytes;
  kept[0].node.entries = full[0].entries;
  placed[0] = 0;

  // 1. Directories opened largest first (ties: the one kept first) while the budget lasts.
  auto smaller = [&](int32_t a, int32_t b) {
    uint64_t x = kept[a].node.bytes, y = kept[b].node.bytes;
    return x != y ? x < y : a > b;
  };
  std::priority_queue<int32_t, std::vector<int32_t>, decltype(smaller)> queue(smaller);
  queue.push(0);
  while (!queue.empty()) {
    int32_t at = queue.top();
    queue.pop();
    const Full& dir = full[kept[at].full];
    if (dir.bytes == 0 || kept[at].depth >= limits.max_depth) continue;
    std::vector<uint32_t> order = dir.children;
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return full[a].bytes != full[b].bytes ? full[a].bytes > full[b].bytes
                                            : full[a].name < full[b].name;
    });
    size_t shown = 0;
    while (shown < order.size() && shown < limits.max_children && full[order[shown]].bytes > 0 &&
           static_cast<double>(full[order[shown]].bytes) >=
               limits.min_share * static_cast<double>(dir.bytes))
      ++shown;
    if (shown == 0) continue;
    size_t needed = shown + (shown < order.size() ? 1 : 0);
    if (kept.size() + needed > limits.max_nodes) continue;  // a smaller directory may still fit
    kept[at].node.opened = true;
    for (size_t i = 0; i < shown; ++i) {
      const Full& f = full[order[i]];
      Kept k;
      k.full = static_cast<int32_t>(order[i]);
      k.parent = at;
      k.depth = kept[at].depth + 1;
      k.node.name = f.name;
      k.node.kind = f.directory ? TreemapNode::Kind::directory : TreemapNode::Kind::file;
      k.node.bytes = f.bytes;
      k.node.entries = f.entries;
      auto index = static_cast<int32_t>(kept.size());
      placed[order[i]] = index;
      kept[at].children.push_back(index);
      kept.push_back(std::move(k));
      if (f.directory) queue.push(index);
    }
    if (shown < order.size()) {
      Kept other;
      other.parent = at;
      other.depth = kept[at].depth + 1;
      other.node.kind = TreemapNode::Kind::other;
      auto index = static_cast<int32_t>(kept.size());
      for (size_t i = shown; i < order.size(); ++i) {
        other.node.bytes += full[order[i]].bytes;
        other.node.entries += full[order[i]].entries;
        ++other.node.merged;
        placed[order[i]] = index;
      }
      kept[at].children.push_back(index);
      kept.push_back(std::move(other));
    }
  }

  // 2. Each file's bytes counted for its owner at every kept node above it.
  std::vector<std::unordered_map<size_t, uint64_t>> owned(kept.size());
  std::vector<uint64_t> unowned(kept.size(), 0);
  for (size_t i = 1; i < full.size(); ++i) {
    if (placed[i] == k_none) placed[i] = placed[full[i].parent];
    if (full[i].bytes == 0 || full[i].directory) continue;
    for (int32_t at = placed[i]; at != k_none; at = kept[at].parent) {
      if (full[i].owner)
        owned[at][*full[i].owner] += full[i].bytes;
      else
        unowned[at] += full[i].bytes;
    }
  }
  for (size_t at = 0; at < kept.size(); ++at) {
    std::optional<size_t> best;
    uint64_t most = 0;
    for (const auto& [package, bytes] : owned[at])
      if (bytes > most || (bytes == most && best && package < *best)) {
        best = package;
        most = bytes;
      }
    if (best && most >= unowned[at]) kept[at].node.package = best;
  }
  return nested(kept, 0);
}

}  // namespace pith::report_html
