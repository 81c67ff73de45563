// OS package purls as trivy writes them: the release its OS analyzers read, rpm family
// namespaces, the epoch qualifier. Expected values are trivy's own output for the images of
// tests/integration/sbom_parity.test.sh and its CycloneDX goldens in the corpus.
#include "catalog/os_purl.h"

#include <gtest/gtest.h>

#include <map>

namespace pith::catalog {
namespace {

// make_os_context over a fake root of release files.
OsContext context(std::string_view id, std::string_view version_id,
                  std::map<std::string, std::string> files) {
  return make_os_context(id, version_id, [&](std::string_view path) {
    auto it = files.find(std::string(path));
    return it == files.end() ? std::string() : it->second;
  });
}

TEST(OsPurl, ReleaseFilesAreTheOnesTrivyReads) {
  EXPECT_TRUE(is_release_file("etc/debian_version"));
  EXPECT_TRUE(is_release_file("etc/alpine-release"));
  EXPECT_TRUE(is_release_file("etc/centos-release"));
  EXPECT_FALSE(is_release_file("etc/os-release"));
  EXPECT_FALSE(is_release_file("/etc/debian_version"));
}

TEST(OsPurl, ReleaseComesFromTheDistributionsOwnFile) {
  // Debian 12 as mmdebstrap makes it today: os-release says 12, debian_version 12.15; trivy's
  // purls say distro=debian-12.15.
  OsContext debian = context("debian", "12", {{"etc/debian_version", "12.15\n"}});
  EXPECT_EQ(debian.release, "12.15");
  EXPECT_EQ(os_purl_distro(PackageType::deb, debian), "debian-12.15");
  // No debian_version: VERSION_ID.
  EXPECT_EQ(os_purl_distro(PackageType::deb, context("debian", "12", {})), "debian-12");
  // Ubuntu keeps VERSION_ID (trivy reads lsb-release's DISTRIB_RELEASE, the same number); its
  // debian_version ("buster/sid") is not Ubuntu's release.
  OsContext ubuntu = context("ubuntu", "18.04", {{"etc/debian_version", "buster/sid\n"}});
  EXPECT_EQ(ubuntu.release, "");
  EXPECT_EQ(os_purl_distro(PackageType::deb, ubuntu), "ubuntu-18.04");
  // Alpine: alpine-release, and the apk distro is the release alone.
  OsContext alpine = context("alpine", "3.19", {{"etc/alpine-release", "3.19.4\r\n"}});
  EXPECT_EQ(os_purl_distro(PackageType::apk, alpine), "3.19.4");
  // CentOS: the number in centos-release (trivy's `(.*) release (\d[\d\.]*)`), as in trivy's
  // centos-7 CycloneDX golden (distro=centos-7.6.1810) where os-release says 7.
  OsContext centos =
      context("centos", "7", {{"etc/centos-release", "CentOS Linux release 7.6.1810 (Core)\n"}});
  EXPECT_EQ(os_purl_distro(PackageType::rpm, centos), "centos-7.6.1810");
  EXPECT_EQ(context("centos", "7", {{"etc/centos-release", "garbage\n"}}).release, "");
  // A hostile release file (long, or not text) is ignored: VERSION_ID serves.
  EXPECT_EQ(context("debian", "12", {{"etc/debian_version", std::string(65, '1')}}).release, "");
  EXPECT_EQ(context("debian", "12", {{"etc/debian_version", std::string(64, '1')}}).release,
            std::string(64, '1'));
  EXPECT_EQ(os_purl_distro(PackageType::deb,
                           context("debian", "12", {{"etc/debian_version", "12\x01\n"}})),
            "debian-12");
  // Unknown OS: no distro at all.
  EXPECT_EQ(os_purl_distro(PackageType::deb, OsContext{}), "");
  EXPECT_EQ(os_purl_distro(PackageType::rpm, OsContext{"fedora", ""}), "");
}

TEST(OsPurl, RpmNamespacesAreTrivysFamilyNames) {
  EXPECT_EQ(os_purl_namespace(PackageType::rpm, {"rhel", "8.8"}), "redhat");
  EXPECT_EQ(os_purl_namespace(PackageType::rpm, {"mariner", "2.0"}), "cbl-mariner");
  EXPECT_EQ(os_purl_namespace(PackageType::rpm, {"amzn", "2"}), "amazon");
  EXPECT_EQ(os_purl_namespace(PackageType::rpm, {"ol", "8.5"}), "oracle");
  EXPECT_EQ(os_purl_namespace(PackageType::rpm, {"almalinux", "9.1"}), "alma");
  EXPECT_EQ(os_purl_namespace(PackageType::rpm, {"opensuse-leap", "15.5"}), "opensuse.leap");
  EXPECT_EQ(os_purl_namespace(PackageType::rpm, {"fedora", "39"}), "fedora");
  EXPECT_EQ(os_purl_namespace(PackageType::rpm, {}), "");
  EXPECT_EQ(os_purl_namespace(PackageType::deb, {}), "debian");
  EXPECT_EQ(os_purl_namespace(PackageType::apk, {}), "alpine");
  EXPECT_EQ(os_purl_distro(PackageType::rpm, {"mariner", "2.0"}), "cbl-mariner-2.0");
}

TEST(OsPurl, WholePurls) {
  // trivy, rhel image of sbom_parity.test.sh.
  EXPECT_EQ(os_package_purl(PackageType::rpm, "libuuid", "2.32.1-42.el8_8", std::nullopt, "x86_64",
                            {"rhel", "8.8"}),
            "pkg:rpm/redhat/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=redhat-8.8");
  // trivy, mariner image (name, version, arch and epoch; see the test for its namespace).
  EXPECT_EQ(
      os_package_purl(PackageType::rpm, "ca-certificates-base", "2.0.0-1.cm2", 1, "noarch",
                      {"mariner", "2.0"}),
      "pkg:rpm/cbl-mariner/ca-certificates-base@2.0.0-1.cm2?arch=noarch&distro=cbl-mariner-2.0"
      "&epoch=1");
  // trivy, Debian fixture.
  EXPECT_EQ(os_package_purl(PackageType::deb, "ca-certificates", "20250419~deb12u2", std::nullopt,
                            "all", {"debian", "12", "12.15"}),
            "pkg:deb/debian/ca-certificates@20250419~deb12u2?arch=all&distro=debian-12.15");
  // trivy, Alpine minirootfs fixture.
  EXPECT_EQ(os_package_purl(PackageType::apk, "musl", "1.2.4_git20230717-r4", std::nullopt,
                            "x86_64", {"alpine", "3.19.4"}),
            "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=3.19.4");
}

TEST(OsPurl, DebianEpochSplits) {
  EXPECT_EQ(split_deb_epoch("1:2.38.1-5"),
            std::make_pair(std::optional<uint64_t>(1), std::string_view("2.38.1-5")));
  EXPECT_EQ(split_deb_epoch("2.38.1-5"),
            std::make_pair(std::optional<uint64_t>(), std::string_view("2.38.1-5")));
  // Not an epoch: letters before the colon, an empty epoch, a colon later in the version.
  EXPECT_EQ(split_deb_epoch("a:1").second, "a:1");
  EXPECT_EQ(split_deb_epoch(":1").second, ":1");
  EXPECT_EQ(split_deb_epoch("1.0-2:3").second, "1.0-2:3");
  EXPECT_EQ(split_deb_epoch("0:1").first, std::optional<uint64_t>(0));
}

}  // namespace
}  // namespace pith::catalog
