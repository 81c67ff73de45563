// When to try a registry request again, and after how long: a pure policy (no clock, no
// sleeping), so it is unit-tested and the HTTP code only obeys it.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace pith::registry {

// What one attempt ended with: an HTTP status, or (status 0) a transport failure such as a
// reset or refused connection.
struct Attempt {
  int number = 1;                // 1 for the first try
  long status = 0;               // 0: no HTTP answer (the connection failed)
  std::string_view retry_after;  // the Retry-After header, "" if none
};

struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds first_delay{250};
  std::chrono::milliseconds max_delay{10'000};
  // A Retry-After longer than this is not waited for: the request fails instead.
  std::chrono::milliseconds max_retry_after{60'000};
};

// Whether a status is worth another try: 408, 429 and 5xx except 501 (not implemented) and
// 505 (version not supported), which do not change.
bool retryable_status(long status);

// The delay before the next attempt, or nullopt to give up (not retryable, or the last try).
// Backoff doubles from first_delay up to max_delay; a valid Retry-After (seconds, or an
// HTTP date relative to `now`) replaces it.
std::optional<std::chrono::milliseconds> retry_delay(
    const Attempt& a, const RetryPolicy& policy = {},
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// Retry-After as a delay: "120" or "Wed, 21 Oct 2015 07:28:00 GMT"; nullopt if malformed.
// A date already past is no delay.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

// An IMF-fixdate, the one date form servers send (RFC 9110 5.6.7): "Wed, 21 Oct 2015
// 07:28:00 GMT", English names whatever the locale; nullopt if malformed, if the date does
// not exist, or if its year is outside 1970-2200 (what a server's clock can mean; also the
// range in which system_clock's arithmetic cannot overflow).
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

}  // namespace pith::registry
