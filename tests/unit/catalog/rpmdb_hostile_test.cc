// Hostile rpm databases: truncation, random bytes, corrupted structure and absurd header
// counts give Warnings or Errors, never a crash or a hang.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <random>

#include "catalog/rpm_header.h"
#include "catalog/rpmdb.h"
#include "rpmdb_writers.h"
#include "test_paths.h"
#include "util/file.h"

namespace pith::catalog {
namespace {

std::string corpus_bytes(const std::string& rel) {
  auto bytes = read_file(test::corpus(rel), uint64_t(1) << 30);
  EXPECT_TRUE(bytes.ok());
  return bytes ? *bytes : std::string();
}

std::string random_bytes(std::mt19937& rng, size_t n) {
  std::string out(n, '\0');
  for (auto& c : out) c = char(rng());
  return out;
}

// Parses and returns how many packages came out (-1 for an Error).
long count(std::string_view bytes, std::vector<Warning>* warnings = nullptr) {
  auto packages = parse_rpmdb(bytes, "db", {}, warnings);
  return packages ? long(packages->size()) : -1;
}

test::RpmSpec tiny() {
  return {"tiny", "1", "1", "noarch", std::nullopt, {"/"}, {"a"}, {0}};
}

TEST(RpmdbHostile, RandomBytesAreNotADatabase) {
  std::mt19937 rng(42);
  for (size_t n : {0, 1, 15, 16, 100, 4096, 70000}) {
    auto r = parse_rpmdb(random_bytes(rng, n), "db", {}, nullptr);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "db: not an rpm database");
  }
}

TEST(RpmdbHostile, RandomBytesBehindEachMagic) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::string body = random_bytes(rng, 100 + rng() % 20000);
    std::string sqlite = std::string("SQLite format 3\0", 16) + body;
    std::string ndb = "RpmP" + body;
    std::string bdb = body;
    bdb.replace(12, 4, std::string("\x61\x15\x06\x00", 4));
    count(sqlite);
    count(ndb);
    count(bdb);
  }
}

TEST(RpmdbHostile, TruncatedCorpusDatabases) {
  for (const char* rel : {"go-rpmdb/pkg/testdata/cbl-mariner-2.0/rpmdb.sqlite",
                          "go-rpmdb/pkg/testdata/libuuid/Packages",
                          "syft/syft/pkg/cataloger/redhat/testdata/Packages"}) {
    std::string full = corpus_bytes(rel);
    for (size_t cut : {size_t(1), size_t(13), size_t(100), size_t(511), size_t(4096), size_t(5000),
                       size_t(8192), size_t(12288), full.size() / 2, full.size() - 1}) {
      if (cut >= full.size()) continue;
      std::vector<Warning> warnings;
      long n = count(std::string_view(full).substr(0, cut), &warnings);
      EXPECT_LE(n, 129) << rel << " cut at " << cut;
    }
  }
}

TEST(RpmdbHostile, TruncatedBerkeleyDbWarns) {
  std::string full = corpus_bytes("go-rpmdb/pkg/testdata/libuuid/Packages");
  std::vector<Warning> warnings;
  EXPECT_EQ(count(std::string_view(full).substr(0, 8192), &warnings), 0);
  ASSERT_FALSE(warnings.empty());
  EXPECT_NE(warnings[0].message.find("truncated"), std::string::npos);
}

TEST(RpmdbHostile, FlippedBytesInBerkeleyDb) {
  std::string full = corpus_bytes("syft/syft/pkg/cataloger/redhat/testdata/Packages");
  for (size_t i = 0; i < full.size(); i += 3) {
    std::string copy = full;
    copy[i] = char(copy[i] ^ 0x5a);
    EXPECT_LE(count(copy), 1);
  }
}

TEST(RpmdbHostile, OverflowChainLoop) {
  std::string blob = test::rpm_header_blob(tiny());
  std::string db = test::bdb_hash_file(512, false, {}, {blob + std::string(600, 'x')});
  // Page 3 is the second overflow page: point it back at page 2.
  db[512 * 3 + 16] = 2;
  std::vector<Warning> warnings;
  EXPECT_EQ(count(db, &warnings), 0);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].message.find("overflow"), std::string::npos);
}

TEST(RpmdbHostile, AbsurdHeaderCounts) {
  auto header = [](uint32_t il, uint32_t dl, size_t extra) {
    std::string b(8 + extra, '\0');
    test::put32(b, 0, il, true);
    test::put32(b, 4, dl, true);
    return b;
  };
  for (const std::string& blob :
       {header(0xffffffff, 0xffffffff, 64), header(1, 0xfffffff0, 64), header(0, 0, 64),
        header(70000, 10, 64), header(4, 4, 10), std::string("\0\0", 2), std::string()}) {
    EXPECT_FALSE(parse_rpm_header(blob, "x", {}).ok());
  }
  // Plausible counts over garbage entries: librpm's own checks reject it.
  std::string garbage = header(2, 16, 48);
  for (size_t i = 8; i < garbage.size(); ++i) garbage[i] = char(0xa5 + i);
  EXPECT_FALSE(parse_rpm_header(garbage, "x", {}).ok());

  // Inside a database, such a blob costs one package and a warning.
  std::string db = test::ndb_file({test::rpm_header_blob(tiny()), header(0xffffffff, 1, 64)});
  std::vector<Warning> warnings;
  EXPECT_EQ(count(db, &warnings), 1);
  EXPECT_EQ(warnings.size(), 1u);
}

TEST(RpmdbHostile, NdbStructure) {
  std::string db = test::ndb_file({test::rpm_header_blob(tiny())});
  std::string bad_slot = db;
  bad_slot.replace(48, 4, "Slxt");
  EXPECT_EQ(count(bad_slot), -1);
  std::string many_pages = db;
  test::put32(many_pages, 12, 0xffffffff, false);
  EXPECT_EQ(count(many_pages), -1);
  std::string far_blob = db;
  test::put32(far_blob, 32 + 8, 0xfffffff0, false);
  std::vector<Warning> warnings;
  EXPECT_EQ(count(far_blob, &warnings), 0);
  EXPECT_EQ(warnings.size(), 1u);
  EXPECT_EQ(count(std::string_view(db).substr(0, 4095)), -1);
}

// An sqlite file made here: a Packages view (not rpm's table) is refused, and rows whose
// blob is not a header only cost warnings.
std::string sqlite_image(const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_int64 size = 0;
  unsigned char* bytes = sqlite3_serialize(db, "main", &size, 0);
  std::string out(reinterpret_cast<char*>(bytes), size_t(size));
  sqlite3_free(bytes);
  sqlite3_close(db);
  return out;
}

TEST(RpmdbHostile, SqliteShapes) {
  EXPECT_EQ(count(sqlite_image("CREATE VIEW Packages AS SELECT 1 AS hnum, x'00' AS blob")), -1);
  EXPECT_EQ(count(sqlite_image("CREATE TABLE Other (x)")), -1);
  std::vector<Warning> warnings;
  EXPECT_EQ(count(sqlite_image("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB);"
                               "INSERT INTO Packages VALUES (1, 'text'), (2, x'0000'),"
                               " (3, x''), (4, NULL)"),
                  &warnings),
            0);
  EXPECT_EQ(warnings.size(), 4u);
}

}  // namespace
}  // namespace pith::catalog
