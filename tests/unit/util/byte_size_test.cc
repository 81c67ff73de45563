// parse_byte_size: the units of `pith inspect` gates and --dest-chunk-size.
#include "util/byte_size.h"

#include <gtest/gtest.h>

namespace pith {
namespace {

TEST(ByteSize, NumbersAndUnits) {
  EXPECT_EQ(*parse_byte_size("512"), 512);
  EXPECT_EQ(*parse_byte_size("512B"), 512);
  EXPECT_EQ(*parse_byte_size("50MB"), 50e6);
  EXPECT_EQ(*parse_byte_size("2kB"), 2000);
  EXPECT_EQ(*parse_byte_size("16MiB"), 16.0 * 1024 * 1024);
  EXPECT_EQ(*parse_byte_size("1.5GiB"), 1.5 * 1024 * 1024 * 1024);
  EXPECT_EQ(*parse_byte_size("1TiB"), 1099511627776.0);
}

TEST(ByteSize, Errors) {
  EXPECT_EQ(parse_byte_size("").error().message, "\"\" is not a number");
  EXPECT_EQ(parse_byte_size("MB").error().message, "\"MB\" is not a number");
  EXPECT_EQ(parse_byte_size("5XB").error().message, "unknown unit \"XB\"");
  EXPECT_EQ(parse_byte_size("5 MB").error().message, "unknown unit \" MB\"");
  EXPECT_EQ(parse_byte_size("1..2").error().message, "\"1..2\" is not a number");
  EXPECT_EQ(parse_byte_size("1e400").error().message, "\"1e400\" is not a number");
  // In range as a number, infinite with its unit (found by report_gates_fuzz).
  EXPECT_EQ(parse_byte_size("0.91e308MB").error().message, "\"0.91e308MB\" is too large");
  EXPECT_EQ(*parse_byte_size("1e308"), 1e308);
}

}  // namespace
}  // namespace pith
