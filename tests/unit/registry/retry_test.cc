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

}  // namespace
}  // namespace pith::registry
