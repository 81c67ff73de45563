// dpkg catalog: trivy's and syft's fixtures and expectations, dpkg-query as an oracle, and
// hostile input.
#include "catalog/dpkg.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "shell.h"
#include "test_paths.h"

namespace pith::catalog {
namespace {

const std::string k_trivy_dpkg = "trivy/pkg/fanal/analyzer/pkg/dpkg/testdata/";
const std::string k_syft_deb = "syft/syft/pkg/cataloger/debian/testdata/";
const std::string k_coverage =
    "syft/cmd/syft/internal/test/integration/testdata/image-pkg-coverage/pkgs/var/lib/dpkg/";

using test::slurp;

// One file of a txtar archive ("-- name --" lines start each file).
std::string txtar_file(const std::string& archive, const std::string& name) {
  std::string marker = "-- " + name + " --\n";
  size_t begin = archive.find(marker);
  if (begin == std::string::npos) return "";
  begin += marker.size();
  size_t end = archive.find("\n-- ", begin - 1);
  return archive.substr(begin, end == std::string::npos ? std::string::npos : end + 1 - begin);
}

const Package* find(const std::vector<Package>& pkgs, const std::string& name) {
  for (const Package& p : pkgs) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::vector<Package> parse_ok(const std::string& bytes, const OsContext& os = {},
                              std::vector<Warning>* warnings = nullptr) {
  auto r = parse_dpkg_status(bytes, "/var/lib/dpkg/status", os, warnings);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::vector<Package>{};
}

std::vector<Package> parse_d_ok(const std::string& path, std::vector<Warning>* warnings = nullptr) {
  auto r = parse_dpkg_status_d(slurp(path), path, {}, warnings);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::vector<Package>{};
}

// trivy's expectation for one package, read from its Go test source.
struct TrivyPkg {
  std::string id, name, src_name, arch;
};

// The packages of one case ("valid", "corrupsed", ...) of trivy's dpkg analyzer test.
std::vector<TrivyPkg> trivy_expected(const std::string& case_name) {
  std::string go = slurp(test::corpus("trivy/expected/pkg_fanal_analyzer_pkg_dpkg_dpkg_test.go"));
  size_t begin = go.find("name:  \"" + case_name + "\"");
  size_t end = go.find("\t\t\tname:", begin + 1);
  std::string section = go.substr(begin, end - begin);
  std::vector<TrivyPkg> out;
  auto field = [](const std::string& block, const std::string& key) {
    std::smatch m;
    std::regex re("\\b" + key + ":\\s+\"([^\"]*)\"");
    return std::regex_search(block, m, re) ? m[1].str() : std::string();
  };
  size_t pos = section.find("ID:");
  while (pos != std::string::npos) {
    size_t next = section.find("ID:", pos + 3);
    std::string block = section.substr(pos, next == std::string::npos ? next : next - pos);
    out.push_back(
        {field(block, "ID"), field(block, "Name"), field(block, "SrcName"), field(block, "Arch")});
    pos = next;
  }
  return out;
}

TEST(Dpkg, TrivyValidHas90InstalledPackagesAsTrivyExpects) {
  std::string status = slurp(test::corpus(k_trivy_dpkg + "valid.extracted/var/lib/dpkg/status"));
  std::vector<Warning> warnings;
  auto pkgs = parse_ok(status, {"ubuntu", "18.04"}, &warnings);
  ASSERT_EQ(pkgs.size(), 90u);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(find(pkgs, "git"), nullptr);  // "deinstall ok config-files"

  std::vector<TrivyPkg> want = trivy_expected("valid");
  ASSERT_EQ(want.size(), 90u);
  std::map<std::string, const Package*> by_id;
  for (const Package& p : pkgs) by_id[p.name + "@" + p.version] = &p;
  for (const TrivyPkg& w : want) {
    auto it = by_id.find(w.id);
    ASSERT_NE(it, by_id.end()) << w.id;
    const Package& p = *it->second;
    EXPECT_EQ(p.name, w.name);
    EXPECT_EQ(p.arch, w.arch) << w.id;
    // trivy fills SrcName with the package name when there is no Source field; pith leaves "".
    EXPECT_EQ(p.source_package.empty() ? p.name : p.source_package, w.src_name) << w.id;
  }

  const Package* bsdutils = find(pkgs, "bsdutils");
  ASSERT_NE(bsdutils, nullptr);
  EXPECT_EQ(bsdutils->version, "1:2.31.1-0.4ubuntu3.1");
  EXPECT_EQ(bsdutils->source_package, "util-linux");  // "Source: util-linux (2.31.1-0.4ubuntu3.1)"
  EXPECT_EQ(bsdutils->installed_size, 264u * 1024);
  EXPECT_EQ(bsdutils->location, "/var/lib/dpkg/status");
  EXPECT_EQ(bsdutils->license, "");
  EXPECT_EQ(bsdutils->purl,
            "pkg:deb/ubuntu/bsdutils@2.31.1-0.4ubuntu3.1?arch=amd64&distro=ubuntu-18.04&epoch=1");
  const Package* lzma = find(pkgs, "liblzma5");  // the source version differs: no effect
  ASSERT_NE(lzma, nullptr);
  EXPECT_EQ(lzma->version, "5.1.1alpha+20120614-2+b3");
  EXPECT_EQ(lzma->source_package, "xz-utils");
  const Package* adduser = find(pkgs, "adduser");
  ASSERT_NE(adduser, nullptr);
  EXPECT_EQ(adduser->version, "3.116ubuntu1");
  EXPECT_EQ(adduser->arch, "all");
  EXPECT_EQ(adduser->source_package, "");
  const Package* stdcpp = find(pkgs, "libstdc++6");
  ASSERT_NE(stdcpp, nullptr);
  EXPECT_EQ(stdcpp->source_package, "gcc-8");
  EXPECT_EQ(stdcpp->purl,
            "pkg:deb/ubuntu/libstdc%2B%2B6@8-20180414-1ubuntu2?arch=amd64&distro=ubuntu-18.04");
}

TEST(Dpkg, TxtarCopyMatchesExtractedCopy) {
  std::string txtar = slurp(test::corpus(k_trivy_dpkg + "valid.txtar"));
  auto pkgs = parse_ok(txtar_file(txtar, "var/lib/dpkg/status"));
  EXPECT_EQ(pkgs.size(), 90u);
}

TEST(Dpkg, SameSetAsDpkgQuery) {
  std::string src = test::corpus(k_trivy_dpkg + "valid.extracted/var/lib/dpkg/status");
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("pith-dpkg-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "updates");
  std::filesystem::copy_file(src, dir / "status",
                             std::filesystem::copy_options::overwrite_existing);
  int rc = -1;
  std::string out = test::run_capture(
      "dpkg-query -W -f='${db:Status-Status} ${Package} ${Version} ${Architecture}\\n' "
      "--admindir=" +
          test::shell_quote(dir.string()) + " 2>/dev/null",
      &rc);
  std::filesystem::remove_all(dir);
  ASSERT_EQ(rc, 0);

  std::set<std::string> oracle;
  std::istringstream lines(out);
  std::string status, name, version, arch;
  while (lines >> status >> name >> version >> arch) {
    if (status == "installed") oracle.insert(name + " " + version + " " + arch);
  }
  std::set<std::string> ours;
  for (const Package& p : parse_ok(slurp(src)))
    ours.insert(p.name + " " + p.version + " " + p.arch);
  EXPECT_EQ(ours.size(), 90u);
  EXPECT_EQ(ours, oracle);
}

TEST(Dpkg, TrivyCorruptedKeepsTheFourGoodPackages) {
  std::string txtar = slurp(test::corpus(k_trivy_dpkg + "corrupsed.txtar"));
  std::vector<Warning> warnings;
  auto pkgs = parse_ok(txtar_file(txtar, "var/lib/dpkg/status"), {}, &warnings);
  std::set<std::string> ids;
  for (const Package& p : pkgs) ids.insert(p.name + "@" + p.version);
  std::set<std::string> want;
  for (const TrivyPkg& w : trivy_expected("corrupsed")) want.insert(w.id);
  EXPECT_EQ(want.size(), 4u);
  EXPECT_EQ(ids, want);
  EXPECT_EQ(find(pkgs, "libgcc1")->source_package, "gcc-5");
}

TEST(Dpkg, TrivyThirdPartyAndOnlyApt) {
  for (std::string name : {"third-party", "only-apt", "digest"}) {
    std::string txtar = slurp(test::corpus(k_trivy_dpkg + name + ".txtar"));
    std::set<std::string> ids;
    for (const Package& p : parse_ok(txtar_file(txtar, "var/lib/dpkg/status"))) {
      ids.insert(p.name + "@" + p.version);
    }
    std::string case_name = name == "third-party" ? "third-party package"
                            : name == "only-apt"  ? "only apt"
                                                  : "happy path with digests";
    std::set<std::string> want;
    for (const TrivyPkg& w : trivy_expected(case_name)) want.insert(w.id);
    EXPECT_FALSE(want.empty());
    EXPECT_EQ(ids, want) << name;
  }
}

TEST(Dpkg, TrivyMd5sumsGiveTheInstalledFiles) {
  std::string txtar = slurp(test::corpus(k_trivy_dpkg + "md5sums.txtar"));
  auto pkgs = parse_ok(txtar_file(txtar, "var/lib/dpkg/status"));
  ASSERT_EQ(pkgs.size(), 1u);
  auto ref = dpkg_file_list_ref("var/lib/dpkg/info/tar.md5sums");
  ASSERT_TRUE(ref.has_value());
  std::unordered_map<std::string, std::vector<std::string>> lists;
  lists[ref->key] = parse_dpkg_md5sums(txtar_file(txtar, "var/lib/dpkg/info/tar.md5sums"), "x");
  attach_dpkg_file_lists(pkgs[0], lists);
  std::vector<std::string> want = {
      "/usr/bin/tar",
      "/usr/lib/mime/packages/tar",
      "/usr/sbin/rmt-tar",
      "/usr/sbin/tarcat",
      "/usr/share/doc/tar/AUTHORS",
      "/usr/share/doc/tar/NEWS.gz",
      "/usr/share/doc/tar/README.Debian",
      "/usr/share/doc/tar/THANKS.gz",
      "/usr/share/doc/tar/changelog.Debian.gz",
      "/usr/share/doc/tar/copyright",
      "/usr/share/man/man1/tar.1.gz",
      "/usr/share/man/man1/tarcat.1.gz",
      "/usr/share/man/man8/rmt-tar.8.gz",
  };
  EXPECT_EQ(pkgs[0].files, want);
}

TEST(Dpkg, PurlsAsTrivyGoldensAndSyftExpectations) {
  // trivy's CycloneDX golden:
  // pkg:deb/debian/base-files@10.3%2Bdeb10u2?arch=amd64&distro=debian-10.2
  auto pkgs = parse_ok(
      "Package: base-files\nStatus: install ok installed\nVersion: 10.3+deb10u2\n"
      "Architecture: amd64\n",
      {"debian", "10.2"});
  ASSERT_EQ(pkgs.size(), 1u);
  EXPECT_EQ(pkgs[0].purl, "pkg:deb/debian/base-files@10.3%2Bdeb10u2?arch=amd64&distro=debian-10.2");

  // syft's image-dpkg expectation, whose purl also has "&upstream=pam" (pith's purls carry no
  // upstream qualifier: source_package holds it).
  std::string image = test::corpus(k_syft_deb + "image-dpkg/var/lib/dpkg/status");
  std::vector<Warning> warnings;
  pkgs = parse_ok(slurp(image), {"debian", "12"}, &warnings);
  ASSERT_EQ(pkgs.size(), 1u);
  EXPECT_EQ(pkgs[0].purl, "pkg:deb/debian/libpam-runtime@1.1.8-3.6?arch=all&distro=debian-12");
  EXPECT_EQ(pkgs[0].source_package, "pam");
  EXPECT_TRUE(warnings.empty());  // the empty "Package:" stanza on top has no Status: not installed

  // No OS known: namespace "debian", no distro. The epoch is a qualifier, as trivy writes it
  // (pkg:deb/debian/bsdutils@2.38.1-5+deb12u3?arch=amd64&epoch=1&distro=debian-12.15 for
  // the Debian fixture of sbom_parity.test.sh); the package's version keeps it.
  pkgs = parse_ok("Package: p\nStatus: install ok installed\nVersion: 1:2.0\n");
  ASSERT_EQ(pkgs.size(), 1u);
  EXPECT_EQ(pkgs[0].version, "1:2.0");
  EXPECT_EQ(pkgs[0].purl, "pkg:deb/debian/p@2.0?epoch=1");
  // Debian's distro is debian_version's release (trivy reads that file, not os-release).
  pkgs = parse_ok(
      "Package: bsdutils\nStatus: install ok installed\nVersion: 1:2.38.1-5+deb12u3\n"
      "Architecture: amd64\n",
      {"debian", "12", "12.15"});
  ASSERT_EQ(pkgs.size(), 1u);
  EXPECT_EQ(pkgs[0].purl,
            "pkg:deb/debian/bsdutils@2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12.15&epoch=1");
}

TEST(Dpkg, SyftImageDpkgFilesAreConffilesPlusMd5sums) {
  std::string root = test::corpus(k_syft_deb + "image-dpkg/");
  auto pkgs = parse_ok(slurp(root + "var/lib/dpkg/status"), {"debian", "12"});
  ASSERT_EQ(pkgs.size(), 1u);
  std::string md5 = "var/lib/dpkg/info/libpam-runtime.md5sums";
  auto ref = dpkg_file_list_ref(md5);
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->key, "libpam-runtime");
  EXPECT_EQ(ref->kind, DpkgFileListKind::md5sums);
  attach_dpkg_file_lists(pkgs[0], {{ref->key, parse_dpkg_md5sums(slurp(root + md5), md5)}});
  std::vector<std::string> want = {
      "/etc/pam.conf",
      "/etc/pam.d/other",
      "/lib/x86_64-linux-gnu/libz.so.1.2.11",
      "/usr/share/doc/zlib1g/changelog.Debian.gz",
      "/usr/share/doc/zlib1g/changelog.gz",
      "/usr/share/doc/zlib1g/copyright",
  };
  EXPECT_EQ(pkgs[0].files, want);
  EXPECT_EQ(pkgs[0].version, "1.1.8-3.6");
}

TEST(Dpkg, SyftStatusDSingle) {
  auto pkgs = parse_d_ok(test::corpus(k_syft_deb + "var/lib/dpkg/status.d/single"));
  ASSERT_EQ(pkgs.size(), 1u);
  const Package& apt = pkgs[0];
  EXPECT_EQ(apt.name, "apt");
  EXPECT_EQ(apt.version, "1.8.2");
  EXPECT_EQ(apt.source_package, "apt-dev");
  EXPECT_EQ(apt.arch, "amd64");
  EXPECT_EQ(apt.installed_size, 4064u * 1024);
  EXPECT_EQ(apt.type, PackageType::deb);
  std::vector<std::string> want = {
      "/etc/apt/apt.conf.d/01autoremove",
      "/etc/cron.daily/apt-compat",
      "/etc/kernel/postinst.d/apt-auto-removal",
      "/etc/logrotate.d/apt",
  };
  EXPECT_EQ(apt.files, want);
}

TEST(Dpkg, SyftStatusDInstalledSizeWithUnit) {
  auto pkgs = parse_d_ok(test::corpus(k_syft_deb + "var/lib/dpkg/status.d/installed-size-4KB"));
  ASSERT_EQ(pkgs.size(), 1u);
  EXPECT_EQ(pkgs[0].installed_size, 4000u);  // "4KB", as syft reads it
  EXPECT_TRUE(pkgs[0].files.empty());        // "Conffiles:" with no lines
}

TEST(Dpkg, SyftStatusDMultiple) {
  std::vector<Warning> warnings;
  auto pkgs = parse_d_ok(test::corpus(k_syft_deb + "var/lib/dpkg/status.d/multiple"), &warnings);
  // syft's raw entries hold "no-version" too; a package without a version is skipped here.
  ASSERT_EQ(pkgs.size(), 2u);
  EXPECT_EQ(pkgs[0].name, "tzdata");
  EXPECT_EQ(pkgs[0].version, "2020a-0+deb10u1");
  EXPECT_EQ(pkgs[0].source_package, "tzdata-dev");
  EXPECT_EQ(pkgs[0].arch, "all");
  EXPECT_EQ(pkgs[0].installed_size, 3036u * 1024);
  EXPECT_EQ(pkgs[1].name, "util-linux");
  EXPECT_EQ(pkgs[1].version, "2.33.1-0.1");
  EXPECT_EQ(pkgs[1].installed_size, 4327u * 1024);
  std::vector<std::string> want = {
      "/etc/default/hwclock", "/etc/init.d/hwclock.sh", "/etc/pam.d/runuser",
      "/etc/pam.d/runuser-l", "/etc/pam.d/su",          "/etc/pam.d/su-l",
  };
  EXPECT_EQ(pkgs[1].files, want);
  ASSERT_EQ(warnings.size(), 2u);  // "Package:" with no value, and "no-version"
  EXPECT_NE(warnings[1].message.find("no-version"), std::string::npos);
}

TEST(Dpkg, SyftStatusDDeinstallIsIgnored) {
  auto pkgs = parse_d_ok(test::corpus(k_syft_deb + "var/lib/dpkg/status.d/deinstall"));
  ASSERT_EQ(pkgs.size(), 1u);
  EXPECT_EQ(pkgs[0].name, "linux-image-6.14.0-1012-aws");
  EXPECT_EQ(pkgs[0].version, "6.14.0-1012.12~24.04.1");
  EXPECT_EQ(pkgs[0].source_package, "linux-signed-aws-6.14");
  EXPECT_EQ(pkgs[0].installed_size, 15221u * 1024);
}

TEST(Dpkg, SyftStatusDCorruptIsAnErrorEmptyIsNot) {
  std::string corrupt = test::corpus(k_syft_deb + "var/lib/dpkg/status.d/corrupt");
  auto r = parse_dpkg_status_d(slurp(corrupt), corrupt, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not a dpkg status file"), std::string::npos);

  std::vector<Warning> warnings;
  auto pkgs = parse_d_ok(test::corpus(k_syft_deb + "var/lib/dpkg/status.d/empty"), &warnings);
  EXPECT_TRUE(pkgs.empty());
  EXPECT_EQ(warnings.size(), 1u);
}

TEST(Dpkg, SyftDistrolessWithMd5sums) {
  std::string dir = test::corpus(k_syft_deb + "image-distroless-deb/var/lib/dpkg/status.d/");
  auto pkgs = parse_d_ok(dir + "libsqlite3-0");
  ASSERT_EQ(pkgs.size(), 1u);
  EXPECT_EQ(pkgs[0].name, "libsqlite3-0");
  EXPECT_EQ(pkgs[0].version, "3.34.1-3");
  EXPECT_EQ(pkgs[0].source_package, "sqlite3");
  EXPECT_EQ(pkgs[0].arch, "arm64");
  EXPECT_EQ(pkgs[0].installed_size, 1490u * 1024);

  // Neither the .md5sums file nor the .preinst script beside the stanza is a package (trivy
  // lists only libsqlite3-0 for this fixture: sbom_parity.test.sh), nor any other control file
  // dpkg names by suffix; a package whose name merely contains a dot is one.
  EXPECT_TRUE(is_dpkg_status_d_control_file("libsqlite3-0.md5sums"));
  EXPECT_TRUE(is_dpkg_status_d_control_file("libsqlite3-0.preinst"));
  EXPECT_TRUE(is_dpkg_status_d_control_file("base-files.conffiles"));
  EXPECT_TRUE(is_dpkg_status_d_control_file("libc6.postinst"));
  EXPECT_FALSE(is_dpkg_status_d_control_file("libsqlite3-0"));
  EXPECT_FALSE(is_dpkg_status_d_control_file("python3.11"));
  EXPECT_FALSE(is_dpkg_status_d_control_file(".preinst"));

  // The .md5sums file lists the package's files.
  auto ref = dpkg_file_list_ref("var/lib/dpkg/status.d/libsqlite3-0.md5sums");
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->key, "libsqlite3-0");
  EXPECT_EQ(dpkg_file_list_ref("var/lib/dpkg/status.d/libsqlite3-0"), std::nullopt);
  std::vector<Warning> warnings;
  attach_dpkg_file_lists(
      pkgs[0],
      {{ref->key, parse_dpkg_md5sums(slurp(dir + "libsqlite3-0.md5sums"), "m", &warnings)}});
  EXPECT_TRUE(warnings.empty());
  std::vector<std::string> want = {
      "/usr/lib/aarch64-linux-gnu/libsqlite3.so.0.8.6",
      "/usr/share/doc/libsqlite3-0/README.Debian",
      "/usr/share/doc/libsqlite3-0/changelog.Debian.gz",
      "/usr/share/doc/libsqlite3-0/changelog.gz",
      "/usr/share/doc/libsqlite3-0/changelog.html.gz",
      "/usr/share/doc/libsqlite3-0/copyright",
  };
  EXPECT_EQ(pkgs[0].files, want);
}

TEST(Dpkg, SyftImagePkgCoverage) {
  std::string root = test::corpus(k_coverage);
  auto status = parse_ok(slurp(root + "status"), {"ubuntu", "20.04"});
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].name, "apt");
  EXPECT_EQ(status[0].version, "1.8.2");
  // dash and netbase live only in status.d, which has no Status fields.
  auto dash = parse_d_ok(root + "status.d/dash");
  ASSERT_EQ(dash.size(), 1u);
  EXPECT_EQ(dash[0].name, "dash");
  EXPECT_EQ(dash[0].version, "0.5.8-2.4");
  auto netbase = parse_d_ok(root + "status.d/netbase");
  ASSERT_EQ(netbase.size(), 1u);
  EXPECT_EQ(netbase[0].name, "netbase");
  EXPECT_EQ(netbase[0].version, "5.4");
  EXPECT_EQ(netbase[0].arch, "all");
  // The classic reader wants Status, so these are not installed packages there.
  EXPECT_TRUE(parse_ok(slurp(root + "status.d/dash")).empty());
}

TEST(Dpkg, SyftMd5sumsInfo) {
  auto paths = parse_dpkg_md5sums(slurp(test::corpus(k_syft_deb + "info/zlib1g.md5sums")), "m");
  std::vector<std::string> want = {
      "/lib/x86_64-linux-gnu/libz.so.1.2.11",
      "/usr/share/doc/zlib1g/changelog.Debian.gz",
      "/usr/share/doc/zlib1g/changelog.gz",
      "/usr/share/doc/zlib1g/copyright",
  };
  EXPECT_EQ(paths, want);
}

TEST(Dpkg, FileListRefsAsTrivyRequiresThem) {
  auto ref = dpkg_file_list_ref("var/lib/dpkg/status.d/base-files.md5sums");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->key, "base-files");
  EXPECT_EQ(ref->kind, DpkgFileListKind::md5sums);
  ref = dpkg_file_list_ref("/var/lib/dpkg/info/bash.md5sums");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->key, "bash");
  ref = dpkg_file_list_ref("./var/lib/dpkg/info/libc6:amd64.list");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->key, "libc6:amd64");
  EXPECT_EQ(ref->kind, DpkgFileListKind::list);
  EXPECT_TRUE(dpkg_file_list_ref("usr/lib/dpkg/info/libpam-runtime.md5sums"));
  EXPECT_FALSE(dpkg_file_list_ref("var/lib/dpkg/status/bash.md5sums"));
  EXPECT_FALSE(dpkg_file_list_ref("var/lib/dpkg/status.d/bash.list"));
  EXPECT_FALSE(dpkg_file_list_ref("usr/share/info/foo.list"));
  EXPECT_FALSE(dpkg_file_list_ref("var/lib/dpkg/info/.list"));
  EXPECT_FALSE(dpkg_file_list_ref("var/lib/dpkg/status"));
}

