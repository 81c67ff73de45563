// `pith lint`: one pass over the layers (inspect's, with lint's captures beside it), then the
// run-time, surface and hygiene rules on what it saw.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lint/rules.h"
#include "lint/runtime.h"
#include "report/analyze.h"
#include "transport/resolve.h"
#include "transport/source.h"

namespace pith::lint {

class ImageView;

struct LintOptions {
  RuntimeOptions runtime;
  std::set<std::string> ignore;  // rule IDs
  report::AnalyzeOptions analyze;
  // Called once the rules ran, with what the pass measured and kept, before the view goes: a
  // reader that wants the squashed tree or the kept files too (`pith report`) reads them here
  // instead of a second pass.
  std::function<void(const report::InspectReport&, const ImageView&)> on_view;
};

struct LintReport {
  report::InspectReport image;
  std::vector<Finding> findings;  // run-time first, then surface, then hygiene; by rule, path
};

Result<LintReport> lint_image(transport::ImageSource& src, const transport::ResolvedImage& img,
                              const LintOptions& options);

// The rules on what a pass measured (`image`) and kept (`view`): lint_image's second step, also
// run on a view built from facts stored per layer (fleet). Run-time findings first, then
// surface, then hygiene, each group by rule and path; `options.ignore` dropped. `analyze` and
// `on_view` are not read.
std::vector<Finding> check_image(const report::InspectReport& image, const ImageView& view,
                                 const LintOptions& options);

// Whether any finding reaches `level`.
bool fails(const std::vector<Finding>& findings, Severity level);

}  // namespace pith::lint
