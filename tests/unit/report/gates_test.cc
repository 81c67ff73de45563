// CI gates: parsing, and the messages of violated gates at the edges of what a report holds.
#include "report/gates.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace pith::report {
namespace {

TEST(Gates, ParseListsCommentsAndUnits) {
  auto gates = parse_gates("size>50MB, shells>0\n# a comment\nefficiency<0.95 # why\n");
  ASSERT_TRUE(gates.ok()) << gates.error().message;
  ASSERT_EQ(gates->size(), 3u);
  EXPECT_EQ((*gates)[0].metric, "size");
  EXPECT_EQ((*gates)[0].op, ">");
  EXPECT_EQ((*gates)[0].threshold, 50e6);
  EXPECT_EQ((*gates)[2].text, "efficiency<0.95");
  EXPECT_FALSE(parse_gates("size=5").ok());
  EXPECT_FALSE(parse_gates("sise>5").ok());
  EXPECT_FALSE(parse_gates("size>5XB").ok());
}

TEST(Gates, ViolatedGatesNameTheValue) {
  InspectReport r;
  r.compressed_size = 812'400'000;
  r.surface.shells = {"/bin/sh"};
  auto gates = parse_gates("size>50MB,shells>0,layers>0");
  ASSERT_TRUE(gates.ok());
  auto violated = violated_gates(r, *gates);
  ASSERT_TRUE(violated.ok());
  EXPECT_EQ(*violated,
            (std::vector<std::string>{"size>50MB: size is 812.4 MB", "shells>0: shells is 1"}));
}

TEST(Gates, LargestByteCountsAreShownNotUndefined) {
  // The largest uint64_t values become 2^64 as doubles, which no uint64_t holds: the message
  // shows the maximum instead of casting out of range (UBSan's float-cast-overflow, found by
  // report_gates_fuzz).
  InspectReport r;
  r.compressed_size = std::numeric_limits<uint64_t>::max();
  r.efficiency.reclaimable_bytes = std::numeric_limits<uint64_t>::max() - 1;
  auto gates = parse_gates("size>1TB,reclaimable_bytes>=0");
  ASSERT_TRUE(gates.ok());
  auto violated = violated_gates(r, *gates);
  ASSERT_TRUE(violated.ok());
  EXPECT_EQ(*violated,
            (std::vector<std::string>{"size>1TB: size is 18446744.1 TB",
                                      "reclaimable_bytes>=0: reclaimable_bytes is 18446744.1 TB"}));
}

}  // namespace
}  // namespace pith::report
