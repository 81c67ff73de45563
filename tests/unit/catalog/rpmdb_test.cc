// The rpm cataloger on the corpus rpm databases, against upstream's figures and Debian's rpm.
#include "catalog/rpmdb.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "shell.h"
#include "test_paths.h"
#include "util/file.h"

namespace pith::catalog {
namespace {

const char* k_mariner = "go-rpmdb/pkg/testdata/cbl-mariner-2.0/rpmdb.sqlite";
const char* k_libuuid = "go-rpmdb/pkg/testdata/libuuid/Packages";
const char* k_dive = "syft/syft/pkg/cataloger/redhat/testdata/Packages";

std::string read_corpus(const std::string& rel) {
  auto bytes = read_file(test::corpus(rel), uint64_t(1) << 30);
  EXPECT_TRUE(bytes.ok()) << rel;
  return bytes ? *bytes : std::string();
}

std::vector<Package> parse_ok(const std::string& rel, const OsContext& os = {}) {
  std::vector<Warning> warnings;
  auto packages = parse_rpmdb(read_corpus(rel), "/var/lib/rpm/x", os, &warnings);
  EXPECT_TRUE(packages.ok()) << (packages ? "" : packages.error().message);
  for (const auto& w : warnings) ADD_FAILURE() << "warning: " << w.message;
  return packages ? *packages : std::vector<Package>();
}

const Package* find(const std::vector<Package>& packages, const std::string& name) {
  auto it = std::find_if(packages.begin(), packages.end(),
                         [&](const Package& p) { return p.name == name; });
  return it == packages.end() ? nullptr : &*it;
}

// "name-version-release.arch" as `rpm -qa` prints it (no epoch).
std::string nvra(const Package& p) {
  std::string vr = p.version.substr(p.version.find(':') + 1);
  return p.name + "-" + vr + "." + p.arch;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(Rpmdb, DetectsFormatsByMagic) {
  EXPECT_EQ(detect_rpmdb_format(read_corpus(k_mariner)), RpmdbFormat::sqlite);
  EXPECT_EQ(detect_rpmdb_format(read_corpus(k_libuuid)), RpmdbFormat::berkeley_db);
  EXPECT_EQ(detect_rpmdb_format(std::string("RpmP") + std::string(28, '\0')), RpmdbFormat::ndb);
  EXPECT_EQ(detect_rpmdb_format("hello"), std::nullopt);
  EXPECT_EQ(detect_rpmdb_format(""), std::nullopt);
}

// Debian's rpm 4.18 lists 129 packages (go-rpmdb/oracle_debian_rpm_4.18), in this order.
TEST(Rpmdb, MarinerSqliteMatchesRpmQa) {
  auto packages = parse_ok(k_mariner);
  auto expected = lines(read_corpus("go-rpmdb/oracle_debian_rpm_4.18/cbl-mariner-2.0.rpm-qa.txt"));
  ASSERT_EQ(packages.size(), 129u);
  ASSERT_EQ(expected.size(), 129u);
  for (size_t i = 0; i < packages.size(); ++i) EXPECT_EQ(nvra(packages[i]), expected[i]);
}

// go-rpmdb's TestRpmDB_Package "CBL-Mariner 2.0 curl".
TEST(Rpmdb, MarinerCurlRecord) {
  auto packages = parse_ok(k_mariner, OsContext{"mariner", "2.0"});
  const Package* curl = find(packages, "curl");
  ASSERT_NE(curl, nullptr);
  EXPECT_EQ(curl->type, PackageType::rpm);
  EXPECT_EQ(curl->version, "7.76.0-6.cm2");
  EXPECT_EQ(curl->arch, "x86_64");
  EXPECT_EQ(curl->installed_size, 326023u);
  EXPECT_EQ(curl->source_package, "curl-7.76.0-6.cm2.src.rpm");
  EXPECT_EQ(curl->license, "MIT");
  EXPECT_EQ(curl->location, "/var/lib/rpm/x");
  EXPECT_EQ(curl->purl, "pkg:rpm/cbl-mariner/curl@7.76.0-6.cm2?arch=x86_64&distro=cbl-mariner-2.0");
  std::vector<std::string> files = {
      "/usr/bin/curl",
      "/usr/bin/curl-config",
      "/usr/share/licenses/curl",
      "/usr/share/licenses/curl/COPYING",
      "/usr/share/man/man1/curl-config.1.gz",
      "/usr/share/man/man1/curl.1.gz",
  };
  EXPECT_EQ(curl->files, files);
}

// go-rpmdb's TestRpmDB_Package "libuuid" (BerkeleyDB).
TEST(Rpmdb, LibuuidBerkeleyDb) {
  auto packages = parse_ok(k_libuuid, OsContext{"rhel", "8.8"});
  ASSERT_EQ(packages.size(), 1u);
  const Package& p = packages[0];
  EXPECT_EQ(nvra(p), lines(read_corpus("go-rpmdb/oracle_debian_rpm_4.18/libuuid.rpm-qa.txt"))[0]);
  EXPECT_EQ(p.name, "libuuid");
  EXPECT_EQ(p.version, "2.32.1-42.el8_8");
  EXPECT_EQ(p.arch, "x86_64");
  EXPECT_EQ(p.installed_size, 35104u);
  EXPECT_EQ(p.source_package, "util-linux-2.32.1-42.el8_8.src.rpm");
  EXPECT_EQ(p.license, "BSD");
  EXPECT_EQ(p.purl, "pkg:rpm/redhat/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=redhat-8.8");
  std::vector<std::string> files = {
      "/usr/lib/.build-id",
      "/usr/lib/.build-id/df/ef6a880adac817216ab9866779a0725e017647",
      "/usr/lib64/libuuid.so.1",
      "/usr/lib64/libuuid.so.1.3.0",
      "/usr/share/licenses/libuuid",
      "/usr/share/licenses/libuuid/COPYING",
      "/usr/share/licenses/libuuid/COPYING.BSD-3",
  };
  EXPECT_EQ(p.files, files);
}

// syft's TestParseRpmDB: dive 0.9.2-1, Size 12406784, one file.
TEST(Rpmdb, SyftDiveBerkeleyDb) {
  auto packages = parse_ok(k_dive);
  ASSERT_EQ(packages.size(), 1u);
  const Package& p = packages[0];
  EXPECT_EQ(p.name, "dive");
  EXPECT_EQ(p.version, "0.9.2-1");
  EXPECT_EQ(p.arch, "x86_64");
  EXPECT_EQ(p.source_package, "dive-0.9.2-1.src.rpm");
  EXPECT_EQ(p.license, "MIT");
  EXPECT_EQ(p.installed_size, 12406784u);
  EXPECT_EQ(p.purl, "pkg:rpm/dive@0.9.2-1?arch=x86_64");
  EXPECT_EQ(p.files, std::vector<std::string>{"/usr/local/bin/dive"});
}

// Debian's rpm on a temporary copy of each database must list what we list, epochs included.
class RpmQaOracle : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(RpmQaOracle, SameListAsRpm) {
  if (std::system("command -v rpm >/dev/null 2>&1") != 0) GTEST_SKIP() << "rpm not installed";
  auto [rel, backend] = GetParam();
  std::string fixture = test::corpus(rel);
  std::string name = std::filesystem::path(fixture).filename();
  char tmpl[] = "/tmp/pith-rpmqa-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  std::filesystem::copy_file(fixture, dir + "/" + name);
  std::string cmd = "rpm -qa --dbpath " + test::shell_quote(dir) + " --define " +
                    test::shell_quote(std::string("_db_backend ") + backend) +
                    " --qf '%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} %{ARCH}\\n'"
                    " 2>/dev/null";
  int status = 0;
  auto expected = lines(test::run_capture(cmd, &status));
  std::filesystem::remove_all(dir);
  ASSERT_EQ(status, 0) << cmd;

  std::vector<std::string> got;
  for (const auto& p : parse_ok(rel)) got.push_back(p.name + " " + p.version + " " + p.arch);
  EXPECT_EQ(got, expected);
}

INSTANTIATE_TEST_SUITE_P(Corpus, RpmQaOracle,
                         ::testing::Values(std::pair{k_mariner, "sqlite"},
                                           std::pair{k_libuuid, "bdb_ro"},
                                           std::pair{k_dive, "bdb_ro"}));

}  // namespace
}  // namespace pith::catalog
