// Fuzz target: squashing layers (fs::Tree: whiteouts, opaque directories, type changes, implied
// parents) and the waste measures over the same layers. Each section (fuzz_sections.h) is a
// layer of entry lines (fuzz_image.h), "- a/.wh.b", "d x/.wh..wh..opq", "l ../c -> /d", with
// paths normalised as the layer reader does (an entry whose path climbs out of the root is
// refused there, so it is left out here).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fs/efficiency.h"
#include "fs/layers.h"
#include "fs/tree.h"
#include "fuzz_image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pith;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<fs::LayerEntries> layers;
  for (const auto& section : fuzz::split_sections(input)) {
    fs::LayerEntries layer;
    for (auto& le : fuzz::parse_entry_lines(section.content)) {
      tar::Entry e = std::move(le.entry);
      std::string path;
      if (!tar::normalize_path(e.path, path)) continue;
      e.path = std::move(path);
      if (e.type == tar::EntryType::hardlink) {
        std::string target;
        if (!tar::normalize_path(e.link_target, target)) continue;
        e.link_target = std::move(target);
      }
      layer.entries.push_back(std::move(e));
    }
    layers.push_back(std::move(layer));
  }
  fs::Tree tree;
  for (size_t i = 0; i < layers.size(); ++i) {
    if (!tree.apply_layer(i, layers[i].entries)) return 0;
    fuzz::check_tree(tree, i + 1);
  }
  auto efficiency = fs::compute_efficiency(layers);
  if (efficiency) fuzz::check_efficiency(*efficiency, layers);
  return 0;
}
