// apk catalog: trivy's and syft's fixtures and expectations, Alpine's minirootfs with an awk
// count as the oracle, and hostile input.
#include "catalog/apk.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "shell.h"
#include "test_paths.h"

namespace pith::catalog {
namespace {

const std::string k_syft_apk = "syft/syft/pkg/cataloger/alpine/testdata/";

using test::slurp;

std::vector<Package> parse_ok(const std::string& bytes, const OsContext& os = {},
                              std::vector<Warning>* warnings = nullptr) {
  auto r = parse_apk_installed(bytes, "/lib/apk/db/installed", os, warnings);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::vector<Package>{};
}

std::vector<Package> parse_fixture(const std::string& rel, std::vector<Warning>* w = nullptr) {
  return parse_ok(slurp(test::corpus(k_syft_apk + rel)), {}, w);
}

std::vector<std::string> quoted_strings(const std::string& text) {
  std::vector<std::string> out;
  std::regex re("\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    out.push_back((*it)[1].str());
  }
  return out;
}

// syft's expected file records of one fixture of TestSinglePackageDetails, keeping those with a
// digest: those are the R (file) entries, the others F directories.
std::vector<std::string> syft_files_with_digest(const std::string& fixture) {
  std::string go = slurp(test::corpus("syft/expected/alpine/parse_apk_db_test.go"));
  size_t begin = go.find("fixture: \"testdata/" + fixture + "\"");
  size_t end = go.find("fixture:", begin + 1);
  if (end == std::string::npos) end = go.find("for _, test", begin);
  std::string section = go.substr(begin, end - begin);
  std::vector<std::string> out;
  std::regex path_re("Path:\\s+\"([^\"]+)\"");
  auto it = std::sregex_iterator(section.begin(), section.end(), path_re);
  for (; it != std::sregex_iterator(); ++it) {
    size_t after = static_cast<size_t>(it->position() + it->length());
    size_t next = section.find("Path:", after);
    std::string record = section.substr(after, next == std::string::npos ? next : next - after);
    if (record.find("Digest:") != std::string::npos) out.push_back((*it)[1].str());
  }
  return out;
}

struct TrivyPkg {
  std::string id, name, version, src_name, arch;
  std::vector<std::string> files;
};

std::vector<TrivyPkg> trivy_expected() {
  std::string go = slurp(test::corpus("trivy/expected/pkg_fanal_analyzer_pkg_apk_apk_test.go"));
  size_t begin = go.find("var pkgs =");
  std::string section = go.substr(begin, go.find("var files =") - begin);
  auto field = [](const std::string& block, const std::string& key) {
    std::smatch m;
    return std::regex_search(block, m, std::regex("\\b" + key + ":\\s+\"([^\"]*)\""))
               ? m[1].str()
               : std::string();
  };
  std::vector<TrivyPkg> out;
  size_t pos = section.find("ID:");
  while (pos != std::string::npos) {
    size_t next = section.find("ID:", pos + 3);
    std::string block = section.substr(pos, next == std::string::npos ? next : next - pos);
    TrivyPkg p{field(block, "ID"),      field(block, "Name"), field(block, "Version"),
               field(block, "SrcName"), field(block, "Arch"), {}};
    size_t files = block.find("\tInstalledFiles: []string{");  // not the commented-out one
    if (files != std::string::npos) {
      size_t close = block.find('}', files);
      p.files = quoted_strings(block.substr(files, close - files));
    }
    out.push_back(p);
    pos = next;
  }
  return out;
}

TEST(Apk, TrivyFixtureAsTrivyExpects) {
  std::vector<Warning> warnings;
  auto pkgs = parse_ok(slurp(test::corpus("trivy/pkg/fanal/analyzer/pkg/apk/testdata/apk")),
                       {"alpine", "3.4.6"}, &warnings);
  std::vector<TrivyPkg> want = trivy_expected();
  ASSERT_EQ(want.size(), 15u);
  ASSERT_EQ(pkgs.size(), 15u);
  // The record "P:invalidPackageWithoutAVersion" is dropped, and said so.
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].message.find("invalidPackageWithoutAVersion"), std::string::npos);

