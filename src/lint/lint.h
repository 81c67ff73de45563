// `pith lint`: one pass over the layers (inspect's, with lint's captures beside it), then the
// run-time, surface and hygiene rules on what it saw.
#pragma once

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

struct LintOptions {
  RuntimeOptions runtime;
  std::set<std::string> ignore;  // rule IDs
  report::AnalyzeOptions analyze;
};

struct LintReport {
  report::InspectReport image;
  std::vector<Finding> findings;  // run-time first, then surface, then hygiene; by rule, path
};

Result<LintReport> lint_image(transport::ImageSource& src, const transport::ResolvedImage& img,
                              const LintOptions& options);

// Whether any finding reaches `level`.
bool fails(const std::vector<Finding>& findings, Severity level);

}  // namespace pith::lint
