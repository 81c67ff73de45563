// The data of one image's part of the page, as JSON for the page's script: the summary, the
// layers (bytes added, bytes later layers hide, the command that made each), the packages (with
// the bytes of the files each owns), the attack surface, lint's findings and the treemap.
// Everything is computed here; the page's script only draws it.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "lint/image.h"
#include "lint/lint.h"
#include "report/model.h"
#include "report_html/treemap.h"

namespace pith::report_html {

// Bounds on what one image puts in the page (a hostile image could list a million packages).
inline constexpr size_t k_max_packages_shown = 5000;
inline constexpr size_t k_max_findings_shown = 1000;
inline constexpr size_t k_max_surface_paths_shown = 200;
inline constexpr size_t k_max_command_bytes = 2000;  // of each layer's created_by

// What the page needs from the squashed tree and lint's kept files: read while lint's view
// lives (LintOptions::on_view), so nothing is read twice.
struct TreeFacts {
  TreemapNode treemap;
  std::vector<uint64_t> visible_bytes;  // by layer: its regular-file bytes the final tree shows
  std::vector<uint64_t> package_bytes;  // by package: bytes of the files it owns in the tree
  std::vector<uint64_t> package_files;  // by package: its regular files in the tree
};

TreeFacts tree_facts(const report::InspectReport& report, const lint::ImageView& image,
                     const TreemapLimits& limits = {});

// The image's JSON object (keys in docs/report.md).
nlohmann::json image_data(const lint::LintReport& lint, const TreeFacts& facts);

}  // namespace pith::report_html
