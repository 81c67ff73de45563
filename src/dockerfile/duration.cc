// Go's time.ParseDuration, for HEALTHCHECK's options: [-+]? then one or more decimal numbers,
// each with an optional fraction and a unit (ns us µs μs ms s m h); "0" alone is allowed.
#include <cmath>
#include <limits>

#include "dockerfile/instructions.h"

namespace pith::dockerfile {

Result<int64_t> parse_go_duration(std::string_view text) {
  const std::string quoted = "time: invalid duration \"" + std::string(text) + "\"";
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return int64_t{0};
  if (s.empty()) return Error{quoted};
  long double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    long double value = 0;
    bool digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      value = value * 10 + (s[i] - '0');
      ++i;
      digits = true;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        value += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
        digits = true;
      }
    }
    if (!digits) return Error{quoted};
    size_t u = i;
    while (u < s.size() && s[u] != '.' && !(s[u] >= '0' && s[u] <= '9')) ++u;
    std::string_view unit = s.substr(i, u - i);
    if (unit.empty()) return Error{"time: missing unit in duration \"" + std::string(text) + "\""};
    long double mult = 0;
    if (unit == "ns")
      mult = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
      mult = 1e3L;
    else if (unit == "ms")
      mult = 1e6L;
    else if (unit == "s")
      mult = 1e9L;
    else if (unit == "m")
      mult = 60e9L;
    else if (unit == "h")
      mult = 3600e9L;
    else
      return Error{"time: unknown unit \"" + std::string(unit) + "\" in duration \"" +
                   std::string(text) + "\""};
    total += value * mult;
    if (total > static_cast<long double>(std::numeric_limits<int64_t>::max())) return Error{quoted};
    s.remove_prefix(u);
  }
  int64_t ns = static_cast<int64_t>(std::floor(total));
  return negative ? -ns : ns;
}

}  // namespace pith::dockerfile