TEST(Dpkg, FileListDropsDirectories) {
  std::string list =
      "/.\n/usr\n/usr/bin\n/usr/bin/tar\n/usr/bin-x\n/usr/share\n/usr/share/doc\n"
      "/usr/share/doc/tar\n/usr/share/doc/tar/copyright\n/usr/sbin\n/usr/sbin/tarcat\r\n"
      "/usr/bin/tar\n/etc/empty-dir\n";
  std::vector<std::string> want = {"/usr/bin/tar", "/usr/bin-x", "/usr/share/doc/tar/copyright",
                                   "/usr/sbin/tarcat", "/etc/empty-dir"};
  EXPECT_EQ(parse_dpkg_file_list(list), want);
  EXPECT_TRUE(parse_dpkg_file_list("").empty());
}

TEST(Dpkg, HostFileListKeepsEveryFile) {
  // This machine's own dpkg database: every listed path that is no directory must come back.
  std::string list = "/var/lib/dpkg/info/dpkg.list";
  if (!std::filesystem::exists(list)) GTEST_SKIP() << "no " << list;
  std::vector<std::string> ours = parse_dpkg_file_list(slurp(list));
  std::string files = test::run_capture(
      "while IFS= read -r p; do [ -d \"$p\" ] || echo \"$p\"; done < " + test::shell_quote(list));
  std::set<std::string> got(ours.begin(), ours.end());
  std::istringstream lines(files);
  std::string path;
  size_t n = 0;
  while (std::getline(lines, path)) {
    ++n;
    EXPECT_TRUE(got.count(path)) << path;
  }
  EXPECT_GT(n, 10u);
}

