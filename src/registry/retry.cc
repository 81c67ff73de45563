// The retry policy: exponential backoff, overridden by a server's Retry-After.
#include "registry/retry.h"

#include <ctime>
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
  // IMF-fixdate, the only date form servers must send (RFC 9110 5.6.7).
  std::tm tm{};
  std::string text(value);
  const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  time_t at = ::timegm(&tm);
  if (at == static_cast<time_t>(-1)) return std::nullopt;
  auto when = std::chrono::system_clock::from_time_t(at);
  if (when <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(when - now);
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
