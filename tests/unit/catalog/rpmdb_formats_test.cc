// Synthetic rpm databases: BerkeleyDB in both byte orders, NDB (no fixture exists), header
// fields, versions and purls.
#include <gtest/gtest.h>

#include "catalog/os_purl.h"
#include "catalog/rpm_header.h"
#include "catalog/rpmdb.h"
#include "rpmdb_writers.h"
#include "test_paths.h"
#include "util/file.h"

namespace pith::catalog {
namespace {

test::RpmSpec spec(const std::string& name) {
  test::RpmSpec s{name, "1.0", "1", "x86_64", std::nullopt, {"/usr/bin/", "/etc/"}, {}, {}};
  s.basenames = {name, name + ".conf"};
  s.dir_indexes = {0, 1};
  return s;
}

std::vector<std::string> names(const std::vector<Package>& packages) {
  std::vector<std::string> out;
  for (const auto& p : packages) out.push_back(p.name);
  return out;
}

TEST(RpmHeader, FieldsFromLibrpmMadeHeader) {
  auto s = spec("tool");
  s.epoch = 2;
  s.version = "1.2+git";
  auto p = parse_rpm_header(test::rpm_header_blob(s), "/loc", OsContext{"fedora", "39"});
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->name, "tool");
  EXPECT_EQ(p->version, "2:1.2+git-1");
  EXPECT_EQ(p->arch, "x86_64");
  EXPECT_EQ(p->purl, "pkg:rpm/fedora/tool@1.2%2Bgit-1?arch=x86_64&distro=fedora-39&epoch=2");
  EXPECT_EQ(p->files, (std::vector<std::string>{"/usr/bin/tool", "/etc/tool.conf"}));
  EXPECT_EQ(p->location, "/loc");
}

TEST(RpmHeader, VersionAndPurlRules) {
  EXPECT_EQ(rpm_version(std::nullopt, "1", "2"), "1-2");
  EXPECT_EQ(rpm_version(0, "1", "2"), "0:1-2");  // syft keeps an explicit epoch 0
  // trivy: its CycloneDX golden (centos-7) and its output for the rhel image of
  // sbom_parity.test.sh, qualifiers in canonical order.
  auto rpm_purl = [](std::string_view name, std::optional<uint64_t> epoch, std::string_view v,
                     const OsContext& os, std::string_view arch = "") {
    return os_package_purl(PackageType::rpm, name, v, epoch, arch, os);
  };
  EXPECT_EQ(rpm_purl("p", std::nullopt, "v-r", OsContext{"rhel", "8.4"}),
            "pkg:rpm/redhat/p@v-r?distro=redhat-8.4");
  EXPECT_EQ(rpm_purl("p", std::nullopt, "v-r", OsContext{}), "pkg:rpm/p@v-r");
  EXPECT_EQ(
      rpm_purl("openssl-libs", 1, "1.0.2k-16.el7", OsContext{"centos", "7", "7.6.1810"}, "x86_64"),
      "pkg:rpm/centos/openssl-libs@1.0.2k-16.el7?arch=x86_64&distro=centos-7.6.1810&epoch=1");
  EXPECT_EQ(rpm_purl("libstdc++", std::nullopt, "12-1", OsContext{}, "x86_64"),
            "pkg:rpm/libstdc%2B%2B@12-1?arch=x86_64");
  // An explicit epoch 0 stays in the version (syft) but not in the purl (trivy).
  EXPECT_EQ(rpm_purl("p", 0, "v-r", OsContext{"fedora", "39"}),
            "pkg:rpm/fedora/p@v-r?distro=fedora-39");
}

TEST(RpmHeader, InconsistentFileListKeepsThePackage) {
  auto s = spec("broken");
  s.dir_indexes = {0, 7};
  std::vector<Warning> warnings;
  auto p = parse_rpm_header(test::rpm_header_blob(s), "/loc", {}, &warnings);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->files.empty());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].message.find("directory index 7"), std::string::npos);
}