TEST(Dpkg, MultiArchKeysPreferTheArchQualifiedList) {
  auto pkgs = parse_ok(
      "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\nArchitecture: amd64\n");
  ASSERT_EQ(pkgs.size(), 1u);
  EXPECT_EQ(dpkg_file_list_keys(pkgs[0]), (std::vector<std::string>{"libc6:amd64", "libc6"}));
  attach_dpkg_file_lists(pkgs[0], {{"libc6", {"/wrong"}}, {"libc6:amd64", {"/lib/libc.so.6"}}});
  EXPECT_EQ(pkgs[0].files, std::vector<std::string>{"/lib/libc.so.6"});
}

TEST(Dpkg, SyntaxTolerance) {
  // CRLF, no final newline, blank-only lines between stanzas, case-insensitive names.
  std::string text =
      "\n  \nPackage: a\r\nstatus: install ok installed\r\nVersion: 1.0\r\n"
      "Description: x\r\n more\r\n .\r\n\r\n\r\nPackage: b\nStatus: hold ok installed\n"
      "Version: 2.0-1";
  auto pkgs = parse_ok(text);
  ASSERT_EQ(pkgs.size(), 2u);
  EXPECT_EQ(pkgs[0].name, "a");
  EXPECT_EQ(pkgs[0].version, "1.0");
  EXPECT_EQ(pkgs[1].version, "2.0-1");
  EXPECT_TRUE(parse_ok("").empty());
}

