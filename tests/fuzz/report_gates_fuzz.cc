// Fuzz target for CI gates (`--fail-on`, `--fail-on-file`): what parses names known metrics
// and comparisons, parses again from its own text, and evaluates against any report (empty,
// typical, or with the extreme values a hostile image could push a measure to).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "report/gates.h"

namespace {

using namespace pith::report;

void check(bool ok) {
  if (!ok) std::abort();
}

std::vector<InspectReport> reports() {
  std::vector<InspectReport> out(3);
  InspectReport& typical = out[1];
  typical.compressed_size = 8'000'000;
  typical.uncompressed_size = 20'000'000;
  typical.content_size = 19'000'000;
  typical.layers.resize(3);
  typical.files.entries = 1200;
  typical.files.regular = 900;
  typical.efficiency.score = 0.97;
  typical.efficiency.wasted_bytes = 300'000;
  typical.efficiency.user_wasted_percent = 0.02;
  typical.surface.user = "65532";
  typical.surface.user_exists = true;
  typical.surface.shells = {"/bin/sh"};
  InspectReport& extreme = out[2];
  constexpr uint64_t k_max = std::numeric_limits<uint64_t>::max();
  extreme.compressed_size = k_max;
  extreme.uncompressed_size = k_max;
  extreme.content_size = k_max - 1;
  extreme.efficiency.score = -1e300;
  extreme.efficiency.wasted_bytes = k_max;
  extreme.efficiency.reclaimable_bytes = k_max;
  extreme.efficiency.user_wasted_percent = std::numeric_limits<double>::quiet_NaN();
  extreme.surface.user = "root:0";
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<InspectReport> k_reports = reports();
  static const std::vector<std::string> k_names = metric_names();
  static const std::set<std::string> k_ops = {">", ">=", "<", "<=", "==", "!="};
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto gates = parse_gates(text);
  if (!gates) return 0;
  std::string again_text;
  for (const auto& g : *gates) {
    check(std::find(k_names.begin(), k_names.end(), g.metric) != k_names.end());
    check(k_ops.count(g.op) == 1);
    check(std::isfinite(g.threshold));
    again_text += g.text + ",";
  }
  // A gate's text is a gate: the list re-parses to the same gates.
  auto again = parse_gates(again_text);
  check(again.ok() && again->size() == gates->size());
  for (size_t i = 0; i < gates->size(); ++i)
    check((*again)[i].metric == (*gates)[i].metric && (*again)[i].op == (*gates)[i].op &&
          (*again)[i].threshold == (*gates)[i].threshold);
  for (const auto& r : k_reports) {
    auto violated = violated_gates(r, *gates);
    check(violated.ok() && violated->size() <= gates->size());
  }
  return 0;
}
