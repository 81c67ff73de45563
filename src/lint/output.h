// lint's findings as people and tools read them: one line each on a terminal, JSON
// (docs/lint.md), SARIF 2.1.0 for code-scanning dashboards.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "lint/lint.h"

namespace pith::lint {

// "error PL104 /usr/bin/curl: libssl.so.3: not found (needed by /usr/bin/curl)", one per line,
// then a count line.
std::string render_text(const LintReport& r);
nlohmann::json to_json(const LintReport& r);
nlohmann::json to_sarif(const LintReport& r);

}  // namespace pith::lint