TEST(Dpkg, MalformedStanzasAreSkippedAndReported) {
  using namespace std::string_literals;  // the NUL byte below stays in the string
  std::string text =
      "Package: good\nStatus: install ok installed\nVersion: 1.0\n\n"
      "Package: dup\nPackage: dup2\nStatus: install ok installed\nVersion: 1\n\n"
      " orphan continuation\n\n"
      "Package: bad-version\nStatus: install ok installed\nVersion: 1:5.#\n\n"
      "Package: bad-status\nStatus: installed\nVersion: 1\n\n"
      "Package: nul\nStatus: install ok installed\nVersion: 1\0\n\n"
      "Package: big\nStatus: install ok installed\nVersion: 1\n"
      "Installed-Size: 99999999999999999999\n\n"
      "garbage line\n"s;
  std::vector<Warning> warnings;
  auto pkgs = parse_ok(text, {}, &warnings);
  ASSERT_EQ(pkgs.size(), 2u);
  EXPECT_EQ(pkgs[0].name, "good");
  EXPECT_EQ(pkgs[1].name, "big");
  EXPECT_EQ(pkgs[1].installed_size, 0u);  // overflowing size: kept, size dropped, reported
  EXPECT_EQ(warnings.size(), 7u);
  for (const Warning& w : warnings) EXPECT_EQ(w.location, "/var/lib/dpkg/status");
}