  std::vector<std::string> all_files;
  for (size_t i = 0; i < want.size(); ++i) {
    const Package& p = pkgs[i];
    EXPECT_EQ(p.name + "@" + p.version, want[i].id);
    EXPECT_EQ(p.name, want[i].name);
    EXPECT_EQ(p.version, want[i].version);
    EXPECT_EQ(p.source_package, want[i].src_name) << p.name;
    EXPECT_EQ(p.arch, want[i].arch);
    std::vector<std::string> files;
    for (const std::string& f : p.files) {
      ASSERT_EQ(f.front(), '/');
      files.push_back(f.substr(1));  // trivy's paths are relative
    }
    EXPECT_EQ(files, want[i].files) << p.name;
    all_files.insert(all_files.end(), files.begin(), files.end());
  }
  std::string go = slurp(test::corpus("trivy/expected/pkg_fanal_analyzer_pkg_apk_apk_test.go"));
  size_t begin = go.find("var files =");
  EXPECT_EQ(all_files, quoted_strings(go.substr(begin, go.find("func Test", begin) - begin)));

  // Licenses as written (trivy normalizes "GPL2" to "GPL-2.0-only" afterwards).
  EXPECT_EQ(pkgs[0].license, "MIT");
  EXPECT_EQ(pkgs[1].license, "GPL2");
  EXPECT_EQ(pkgs[0].installed_size, 569344u);
  EXPECT_EQ(pkgs[0].location, "/lib/apk/db/installed");
  EXPECT_EQ(pkgs[0].type, PackageType::apk);
  EXPECT_EQ(pkgs[0].purl, "pkg:apk/alpine/musl@1.1.14-r10?arch=x86_64&distro=3.4.6");
}

TEST(Apk, SyftSingle) {
  auto pkgs = parse_fixture("single");
  ASSERT_EQ(pkgs.size(), 1u);
  const Package& p = pkgs[0];
  EXPECT_EQ(p.name, "musl-utils");
  EXPECT_EQ(p.version, "1.1.24-r2");
  EXPECT_EQ(p.source_package, "musl");
  EXPECT_EQ(p.arch, "x86_64");
  EXPECT_EQ(p.installed_size, 151552u);
  EXPECT_EQ(p.license, "MIT BSD GPL2+");  // syft splits it into MIT, BSD, GPL2+
  std::vector<std::string> want = syft_files_with_digest("single");
  EXPECT_EQ(want.size(), 5u);
  EXPECT_EQ(p.files, want);
}

TEST(Apk, SyftBase) {
  auto pkgs = parse_fixture("base");
  ASSERT_EQ(pkgs.size(), 1u);
  EXPECT_EQ(pkgs[0].name, "alpine-baselayout");
  EXPECT_EQ(pkgs[0].version, "3.2.0-r6");
  EXPECT_EQ(pkgs[0].source_package, "alpine-baselayout");
  EXPECT_EQ(pkgs[0].installed_size, 409600u);
  EXPECT_EQ(pkgs[0].license, "GPL-2.0-only");
  std::vector<std::string> want = syft_files_with_digest("base");
  EXPECT_EQ(want.size(), 27u);
  EXPECT_EQ(pkgs[0].files, want);
}

TEST(Apk, SyftEmptyDepsAndProvides) {
  auto pkgs = parse_fixture("empty-deps-and-provides");
  ASSERT_EQ(pkgs.size(), 1u);
  EXPECT_EQ(pkgs[0].name, "alpine-baselayout-data");
  EXPECT_EQ(pkgs[0].version, "3.4.0-r0");
  EXPECT_EQ(pkgs[0].source_package, "alpine-baselayout");
  EXPECT_EQ(pkgs[0].installed_size, 77824u);
  EXPECT_EQ(pkgs[0].license, "GPL-2.0-only");
  // syft's list without its one directory, /etc (no digests in this fixture to tell them).
  std::vector<std::string> want = {
      "/etc/fstab",     "/etc/group",    "/etc/hostname",      "/etc/hosts",  "/etc/inittab",
      "/etc/modules",   "/etc/mtab",     "/etc/nsswitch.conf", "/etc/passwd", "/etc/profile",
      "/etc/protocols", "/etc/services", "/etc/shadow",        "/etc/shells", "/etc/sysctl.conf",
  };
  EXPECT_EQ(pkgs[0].files, want);
}

TEST(Apk, SyftExtraFileAttributes) {
  auto pkgs = parse_fixture("extra-file-attributes");
  ASSERT_EQ(pkgs.size(), 1u);
  EXPECT_EQ(pkgs[0].name, "openjdk8-jre");
  EXPECT_EQ(pkgs[0].files,
            std::vector<std::string>{"/usr/lib/jvm/java-1.8-openjdk/bin/policytool"});
}

