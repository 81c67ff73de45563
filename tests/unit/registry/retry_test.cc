// The retry policy: which answers are retried, backoff, and Retry-After.
#include "registry/retry.h"

#include <gtest/gtest.h>

namespace pith::registry {
namespace {

using std::chrono::milliseconds;

TEST(Retry, WhichStatusesAreRetried) {
  for (long s : {0L, 408L, 429L, 500L, 502L, 503L, 504L}) EXPECT_TRUE(retryable_status(s)) << s;
  for (long s : {200L, 201L, 400L, 401L, 403L, 404L, 501L, 505L})
    EXPECT_FALSE(retryable_status(s)) << s;
}

TEST(Retry, BackoffDoublesUpToTheCap) {
  RetryPolicy p;
  p.max_attempts = 10;
  EXPECT_EQ(*retry_delay({1, 503, ""}, p), milliseconds(250));
  EXPECT_EQ(*retry_delay({2, 503, ""}, p), milliseconds(500));
  EXPECT_EQ(*retry_delay({3, 0, ""}, p), milliseconds(1000));
  EXPECT_EQ(*retry_delay({9, 503, ""}, p), milliseconds(10'000));
  EXPECT_FALSE(retry_delay({10, 503, ""}, p));  // the last attempt
  EXPECT_FALSE(retry_delay({1, 404, ""}, p));
}

TEST(Retry, RetryAfterSecondsAndDates) {
  auto now = std::chrono::system_clock::from_time_t(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(*retry_delay({1, 429, "3"}, {}, now), milliseconds(3000));
  EXPECT_EQ(*retry_delay({1, 503, "Wed, 21 Oct 2015 07:28:02 GMT"}, {}, now), milliseconds(2000));
  EXPECT_EQ(*retry_delay({1, 503, "Wed, 21 Oct 2015 07:27:00 GMT"}, {}, now), milliseconds(0));
  // Malformed: the backoff applies instead.
  EXPECT_EQ(*retry_delay({1, 429, "soon"}, {}, now), milliseconds(250));
  EXPECT_EQ(*retry_delay({1, 429, "-5"}, {}, now), milliseconds(250));
  // Longer than we wait: give up now with a clear error rather than hang.
  EXPECT_FALSE(retry_delay({1, 429, "3600"}, {}, now));
  EXPECT_FALSE(parse_retry_after("99999999999", now));
}

TEST(Retry, HttpDates) {
  using std::chrono::system_clock;
  EXPECT_EQ(parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT"),
            system_clock::from_time_t(1445412480));
  EXPECT_EQ(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), system_clock::from_time_t(0));
  EXPECT_EQ(parse_http_date("Thu, 29 Feb 2024 23:59:60 GMT"),  // a leap second
            system_clock::from_time_t(1709251200));
  EXPECT_FALSE(parse_http_date("Wed, 21 Oct 2015 07:28:00"));
  EXPECT_FALSE(parse_http_date("Wed, 21 Oct 2015 07:28:00 UTC"));
  EXPECT_FALSE(parse_http_date("Wednesday, 21-Oct-15 07:28:00 GMT"));  // RFC 850: not sent
  EXPECT_FALSE(parse_http_date("Wed, 21 oct 2015 07:28:00 GMT"));
  EXPECT_FALSE(parse_http_date("Wed, 21 Okt 2015 07:28:00 GMT"));
  EXPECT_FALSE(parse_http_date("Wed, 2x Oct 2015 07:28:00 GMT"));
  EXPECT_FALSE(parse_http_date("Wed, 21 Oct 2015 24:00:00 GMT"));
  EXPECT_FALSE(parse_http_date("Wed, 21 Oct 2015 07:60:00 GMT"));
  EXPECT_FALSE(parse_http_date("Wed, 21 Oct 2015 07:28:61 GMT"));
  EXPECT_FALSE(parse_http_date("Fri, 30 Feb 2015 07:28:00 GMT"));  // no such day
  EXPECT_FALSE(parse_http_date("Wed, 00 Oct 2015 07:28:00 GMT"));
  // Years no server clock means, and outside what system_clock's nanoseconds can hold
  // (1677-2262): refused before any arithmetic, so nothing overflows.
  EXPECT_FALSE(parse_http_date("Wed, 21 Oct 1007 07:28:00 GMT"));
  EXPECT_FALSE(parse_http_date("Wed, 31 Dec 1969 23:59:59 GMT"));
  EXPECT_FALSE(parse_http_date("Fri, 01 Jan 2201 00:00:00 GMT"));
  EXPECT_FALSE(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"));
}

TEST(Retry, RetryAfterDateOutOfRangeFallsBackToBackoff) {
  // What a hostile registry sent (the fuzzer's find: signed overflow in std::chrono).
  auto now = std::chrono::system_clock::from_time_t(1445412480);
  EXPECT_FALSE(parse_retry_after("Wed, 21 Oct 1007 07:28:00 GMT", now));
  EXPECT_FALSE(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now));
  EXPECT_EQ(*retry_delay({1, 503, "Wed, 21 Oct 1007 07:28:00 GMT"}, {}, now), milliseconds(250));
  // The latest year accepted is far beyond any wait: give up, as for any long Retry-After.
  EXPECT_EQ(
      *parse_retry_after("Wed, 31 Dec 2200 23:59:59 GMT", now),
      std::chrono::duration_cast<milliseconds>(
          std::chrono::sys_days(std::chrono::year(2201) / 1 / 1) - std::chrono::seconds(1) - now));
  EXPECT_FALSE(retry_delay({1, 503, "Wed, 31 Dec 2200 23:59:59 GMT"}, {}, now));
  // Surrounding blanks are trimmed, as for the seconds form.
  EXPECT_EQ(*parse_retry_after(" Wed, 21 Oct 2015 07:28:05 GMT\r", now), milliseconds(5000));
}

}  // namespace
}  // namespace pith::registry