TEST(Dpkg, GarbageIsAnErrorAndWarningsAreCapped) {
  std::string garbage;
  for (int i = 0; i < 1000; ++i) garbage += "no colon here\n\n";
  std::vector<Warning> warnings;
  auto r = parse_dpkg_status(garbage, "s", {}, &warnings);
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(warnings.size(), 101u);
  EXPECT_EQ(warnings.back().message, "900 further problems not listed");

  std::string binary(
      "\x7f"
      "ELF\x02\x01\x01\0\0\0",
      10);
  EXPECT_FALSE(parse_dpkg_status(binary, "s", {}).ok());
}

TEST(Dpkg, HugeFieldsAreFine) {
  std::string text = "Package: p\nStatus: install ok installed\nVersion: 1\nDescription: " +
                     std::string(1 << 20, 'a') + "\n";
  for (int i = 0; i < 10000; ++i) text += " continuation line\n";
  auto pkgs = parse_ok(text);
  ASSERT_EQ(pkgs.size(), 1u);
  EXPECT_EQ(pkgs[0].version, "1");
}

// A build with its index of the lists wants a few packages: the others' stanzas are not made
// into packages nor warned about; a malformed stanza is still one warning.
TEST(Dpkg, StanzasOfWantedPackagesOnly) {
  const std::string status =
      "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\n"
      "Package: b\nStatus: install ok installed\nVersion: bad version\nArchitecture: amd64\n\n"
      "this line has no colon\n\n"
      "Package: c\nStatus: install ok installed\nVersion: 2\nArchitecture: all\n";
  auto names = [](const std::vector<DpkgStanza>& stanzas) {
    std::string out;
    for (const DpkgStanza& s : stanzas) out += s.package.name + ":" + s.package.arch + " ";
    return out;
  };
  std::vector<Warning> all_warnings;
  auto all = parse_dpkg_status_stanzas(status, "status", {}, &all_warnings);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(names(*all), "a:amd64 c:all ");
  EXPECT_EQ(all_warnings.size(), 2u);

  std::vector<std::pair<std::string, std::string>> asked;
  std::vector<Warning> warnings;
  auto some = parse_dpkg_status_stanzas(status, "status", {}, &warnings,
                                        [&](std::string_view package, std::string_view arch) {
                                          asked.emplace_back(package, arch);
                                          return package == "c" || package == "b2";
                                        });
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(names(*some), "c:all ");
  EXPECT_EQ(asked, (std::vector<std::pair<std::string, std::string>>{
                       {"a", "amd64"}, {"b", "amd64"}, {"c", "all"}}));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].message.find("line 11"), std::string::npos) << warnings[0].message;
}

}  // namespace
}  // namespace pith::catalog
