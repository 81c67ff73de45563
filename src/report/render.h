// Renderers of the inspect model: JSON (the documented schema, docs/inspect.md), a terminal
// summary, and the side-by-side comparison table.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/model.h"

namespace pith::report {

nlohmann::json to_json(const InspectReport& r);
std::string render_summary(const InspectReport& r);
nlohmann::json compare_json(const std::vector<InspectReport>& reports);
std::string render_compare(const std::vector<InspectReport>& reports);
std::string human_size(uint64_t bytes);

}  // namespace pith::report
