// Go binaries: trivy's fixtures and expectations (trivy/expected/golang_binary_parse_test.go),
// transcribed, plus hostile inputs.
#include "catalog/golang.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "test_paths.h"

namespace pith::catalog {
namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream in(test::corpus("trivy/pkg/dependency/parser/golang/binary/testdata/" + name),
                   std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Expected {
  std::string name, version, purl;
};

void expect_packages(const Findings& f, const std::vector<Expected>& want) {
  ASSERT_EQ(f.packages.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(f.packages[i].type, PackageType::golang);
    EXPECT_EQ(f.packages[i].name, want[i].name);
    EXPECT_EQ(f.packages[i].version, want[i].version);
    EXPECT_EQ(f.packages[i].purl, want[i].purl);
    EXPECT_EQ(f.packages[i].location, "/usr/bin/app");
  }
}

TEST(GoBinary, Go115PointerFormat) {
  std::string bytes = read_fixture("test.elf");
  ASSERT_GT(bytes.size(), 1000000u);
  auto r = parse_go_binary(bytes, "/usr/bin/app");
  ASSERT_TRUE(r) << r.error().message;
  expect_packages(
      *r, {
              {"github.com/aquasecurity/test", "", "pkg:golang/github.com/aquasecurity/test"},
              {"stdlib", "v1.15.2", "pkg:golang/stdlib@v1.15.2"},
              {"github.com/aquasecurity/go-pep440-version", "v0.0.0-20210121094942-22b2f8951d46",
               "pkg:golang/github.com/aquasecurity/"
               "go-pep440-version@v0.0.0-20210121094942-22b2f8951d46"},
              {"github.com/aquasecurity/go-version", "v0.0.0-20210121072130-637058cfe492",
               "pkg:golang/github.com/aquasecurity/go-version@v0.0.0-20210121072130-637058cfe492"},
              {"golang.org/x/xerrors", "v0.0.0-20200804184101-5ec99f83aff1",
               "pkg:golang/golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1"},
          });
  EXPECT_TRUE(r->warnings.empty());
}

TEST(GoBinary, MainVersionViaLdflags) {
  auto r = parse_go_binary(read_fixture("main-version-via-ldflags.elf"), "/usr/bin/app");
  ASSERT_TRUE(r) << r.error().message;
  expect_packages(*r, {
                          {"github.com/aquasecurity/test", "v1.0.0",
                           "pkg:golang/github.com/aquasecurity/test@v1.0.0"},
                          {"stdlib", "v1.22.1", "pkg:golang/stdlib@v1.22.1"},
                      });
}

TEST(GoBinary, GoExperimentHasNoMainModule) {
  auto r = parse_go_binary(read_fixture("goexperiment"), "/usr/bin/app");
  ASSERT_TRUE(r) << r.error().message;
  expect_packages(*r, {{"stdlib", "v1.22.1", "pkg:golang/stdlib@v1.22.1"}});
}

TEST(GoBinary, BuildInfoFields) {
  auto bi = read_go_build_info(read_fixture("main-version-via-ldflags.elf"));
  ASSERT_TRUE(bi) << bi.error().message;
  EXPECT_EQ(bi->go_version, "go1.22.1");
  EXPECT_EQ(bi->path, "github.com/aquasecurity/test");
  EXPECT_EQ(bi->main.version, "(devel)");
  bool found = false;
  for (const auto& [k, v] : bi->settings)
    if (k == "-ldflags") found = v == "-w -X main.version=v1.0.0";  // unquoted
  EXPECT_TRUE(found);
  auto old = read_go_build_info(read_fixture("goexperiment"));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->go_version, "go1.22.1 X:loopvar");
  EXPECT_EQ(old->path, "command-line-arguments");
}

TEST(GoBinary, ElfSymbolVersion) {
  // trivy's TestParser_ELFSymbolVersion
  EXPECT_EQ(go_elf_symbol_version(read_fixture("main-version-via-ldflags.elf"),
                                  "github.com/aquasecurity/test"),
            "v1.0.0");
  EXPECT_EQ(go_elf_symbol_version(read_fixture("test.elf"), "github.com/aquasecurity/test"), "");
  EXPECT_EQ(go_elf_symbol_version("dummy", "test"), "");
}

TEST(GoBinary, ChooseMainVersion) {
  // trivy's TestParser_ChooseMainVersion: {version, ldflags, elf, want}
  struct Case {
    const char *version, *ldflags, *elf, *want;
  };
  for (const Case& c : std::vector<Case>{
           {"v0.0.0-20210121094942-22b2f8951d46", "v1.2.3", "", "v1.2.3"},
           {"v2.0.0-20251210145848-560ea94fc7d6", "v2.83.2", "", "v2.83.2"},
           {"v1.0.1-0.20220426205730-d0a4cdb22955", "v1.5.0", "", "v1.5.0"},
           {"v1.2.3", "v1.2.4", "", "v1.2.3"},
           {"", "v1.2.3", "", "v1.2.3"},
           {"v2.0.0-20251210145848-560ea94fc7d6", "", "", "v2.0.0-20251210145848-560ea94fc7d6"},
           {"v0.0.0-20210121094942-22b2f8951d46", "", "v1.0.0", "v1.0.0"},
           {"v0.0.0-20210121094942-22b2f8951d46", "v1.2.3", "v1.0.0", "v1.2.3"},
           {"", "", "v2.0.0", "v2.0.0"},
           {"", "v1.2.3", "v2.0.0", "v1.2.3"},
           {"v1.2.3", "", "v1.2.4", "v1.2.3"},
       })
    EXPECT_EQ(choose_go_main_version(c.version, c.ldflags, c.elf), c.want) << c.version;
}

TEST(GoBinary, ParseLdflags) {
  // trivy's TestParser_ParseLDFlags
  const std::string trivy = "github.com/aquasecurity/trivy";
  struct Case {
    std::string name;
    std::vector<std::string> flags;
    std::string want;
  };
  for (const Case& c : std::vector<Case>{
           {trivy,
            {"-s", "-w", "-X=foo=bar", "-X='" + trivy + "/pkg/version/app.ver=v0.50.1'"},
            "v0.50.1"},
           {trivy,
            {"-s", "-w", "-X=foo=bar", "-X='" + trivy + "/pkg/version.Version=v0.50.1'"},
            "v0.50.1"},
           {trivy,
            {"-s", "-w", "-X=foo=bar", "-X='" + trivy + "/pkg/version.Ver=v0.50.1'"},
            "v0.50.1"},
           {trivy,
            {"-s", "-w", "-X=foo=bar", "-X=\"" + trivy + "/pkg/version.Ver=0.50.1\""},
            "0.50.1"},
           {trivy,
            {"-s", "-w", "-X=foo=bar", "-X='" + trivy + "/pkg/version.Ver=0.50.1'"},
            "0.50.1"},
           {trivy,
            {"-X='" + trivy + "/cmd/Any.Ver=0.50.0'", "-X='" + trivy + "/pkg/version.Ver=0.50.1'"},
            "0.50.0"},
           {trivy, {"-X='" + trivy + "/cmd/Any.Ver=0.50.0'"}, "0.50.0"},
           {trivy,
            {"-X='" + trivy + "/cmd/Any.Ver=0.50.0'", "-X='" + trivy + "/pkg/Any.Ver=0.50.1'"},
            "0.50.0"},
           {trivy, {"-X='" + trivy + "/pkg/Common.Ver=0.50.1'"}, "0.50.1"},
           {trivy,
            {"-X='" + trivy + "/pkg/Any.Ver=0.50.0'", "-X='" + trivy + "/pkg/Common.Ver=0.50.1'"},
            "0.50.1"},
           {trivy, {"-X='" + trivy + "/pkg/Any.Ver=0.50.1'"}, "0.50.1"},
           {trivy,
            {"-X='" + trivy + "/pkg/Common.Ver=0.50.0'", "-X='" + trivy + "/pkg/Main.Ver=0.50.1'"},
            ""},
           {trivy,
            {"-X='" + trivy + "/pkg/Any.Ver=0.50.1'", "-X='" + trivy + "/pkg/Any-pref.Ver=0.50.0'"},
            ""},
           {"github.com/argoproj/argo-cd/v2",
            {"-s", "-w", "-X='github.com/argoproj/argo-cd/v2/common.kubectlVersion=v0.26.11'"},
            ""},
           {"github.com/k3s-io/k3s",
            {"-X", "github.com/k3s-io/k3s/version.Version=v1.28.6+k3s2", "-w", "-s", "-extldflags",
             "-static -lm -ldl -lz -lpthread"},
            "v1.28.6+k3s2"},
           {"github.com/aquasecurity/test", {}, ""},
       })
    EXPECT_EQ(go_ldflags_version(c.name, c.flags), c.want) << testing::PrintToString(c.flags);
}

TEST(GoBinary, ShellWords) {
  EXPECT_EQ(split_shell_words("-w -X main.version=v1.0.0"),
            (std::vector<std::string>{"-w", "-X", "main.version=v1.0.0"}));
  EXPECT_EQ(split_shell_words("-X 'a=b c' \"d\\\"e\""),
            (std::vector<std::string>{"-X", "a=b c", "d\"e"}));
  EXPECT_TRUE(split_shell_words("-X 'unterminated").empty());
}

TEST(GoBinary, Versions) {
  EXPECT_EQ(go_stdlib_version("go1.22.1 X:loopvar"), "v1.22.1");
  EXPECT_EQ(go_stdlib_version("go1.26.0-X:greenteagc"), "v1.26.0");
  EXPECT_EQ(go_stdlib_version("go1.26.5 (Red Hat 1.26.5-1.el10_2.alma.1)"), "v1.26.5");
  EXPECT_TRUE(is_go_semver("v1.28.6+k3s2"));
  EXPECT_TRUE(is_go_semver("v1"));
  EXPECT_FALSE(is_go_semver("v1.2-pre"));
  EXPECT_FALSE(is_go_semver("v01.2.3"));
  EXPECT_FALSE(is_go_semver("1.2.3"));
  EXPECT_TRUE(is_go_pseudo_version("v0.0.0-20210121094942-22b2f8951d46"));
  EXPECT_TRUE(is_go_pseudo_version("v1.0.1-0.20220426205730-d0a4cdb22955"));
  EXPECT_TRUE(is_go_pseudo_version("v1.2.4-pre.0.20220426205730-d0a4cdb22955+incompatible"));
  EXPECT_FALSE(is_go_pseudo_version("v1.2.3"));
  EXPECT_FALSE(is_go_pseudo_version("v1.2.3-rc.1-x"));
}

TEST(GoBinary, ModinfoReplacementsAndErrors) {
  auto bi = parse_go_modinfo(
      "path\tex.com/app\nmod\tex.com/app\t(devel)\t\ndep\tex.com/a\tv1.0.0\th1:x=\n"
      "=>\tex.com/b\tv2.0.0\th1:y=\ndep\tex.com/c\tv0.1.0\nbuild\t\"k=1\"=`raw`\n");
  ASSERT_TRUE(bi) << bi.error().message;
  ASSERT_EQ(bi->deps.size(), 2u);
  EXPECT_TRUE(bi->deps[0].replaced);
  EXPECT_EQ(bi->deps[0].replace_path, "ex.com/b");
  EXPECT_EQ(bi->settings.at(0), (std::pair<std::string, std::string>{"k=1", "raw"}));
  EXPECT_FALSE(parse_go_modinfo("=>\tx\tv1\th\n"));
  EXPECT_FALSE(parse_go_modinfo("dep\tonly-one-column\n"));
  EXPECT_FALSE(parse_go_modinfo("build\tk=\"unterminated\n"));
}

TEST(GoBinary, HostileInputs) {
  auto not_exe = parse_go_binary("dummy file", "x");
  ASSERT_FALSE(not_exe);
  EXPECT_NE(not_exe.error().message.find("unrecognized executable format"), std::string::npos);
  std::string elf = read_fixture("test.elf");
  // Truncations at every interesting size, and corruption of every header byte.
  for (size_t n : {4u, 16u, 63u, 64u, 200u, 4096u, 0x19e000u, 0x19e010u, 0x19e020u})
    EXPECT_FALSE(parse_go_binary(std::string_view(elf).substr(0, n), "x")) << n;
  std::string bad = elf;
  for (size_t i = 0; i < 64; ++i) {
    bad[i] = static_cast<char>(0xff);
    (void)parse_go_binary(bad, "x");
    bad[i] = elf[i];
  }
  // Pointers of the pre-1.18 header aimed at nowhere.
  for (size_t i = 0x19e010; i < 0x19e020; ++i) bad[i] = '\x7f';
  EXPECT_FALSE(parse_go_binary(bad, "x"));
  EXPECT_FALSE(
      parse_go_binary("\x7f"
                      "ELF",
                      "x"));
}

// The fuzz seeds are ELF files written byte by byte (tests/fuzz/corpus/catalog_golang_fuzz):
// the inline format, and the pointer format as 64-bit little-endian and 32-bit big-endian.
TEST(GoBinary, SyntheticSeeds) {
  for (const char* name :
       {"inline_go121.elf", "pointer_go115_le64.elf", "pointer_go115_be32.elf"}) {
    SCOPED_TRACE(name);
    std::string tests_dir = PITH_TEST_DATA_DIR;  // <source>/tests/data, which need not exist
    tests_dir.erase(tests_dir.rfind('/'));
    std::ifstream in(tests_dir + "/fuzz/corpus/catalog_golang_fuzz/" + name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto r = parse_go_binary(ss.str(), "/usr/bin/app");
    ASSERT_TRUE(r) << r.error().message;
    std::string stdlib = std::string(name).starts_with("inline") ? "v1.21.5" : "v1.15.2";
    // The main module's pseudo-version yields to the -ldflags version.
    expect_packages(*r,
                    {
                        {"example.com/app", "v1.2.3", "pkg:golang/example.com/app@v1.2.3"},
                        {"stdlib", stdlib, "pkg:golang/stdlib@" + stdlib},
                        {"example.com/new", "v1.1.0", "pkg:golang/example.com/new@v1.1.0"},
                        {"golang.org/x/text", "v0.14.0", "pkg:golang/golang.org/x/text@v0.14.0"},
                    });
  }
}

TEST(GoBinary, NonGoElf) {
  std::ifstream in("/bin/true", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = parse_go_binary(ss.str(), "/bin/true");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "not a Go executable");
  EXPECT_TRUE(looks_like_go_binary("/bin/true", ss.str().substr(0, 16)));
  EXPECT_FALSE(looks_like_go_binary("/etc/passwd", "root:x:0:0"));
}

}  // namespace
}  // namespace pith::catalog
