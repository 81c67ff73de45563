// The pure parts of the fleet's database access: how parameters are written for PostgreSQL,
// and Harbor's registry authorization read as credentials. The statements themselves run
// against a real PostgreSQL server in tests/integration/fleet.test.sh.
#include <gtest/gtest.h>

#include "fleet/db.h"
#include "fleet/image_work.h"
#include "fleet/queue.h"

namespace pith::fleet {
namespace {

TEST(FleetParam, TextArrayQuotesEveryItem) {
  EXPECT_EQ(*Param::text_array({}).text, "{}");
  EXPECT_EQ(*Param::text_array({"sha256:ab"}).text, "{\"sha256:ab\"}");
  // PostgreSQL's array syntax: a quote or backslash inside a quoted item is escaped, and a
  // comma or brace is then plain text.
  EXPECT_EQ(*Param::text_array({"a\"b", "c\\d", "e,f{}", ""}).text,
            "{\"a\\\"b\",\"c\\\\d\",\"e,f{}\",\"\"}");
}

TEST(FleetParam, BytesAreBinaryAndNullHasNoText) {
  Param p = Param::bytes(std::string("a\0b", 3));
  EXPECT_TRUE(p.binary);
  EXPECT_EQ(p.text->size(), 3u);
  EXPECT_FALSE(Param(std::nullopt).text.has_value());
  EXPECT_EQ(*Param(42).text, "42");
}

TEST(FleetQueue, IntervalIsMilliseconds) {
  EXPECT_EQ(interval(std::chrono::seconds(300)), "300000 milliseconds");
  EXPECT_EQ(interval(std::chrono::milliseconds(500)), "500 milliseconds");
}

TEST(FleetAuthorization, BasicBecomesUserPassword) {
  // base64("robot$scanner:s3cret:with:colons")
  auto creds = creds_from_authorization("Basic cm9ib3Qkc2Nhbm5lcjpzM2NyZXQ6d2l0aDpjb2xvbnM=");
  ASSERT_TRUE(creds) << creds.error().message;
  EXPECT_EQ(*creds, "robot$scanner:s3cret:with:colons");
  EXPECT_TRUE(creds_from_authorization("basic dTpw"));  // the scheme is case-insensitive
}

TEST(FleetAuthorization, OtherSchemesAndMalformedAreErrors) {
  EXPECT_FALSE(creds_from_authorization("Bearer eyJhbGciOi"));
  EXPECT_FALSE(creds_from_authorization("Basic !!!"));
  EXPECT_FALSE(creds_from_authorization("Basic dXNlcg=="));  // "user": no password part
  EXPECT_FALSE(creds_from_authorization(""));
}

TEST(FleetDb, UnreachableServerIsOneLine) {
  auto db = Db::connect("host=/nonexistent-pith-socket-dir port=1 user=x dbname=x");
  ASSERT_FALSE(db);
  EXPECT_TRUE(db.error().message.starts_with("PostgreSQL: ")) << db.error().message;
  EXPECT_EQ(db.error().message.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace pith::fleet
