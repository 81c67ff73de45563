// The retry policy: exponential backoff, overridden by a server's Retry-After.
#include "registry/retry.h"

#include <array>
#include <string>

namespace pith::registry {

bool retryable_status(long status) {
  if (status == 0 || status == 408 || status == 429) return true;
  return status >= 500 && status <= 599 && status != 501 && status != 505;
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r'))
    value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  bool digits = true;
  for (char c : value) digits = digits && c >= '0' && c <= '9';
  if (digits) {
    if (value.size() > 9) return std::nullopt;  // more than 30 years: nonsense
    return std::chrono::seconds(std::stol(std::string(value)));
  }
  auto when = parse_http_date(value);
  if (!when) return std::nullopt;
  if (*when <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(*when - now);
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  using namespace std::chrono;
  static constexpr std::array<std::string_view, 7> k_days = {"Mon", "Tue", "Wed", "Thu",
                                                             "Fri", "Sat", "Sun"};
  static constexpr std::array<std::string_view, 12> k_months = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // "Wed, 21 Oct 2015 07:28:00 GMT": every field at a fixed offset.
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT")
    return std::nullopt;
  // The decimal number at [at, at + digits), or -1.
  auto number = [&](size_t at, size_t digits) {
    int v = 0;
    for (char c : text.substr(at, digits)) {
      if (c < '0' || c > '9') return -1;
      v = v * 10 + (c - '0');
    }
    return v;
  };
  auto index_of = [&](const auto& names, std::string_view name) {
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return static_cast<int>(i);
    return -1;
  };
  int day_name = index_of(k_days, text.substr(0, 3));
  int mo = index_of(k_months, text.substr(8, 3));
  int d = number(5, 2);
  int y = number(12, 4);
  int h = number(17, 2);
  int mi = number(20, 2);
  int sec = number(23, 2);
  if (day_name < 0 || mo < 0 || d < 0 || y < 1970 || y > 2200 || h < 0 || h > 23 || mi < 0 ||
      mi > 59 || sec < 0 || sec > 60)  // 60: a leap second
    return std::nullopt;
  year_month_day date{year(y), month(static_cast<unsigned>(mo + 1)), day(static_cast<unsigned>(d))};
  if (!date.ok()) return std::nullopt;
  auto at = sys_days(date) + hours(h) + minutes(mi) + seconds(sec);
  return time_point_cast<system_clock::duration>(at);
}

std::optional<std::chrono::milliseconds> retry_delay(const Attempt& a, const RetryPolicy& policy,
                                                     std::chrono::system_clock::time_point now) {
  if (!retryable_status(a.status) || a.number >= policy.max_attempts) return std::nullopt;
  if (!a.retry_after.empty()) {
    if (auto after = parse_retry_after(a.retry_after, now)) {
      if (*after > policy.max_retry_after) return std::nullopt;
      return *after;
    }
  }
  std::chrono::milliseconds delay = policy.first_delay;
  for (int i = 1; i < a.number && delay < policy.max_delay; ++i) delay *= 2;
  return std::min(delay, policy.max_delay);
}

}  // namespace pith::registry
