// Result<T> and TRY: values pass through, errors propagate with context.
#include "util/result.h"

#include <gtest/gtest.h>

namespace pith {
namespace {

Result<int> half(int x) {
  if (x % 2 != 0) return make_error(std::to_string(x) + " is odd");
  return x / 2;
}

Result<int> quarter(int x) {
  int h = TRY_CTX("first half", half(x));
  return TRY(half(h));
}

Result<void> check_even(int x) {
  TRY(half(x));
  return {};
}

TEST(Result, PropagatesValuesAndErrors) {
  ASSERT_TRUE(quarter(8));
  EXPECT_EQ(*quarter(8), 2);
  EXPECT_EQ(quarter(6).error().message, "3 is odd");
  EXPECT_EQ(quarter(5).error().message, "first half: 5 is odd");
  EXPECT_TRUE(check_even(4));
  EXPECT_EQ(check_even(3).error().message, "3 is odd");
}

TEST(Result, WrapAddsContext) {
  Result<int> r = half(7);
  EXPECT_EQ(std::move(r).wrap("ctx").error().message, "ctx: 7 is odd");
}

}  // namespace
}  // namespace pith
