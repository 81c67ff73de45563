// Gate parsing and evaluation.
#include "report/gates.h"

#include <cmath>
#include <functional>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "util/byte_size.h"

namespace pith::report {

namespace {

using Metric = std::function<double(const InspectReport&)>;

const std::map<std::string, Metric, std::less<>>& metrics() {
  static const std::map<std::string, Metric, std::less<>> k_metrics = {
      {"size", [](const InspectReport& r) { return double(r.compressed_size); }},
      {"uncompressed_size", [](const InspectReport& r) { return double(r.uncompressed_size); }},
      {"content_size", [](const InspectReport& r) { return double(r.content_size); }},
      {"layers", [](const InspectReport& r) { return double(r.layers.size()); }},
      {"packages", [](const InspectReport& r) { return double(r.packages.size()); }},
      {"os_packages", [](const InspectReport& r) { return double(r.os_package_count()); }},
      {"language_packages",
       [](const InspectReport& r) { return double(r.language_package_count()); }},
      {"entries", [](const InspectReport& r) { return double(r.files.entries); }},
      {"regular_files", [](const InspectReport& r) { return double(r.files.regular); }},
      {"efficiency", [](const InspectReport& r) { return r.efficiency.score; }},
      {"wasted_bytes", [](const InspectReport& r) { return double(r.efficiency.wasted_bytes); }},
      {"user_wasted_percent",
       [](const InspectReport& r) { return r.efficiency.user_wasted_percent; }},
      {"reclaimable_bytes",
       [](const InspectReport& r) { return double(r.efficiency.reclaimable_bytes); }},
      {"shells", [](const InspectReport& r) { return double(r.surface.shells.size()); }},
      {"package_managers",
       [](const InspectReport& r) { return double(r.surface.package_managers.size()); }},
      {"setuid", [](const InspectReport& r) { return double(r.surface.setuid.size()); }},
      {"world_writable",
       [](const InspectReport& r) { return double(r.surface.world_writable.size()); }},
      {"root_user",
       [](const InspectReport& r) {
         std::string_view u = std::string_view(r.surface.user).substr(0, r.surface.user.find(':'));
         return (u.empty() || u == "root" || u == "0") ? 1.0 : 0.0;
       }},
      {"user_missing", [](const InspectReport& r) { return r.surface.user_exists ? 0.0 : 1.0; }},
  };
  return k_metrics;
}

Result<double> parse_number(std::string_view text, const std::string& gate) {
  return parse_byte_size(text).wrap("gate \"" + gate + "\"");
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

// A byte metric's value back as a count. Metrics are doubles made from uint64_t counts, which
// stay below 2^64 except that the largest ones round up to exactly 2^64: no uint64_t (a cast
// would be undefined), and the nearest one is the maximum.
uint64_t byte_count(double v) {
  return v >= 0x1p64 ? std::numeric_limits<uint64_t>::max() : static_cast<uint64_t>(v);
}

bool holds(double v, const std::string& op, double t) {
  if (op == ">") return v > t;
  if (op == ">=") return v >= t;
  if (op == "<") return v < t;
  if (op == "<=") return v <= t;
  if (op == "==") return v == t;
  return v != t;
}

}  // namespace

std::vector<std::string> metric_names() {
  std::vector<std::string> names;
  for (const auto& [name, _] : metrics()) names.push_back(name);
  return names;
}

Result<double> metric_value(const InspectReport& r, std::string_view metric) {
  auto it = metrics().find(metric);
  if (it == metrics().end()) {
    std::string known;
    for (const auto& n : metric_names()) known += (known.empty() ? "" : ", ") + n;
    return make_error("unknown metric \"" + std::string(metric) + "\" (known: " + known + ")");
  }
  return it->second(r);
}

Result<std::vector<Gate>> parse_gates(std::string_view text) {
  std::vector<Gate> gates;
  std::string cleaned;
  for (size_t pos = 0; pos <= text.size();) {  // drop comments line by line
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    cleaned += std::string(line.substr(0, line.find('#'))) + ",";
    pos = end + 1;
  }
  for (size_t pos = 0; pos < cleaned.size();) {
    size_t end = cleaned.find(',', pos);
    std::string g = trim(std::string_view(cleaned).substr(pos, end - pos));
    pos = end + 1;
    if (g.empty()) continue;
    size_t op_pos = g.find_first_of("<>=!");
    if (op_pos == std::string::npos)
      return make_error("gate \"" + g + "\": no comparison (> >= < <= == !=)");
    size_t op_len = (op_pos + 1 < g.size() && g[op_pos + 1] == '=') ? 2 : 1;
    Gate gate;
    gate.text = g;
    gate.metric = trim(std::string_view(g).substr(0, op_pos));
    gate.op = g.substr(op_pos, op_len);
    if (gate.op == "=" || gate.op == "!") return make_error("gate \"" + g + "\": use == or !=");
    gate.threshold_text = trim(std::string_view(g).substr(op_pos + op_len));
    gate.threshold = TRY(parse_number(gate.threshold_text, g));
    TRY(metric_value(InspectReport{}, gate.metric).wrap("gate \"" + g + "\""));
    gates.push_back(std::move(gate));
  }
  return gates;
}

Result<std::vector<std::string>> violated_gates(const InspectReport& r,
                                                const std::vector<Gate>& gates) {
  std::vector<std::string> out;
  for (const auto& g : gates) {
    double v = TRY(metric_value(r, g.metric));
    if (!holds(v, g.op, g.threshold)) continue;
    bool bytes = g.metric.find("size") != std::string::npos || g.metric.ends_with("_bytes");
    if (!bytes) {
      out.push_back(fmt::format("{}: {} is {}", g.text, g.metric, v));
      continue;
    }
    std::string message = fmt::format("{}: {} is {} bytes", g.text, g.metric, byte_count(v));
    // A threshold with a unit, in bytes, so the two numbers compare at a glance.
    if (g.threshold_text.find('B') != std::string::npos) {  // every unit ends with B
      // A whole count as one (byte_count), anything else ("-1MB", "1.0005kB") as written.
      bool whole = g.threshold >= 0 && g.threshold == std::floor(g.threshold);
      message += whole ? fmt::format(" ({} is {} bytes)", g.threshold_text, byte_count(g.threshold))
                       : fmt::format(" ({} is {} bytes)", g.threshold_text, g.threshold);
    }
    out.push_back(std::move(message));
  }
  return out;
}

}  // namespace pith::report
