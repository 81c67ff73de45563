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
// JSON as pith prints it: bytes that are not UTF-8 (image paths may hold any) become U+FFFD,
// as Go's encoder makes them, instead of failing the output.
std::string json_text(const nlohmann::json& j, int indent);

}  // namespace pith::report