TEST(Apk, SyftMultiple1) {
  auto pkgs = parse_fixture("multiple-1/lib/apk/db/installed");
  ASSERT_EQ(pkgs.size(), 4u);
  struct Want {
    const char *name, *version, *origin, *license;
    uint64_t size;
  };
  Want want[] = {
      {"bash", "5.2.21-r0", "bash", "GPL-3.0-or-later", 1396736},
      {"busybox-binsh", "1.36.1-r15", "busybox", "GPL-2.0-only", 8192},
      {"musl", "1.2.4_git20230717-r4", "musl", "MIT", 667648},
      {"readline", "8.2.1-r2", "readline", "GPL-2.0-or-later", 303104},
  };
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(pkgs[i].name, want[i].name);
    EXPECT_EQ(pkgs[i].version, want[i].version);
    EXPECT_EQ(pkgs[i].source_package, want[i].origin);
    EXPECT_EQ(pkgs[i].license, want[i].license);
    EXPECT_EQ(pkgs[i].installed_size, want[i].size);
    EXPECT_EQ(pkgs[i].arch, "x86_64");
  }
}

TEST(Apk, SyftMultiple2) {
  auto pkgs = parse_fixture("multiple-2/lib/apk/db/installed");
  ASSERT_EQ(pkgs.size(), 14u);
  std::set<std::string> names;
  for (const Package& p : pkgs) names.insert(p.name);
  // Every package syft's dependency-tree expectation names.
  for (const char* n : {"alpine-baselayout", "apk-tools", "busybox", "libc-utils", "libcrypto1.1",
                        "libssl1.1", "musl-utils", "scanelf", "ssl_client", "zlib", "musl",
                        "alpine-baselayout-data", "ca-certificates-bundle"}) {
    EXPECT_TRUE(names.count(n)) << n;
  }
}

TEST(Apk, SyftCorruptKeepsTheGoodRecord) {
  std::vector<Warning> warnings;
  auto pkgs = parse_fixture("corrupt/lib/apk/db/installed", &warnings);
  ASSERT_EQ(pkgs.size(), 1u);
  EXPECT_EQ(pkgs[0].name, "alpine-baselayout-data");
  EXPECT_EQ(pkgs[0].version, "3.2.0-r22");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].message.find("this is a corrupt db"), std::string::npos);
}

TEST(Apk, SyftImagePkgCoverage) {
  auto pkgs = parse_ok(slurp(test::corpus(
      "syft/cmd/syft/internal/test/integration/testdata/image-pkg-coverage/lib/apk/db/installed")));
  std::set<std::string> ids;
  for (const Package& p : pkgs) ids.insert(p.name + "@" + p.version);
  EXPECT_EQ(ids, (std::set<std::string>{"musl-utils@1.1.24-r2", "libc-utils@0.7.2-r0"}));
}

// As trivy writes them (its CycloneDX of trivy's own apk test database in an Alpine 3.4 image,
// tests/integration/sbom_parity.test.sh: pkg:apk/alpine/musl@1.1.14-r10?arch=x86_64&distro=3.4.6):
// the distro qualifier is the release alone.
TEST(Apk, PurlsAsTrivyWritesThem) {
  auto purl = [](const std::string& record, const OsContext& os) {
    auto pkgs = parse_ok(record, os);
    return pkgs.size() == 1 ? pkgs[0].purl : std::string("?");
  };
  EXPECT_EQ(purl("P:p\nV:v\nA:a\n", {"something else", "3.4.6"}),
            "pkg:apk/something%20else/p@v?arch=a&distro=3.4.6");
  EXPECT_EQ(purl("P:p\nV:v\nA:a\n", {"alpine", "3.4.6"}), "pkg:apk/alpine/p@v?arch=a&distro=3.4.6");
  EXPECT_EQ(purl("P:p\nV:v\n", {"alpine", "3.4.6"}), "pkg:apk/alpine/p@v?distro=3.4.6");
  EXPECT_EQ(purl("P:g++\nV:v84\nA:am86\n", {"alpine", "3.4.6"}),
            "pkg:apk/alpine/g%2B%2B@v84?arch=am86&distro=3.4.6");
  EXPECT_EQ(purl("P:p\nV:v\nA:a\n", {"wolfi", "20221230"}),
            "pkg:apk/wolfi/p@v?arch=a&distro=20221230");
  // No OS known: namespace "alpine", no distro.
  EXPECT_EQ(purl("P:p\nV:v\nA:a\n", {}), "pkg:apk/alpine/p@v?arch=a");
  // alpine-release's more precise release wins over VERSION_ID, as trivy reads that file.
  EXPECT_EQ(purl("P:p\nV:v\nA:a\n", {"alpine", "3.19", "3.19.4"}),
            "pkg:apk/alpine/p@v?arch=a&distro=3.19.4");
}

