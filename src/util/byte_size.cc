// Byte sizes with decimal and binary units.
#include "util/byte_size.h"

#include <charconv>
#include <cmath>
#include <map>
#include <string>

namespace pith {

Result<double> parse_byte_size(std::string_view text) {
  static const std::map<std::string, double, std::less<>> k_units = {{"", 1},
                                                                     {"B", 1},
                                                                     {"kB", 1e3},
                                                                     {"KB", 1e3},
                                                                     {"MB", 1e6},
                                                                     {"GB", 1e9},
                                                                     {"TB", 1e12},
                                                                     {"KiB", 1024.0},
                                                                     {"MiB", 1048576.0},
                                                                     {"GiB", 1073741824.0},
                                                                     {"TiB", 1099511627776.0}};
  size_t unit_start = text.find_first_not_of("0123456789.eE+-");
  std::string_view number = text.substr(0, unit_start);
  std::string_view unit = unit_start == std::string_view::npos ? "" : text.substr(unit_start);
  double value = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || ptr != number.data() + number.size() || number.empty())
    return make_error("\"" + std::string(text) + "\" is not a number");
  auto u = k_units.find(unit);
  if (u == k_units.end()) return make_error("unknown unit \"" + std::string(unit) + "\"");
  // A number that fits a double can still overflow with its unit ("1e308TB"): infinity is no size.
  double bytes = value * u->second;
  if (!std::isfinite(bytes)) return make_error("\"" + std::string(text) + "\" is too large");
  return bytes;
}

}  // namespace pith
