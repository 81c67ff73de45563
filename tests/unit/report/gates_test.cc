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
            (std::vector<std::string>{"size>50MB: size is 812400000 bytes (50MB is 50000000 bytes)",
                                      "shells>0: shells is 1"}));
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
            (std::vector<std::string>{
                "size>1TB: size is 18446744073709551615 bytes (1TB is 1000000000000 bytes)",
                "reclaimable_bytes>=0: reclaimable_bytes is 18446744073709551615 bytes"}));
}

TEST(Gates, ByteValuesAreExactNotRounded) {
  // Issue #12: "content_size<=2MB" fired on 1,982,308 bytes and said "is 2.0 MB", which reads
  // as if the gate were wrong. The exact count, and the threshold in the same unit, show why.
  InspectReport r;
  r.content_size = 1'982'308;
  r.efficiency.wasted_bytes = 5;
  auto gates = parse_gates("content_size<=2MB,content_size<2MiB,wasted_bytes>0,size>-1kB");
  ASSERT_TRUE(gates.ok());
  auto violated = violated_gates(r, *gates);
  ASSERT_TRUE(violated.ok());
  EXPECT_EQ(*violated,
            (std::vector<std::string>{
                "content_size<=2MB: content_size is 1982308 bytes (2MB is 2000000 bytes)",
                "content_size<2MiB: content_size is 1982308 bytes (2MiB is 2097152 bytes)",
                "wasted_bytes>0: wasted_bytes is 5 bytes",
                "size>-1kB: size is 0 bytes (-1kB is -1000 bytes)"}));
}

}  // namespace
}  // namespace pith::report
