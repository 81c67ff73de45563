#include "lint/lint.h"

#include <algorithm>

#include "lint/image.h"
#include "lint/surface.h"

namespace pith::lint {

Result<LintReport> lint_image(transport::ImageSource& src, const transport::ResolvedImage& img,
                              const LintOptions& options) {
  // 1. The pass: inspect's measurement, lint's facts kept per layer by the layer's worker.
  std::vector<LayerFacts> layers(img.manifest.layers.size());
  fs::Tree tree;
  report::AnalyzeOptions analyze = options.analyze;
  analyze.also_capture = wanted;
  analyze.also_consume = [&](size_t layer, const fs::CapturedFile& f) {
    collect(f, layers[layer]);
  };
  analyze.tree = &tree;
  LintReport out;
  out.image = TRY(report::analyze_image(src, img, analyze));
  ImageView view(out.image.reference, std::move(tree), std::move(layers), img.config);

  // 2. The rules.
  out.findings = check_image(out.image, view, options);
  if (options.on_view) options.on_view(out.image, view);
  return out;
}

std::vector<Finding> check_image(const report::InspectReport& image, const ImageView& view,
                                 const LintOptions& options) {
  // Each group in its order; ignored IDs dropped.
  auto by_rule = [](std::vector<Finding> v) {
    std::stable_sort(v.begin(), v.end(), [](const Finding& a, const Finding& b) {
      return std::tie(a.id, a.path) < std::tie(b.id, b.path);
    });
    return v;
  };
  std::vector<Finding> out;
  for (auto group : {by_rule(check_runtime(view, options.runtime)),
                     by_rule(check_surface(image, view)), by_rule(check_hygiene(image, view))})
    for (auto& f : group)
      if (!options.ignore.contains(f.id)) out.push_back(std::move(f));
  return out;
}

bool fails(const std::vector<Finding>& findings, Severity level) {
  return std::any_of(findings.begin(), findings.end(),
                     [&](const Finding& f) { return f.severity >= level; });
}

}  // namespace pith::lint
