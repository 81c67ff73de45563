// HEALTHCHECK: NONE, or options (Go durations, a retry count) and the command, with
// BuildKit's checks and messages.
#include <cctype>
#include <cmath>
#include <limits>

#include "dockerfile/instruction_parts.h"

namespace pith::dockerfile {

// Go's time.ParseDuration: [-+]? then one or more decimal numbers, each with an optional
// fraction and a unit (ns us µs μs ms s m h); "0" alone is allowed.
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

Result<void> fill_healthcheck(const Node& node, Instruction& ins) {
  if (node.args.empty()) return at_least_one("HEALTHCHECK");
  std::string type = node.args[0];
  for (char& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::vector<std::string> rest(node.args.begin() + 1, node.args.end());
  if (type == "NONE") {
    if (!rest.empty()) return Error{"HEALTHCHECK NONE takes no arguments"};
    ins.health.test = {"NONE"};
    return {};
  }
  ins.flags = TRY(parse_flags(node.flags, {{"interval", FlagType::string},
                                           {"timeout", FlagType::string},
                                           {"start-period", FlagType::string},
                                           {"start-interval", FlagType::string},
                                           {"retries", FlagType::string}}));
  if (type != "CMD") return Error{"Unknown type \"" + type + "\" in HEALTHCHECK (try CMD)"};
  Node cmd = node;
  cmd.args = rest;
  std::vector<std::string> line = command_line(cmd);
  if (line.empty()) return Error{"Missing command after HEALTHCHECK CMD"};
  ins.health.test.push_back(node.json ? "CMD" : "CMD-SHELL");
  for (auto& l : line) ins.health.test.push_back(l);
  ins.json = node.json;
  auto duration = [&](std::string_view name, int64_t& out) -> Result<void> {
    auto v = ins.flag(name);
    if (!v || v->empty()) return {};
    int64_t d = TRY(parse_go_duration(*v));
    if (d != 0 && d < 1000000) {
      return Error{"Interval \"" + std::string(name) + "\" cannot be less than 1ms"};
    }
    out = d;
    return {};
  };
  TRY(duration("interval", ins.health.interval_ns));
  TRY(duration("timeout", ins.health.timeout_ns));
  TRY(duration("start-period", ins.health.start_period_ns));
  TRY(duration("start-interval", ins.health.start_interval_ns));
  if (auto r = ins.flag("retries"); r && !r->empty()) {
    // strconv.ParseInt(v, 10, 32).
    const std::string& s = *r;
    size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (i == s.size() || s.size() > 12)
      return Error{"strconv.ParseInt: parsing \"" + s + "\": invalid syntax"};
    long long v = 0;
    for (size_t k = i; k < s.size(); ++k) {
      if (!std::isdigit(static_cast<unsigned char>(s[k]))) {
        return Error{"strconv.ParseInt: parsing \"" + s + "\": invalid syntax"};
      }
      v = v * 10 + (s[k] - '0');
    }
    if (s[0] == '-') v = -v;
    if (v > INT32_MAX || v < INT32_MIN) {
      return Error{"strconv.ParseInt: parsing \"" + s + "\": value out of range"};
    }
    if (v < 0) return Error{"--retries cannot be negative (" + std::to_string(v) + ")"};
    ins.health.retries = static_cast<int>(v);
  }
  return {};
}

}  // namespace pith::dockerfile
