// CI gates over an inspect report: "size>50MB,os_packages>0,efficiency<0.95,shells>0".
// Each gate names a condition that FAILS the check; dive's --ci rules fit this form
// (lowestEfficiency=0.9 is "efficiency<0.9", highestWastedBytes=20MB is "wasted_bytes>20MB",
// highestUserWastedPercent=0.2 is "user_wasted_percent>0.2").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "report/model.h"
#include "util/result.h"

namespace pith::report {

struct Gate {
  std::string metric;
  std::string op;  // > >= < <= == !=
  double threshold = 0;
  std::string threshold_text;  // as written: "2MB"
  std::string text;            // as written
};

// Gates separated by commas or newlines; "#" starts a comment. Sizes accept B, kB/KB, MB, GB,
// TB (powers of 1000) and KiB, MiB, GiB, TiB.
Result<std::vector<Gate>> parse_gates(std::string_view text);

// The metrics gates can name, with their values for `r`.
Result<double> metric_value(const InspectReport& r, std::string_view metric);
std::vector<std::string> metric_names();

// One message per violated gate, e.g. "shells>0: shells is 3". A byte metric is given in
// bytes, exactly, and a threshold written with a unit in bytes too: "content_size<=2MB:
// content_size is 1982308 bytes (2MB is 2000000 bytes)" (rounded, "is 2.0 MB" hid why).
Result<std::vector<std::string>> violated_gates(const InspectReport& r,
                                                const std::vector<Gate>& gates);

}  // namespace pith::report