// go-rpmdb's TestNevra: blob.bin has a valid NEVRA but a file list that cannot be resolved.
TEST(RpmHeader, GoRpmdbBlobBin) {
  auto blob = read_file(test::corpus("go-rpmdb/pkg/testdata/blob.bin"), 1 << 20);
  ASSERT_TRUE(blob.ok());
  std::vector<Warning> warnings;
  auto p = parse_rpm_header(*blob, "blob.bin", {}, &warnings);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->name, "publicsuffix-list-dafsa");
  EXPECT_TRUE(p->files.empty());
  EXPECT_EQ(warnings.size(), 1u);
}

class BerkeleyDbOrder : public ::testing::TestWithParam<bool> {};

// Values on the hash page and in overflow chains, rpm's key-0 counter skipped, either order.
TEST_P(BerkeleyDbOrder, OnPageAndOverflowValues) {
  bool big = GetParam();
  std::string small = test::rpm_header_blob(spec("small"));
  auto large_spec = spec("large");
  for (int i = 0; i < 60; ++i) {
    large_spec.basenames.push_back("file-with-a-longish-name-" + std::to_string(i));
    large_spec.dir_indexes.push_back(0);
  }
  std::string large = test::rpm_header_blob(large_spec);
  ASSERT_GT(large.size(), 3 * 512u);
  std::string db = test::bdb_hash_file(512, big, {small}, {large, small});
  EXPECT_EQ(detect_rpmdb_format(db), RpmdbFormat::berkeley_db);

  std::vector<std::string> blobs;
  std::vector<std::string> warned;
  auto read = read_rpmdb_bdb(
      db, [&](std::string_view b) { blobs.emplace_back(b); },
      [&](std::string m) { warned.push_back(m); });
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_TRUE(warned.empty());
  EXPECT_EQ(blobs, (std::vector<std::string>{small, large, small}));

  std::vector<Warning> warnings;
  auto packages = parse_rpmdb(db, "Packages", {}, &warnings);
  ASSERT_TRUE(packages.ok());
  EXPECT_EQ(names(*packages), (std::vector<std::string>{"small", "large", "small"}));
  EXPECT_EQ((*packages)[1].files.size(), 62u);
}

INSTANTIATE_TEST_SUITE_P(Orders, BerkeleyDbOrder, ::testing::Values(false, true));

TEST(RpmdbNdb, ListsInBlobOrder) {
  std::string db =
      test::ndb_file({test::rpm_header_blob(spec("first")), test::rpm_header_blob(spec("second")),
                      test::rpm_header_blob(spec("third"))});
  EXPECT_EQ(detect_rpmdb_format(db), RpmdbFormat::ndb);
  std::vector<Warning> warnings;
  auto packages = parse_rpmdb(db, "Packages.db", OsContext{"sles", "15.5"}, &warnings);
  ASSERT_TRUE(packages.ok()) << packages.error().message;
  EXPECT_TRUE(warnings.empty());
  // The writer stores package 3 first: rpm lists by blob position, not by slot.
  EXPECT_EQ(names(*packages), (std::vector<std::string>{"third", "second", "first"}));
  EXPECT_EQ((*packages)[0].purl, "pkg:rpm/sles/third@1.0-1?arch=x86_64&distro=sles-15.5");
}

TEST(RpmdbNdb, DamagedBlobIsSkippedWithAWarning) {
  std::string db =
      test::ndb_file({test::rpm_header_blob(spec("kept")), test::rpm_header_blob(spec("damaged"))});
  db.replace(4096, 4, "XXXX");  // head magic of the first stored blob (package 2)
  std::vector<Warning> warnings;
  auto packages = parse_rpmdb(db, "Packages.db", {}, &warnings);
  ASSERT_TRUE(packages.ok());
  EXPECT_EQ(names(*packages), std::vector<std::string>{"kept"});
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].message.find("NDB package 2"), std::string::npos);
}

}  // namespace
}  // namespace pith::catalog