TEST(Apk, AlpineMinirootfsCountMatchesAwk) {
  std::string tarball = test::corpus("docker-alpine/v3.19/alpine-minirootfs-3.19.4-x86_64.tar.gz");
  int rc = -1;
  std::string db =
      test::run_capture("tar -xzOf " + test::shell_quote(tarball) + " ./lib/apk/db/installed", &rc);
  ASSERT_EQ(rc, 0);
  ASSERT_FALSE(db.empty());
  // An independent count: records with both a P: and a V: line.
  std::string count = test::run_capture("tar -xzOf " + test::shell_quote(tarball) +
                                            " ./lib/apk/db/installed | awk '/^P:/{p=1} /^V:/{v=1} "
                                            "/^$/{if(p&&v)n++; p=v=0} END{if(p&&v)n++; print n+0}'",
                                        &rc);
  ASSERT_EQ(rc, 0);
  std::vector<Warning> warnings;
  auto pkgs = parse_ok(db, {"alpine", "3.19.4"}, &warnings);
  EXPECT_EQ(std::to_string(pkgs.size()) + "\n", count);
  EXPECT_GT(pkgs.size(), 10u);
  EXPECT_TRUE(warnings.empty());
  for (const Package& p : pkgs) {
    EXPECT_FALSE(p.arch.empty());
    EXPECT_GT(p.installed_size, 0u);
  }
}

TEST(Apk, LargeFieldValuesAsSyftAllows) {
  std::string db =
      "P:large-description\nV:1.0-r0\nA:x86_64\nS:1\nI:1\nT:" + std::string(70 * 1024, 'a') + "\n";
  auto pkgs = parse_ok(db);
  ASSERT_EQ(pkgs.size(), 1u);
  EXPECT_EQ(pkgs[0].name, "large-description");
}

TEST(Apk, SyntaxTolerance) {
  // CRLF, no final newline, several blank lines, R before any F, trailing '/' on F.
  auto pkgs = parse_ok("\n\nP:a\r\nV:1-r0\r\nR:top\r\nF:usr/bin/\r\nR:tool\r\n\r\n\r\nP:b\nV:2");
  ASSERT_EQ(pkgs.size(), 2u);
  EXPECT_EQ(pkgs[0].files, (std::vector<std::string>{"/top", "/usr/bin/tool"}));
  EXPECT_EQ(pkgs[1].version, "2");
  EXPECT_TRUE(parse_ok("").empty());
}

TEST(Apk, MalformedRecordsAreSkippedAndGarbageIsAnError) {
  using namespace std::string_literals;
  std::vector<Warning> warnings;
  auto pkgs = parse_ok(
      "P:good\nV:1\n\nP:x\nP:y\nV:1\n\nP:nul\nV:1\0\n\nP:bad size\nV:1\n\nP:s\nV:1\nI:12x\n"s, {},
      &warnings);
  ASSERT_EQ(pkgs.size(), 2u);
  EXPECT_EQ(pkgs[0].name, "good");
  EXPECT_EQ(pkgs[1].name, "s");
  EXPECT_EQ(pkgs[1].installed_size, 0u);
  EXPECT_EQ(warnings.size(), 4u);  // repeated P, NUL, name with a space, bad I:

  EXPECT_FALSE(parse_apk_installed("this is not\nan apk database\n", "x", {}).ok());
  EXPECT_FALSE(parse_apk_installed(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), "x", {}).ok());
}

TEST(Apk, FilePathsCannotOutgrowTheInput) {
  std::string db = "P:ok\nV:1\n\nP:p\nV:1\nF:" + std::string(4000, 'd') + "\n";
  for (int i = 0; i < 100000; ++i) db += "R:x\n";
  std::vector<Warning> warnings;
  auto r = parse_apk_installed(db, "x", {}, &warnings);
  ASSERT_TRUE(r.ok());  // the second record is too big: skipped, reported
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].name, "ok");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].message.find("file list"), std::string::npos);
}

}  // namespace
}  // namespace pith::catalog
