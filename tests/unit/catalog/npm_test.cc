// npm packages against what node itself reads from the packages bundled with the system npm
// (/usr/lib/node_modules), plus the path rule and hostile inputs.
#include "catalog/npm.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "shell.h"
#include "test_paths.h"

namespace pith::catalog {
namespace {

namespace fs = std::filesystem;

using test::slurp;

// name, version, license of each package.json given, NUL-terminated, as node reads them.
const char* const k_oracle = R"JS(
for (const f of process.argv.slice(1)) {
  const p = JSON.parse(require('fs').readFileSync(f, 'utf8'));
  const one = (v) => typeof v === 'string' ? v : (v && typeof v.type === 'string' ? v.type : '');
  let lic = one(p.license);
  if (!lic && Array.isArray(p.licenses)) lic = p.licenses.map(one).filter(x => x).join(' OR ');
  process.stdout.write(p.name + '\t' + p.version + '\t' + lic + '\0');
}
)JS";

TEST(Npm, SystemNpmBundleMatchesNode) {
  const fs::path root = "/usr/lib/node_modules";
  if (!fs::is_directory(root) || !fs::exists("/usr/bin/node")) GTEST_SKIP() << "no system npm";
  std::vector<fs::path> packages;
  int others = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.path().filename() != "package.json") continue;
    if (looks_like_npm_package_json(e.path().string(), "")) {
      packages.push_back(e.path());
    } else {
      // Project roots and module-type markers: no package, no error.
      auto r = parse_npm_package_json(slurp(e.path()), e.path().string());
      ASSERT_TRUE(r) << e.path();
      EXPECT_TRUE(r->packages.empty()) << e.path();
      ++others;
    }
  }
  std::string cmd = "/usr/bin/node -e " + test::shell_quote(k_oracle);
  for (const fs::path& p : packages) cmd += " " + test::shell_quote(p.string());
  std::string oracle = test::run_capture(cmd);
  int scoped = 0;
  for (const fs::path& path : packages) {
    SCOPED_TRACE(path.string());
    size_t end = oracle.find('\0');
    ASSERT_NE(end, std::string::npos);
    std::string want = oracle.substr(0, end);
    oracle.erase(0, end + 1);
    auto r = parse_npm_package_json(slurp(path), path.string());
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->packages.size(), 1u);
    const Package& p = r->packages[0];
    EXPECT_EQ(p.name + "\t" + p.version + "\t" + p.license, want);
    EXPECT_EQ(p.type, PackageType::npm);
    if (p.name.starts_with("@")) {
      ++scoped;
      EXPECT_TRUE(p.purl.starts_with("pkg:npm/%40")) << p.purl;
    }
  }
  EXPECT_GE(packages.size(), 50u);
  EXPECT_GE(scoped, 1);
  EXPECT_GE(others, 1);  // npm's own root package.json at least
}

TEST(Npm, Purls) {
  EXPECT_EQ(npm_purl("@npmcli/arborist", "7.2.1"), "pkg:npm/%40npmcli/arborist@7.2.1");
  EXPECT_EQ(npm_purl("is-number", "7.0.0"), "pkg:npm/is-number@7.0.0");
  EXPECT_EQ(npm_purl("x", "1.0.0-beta+1"), "pkg:npm/x@1.0.0-beta%2B1");
  // purl-spec (npm: namespace and name normalised to lower case) and trivy's parseNpm.
  EXPECT_EQ(npm_purl("JSONStream", "1.3.5"), "pkg:npm/jsonstream@1.3.5");
  EXPECT_EQ(npm_purl("@Scope/Name", "1.0.0"), "pkg:npm/%40scope/name@1.0.0");
}

TEST(Npm, Licenses) {
  const std::string at = "/app/node_modules/a/package.json";
  auto obj = parse_npm_package_json(R"({"name":"a","version":"1","license":{"type":"ISC"}})", at);
  ASSERT_TRUE(obj);
  EXPECT_EQ(obj->packages[0].license, "ISC");
  auto legacy = parse_npm_package_json(
      R"({"name":"a","version":"1","licenses":[{"type":"MIT"},"Apache-2.0",7]})", at);
  ASSERT_TRUE(legacy);
  EXPECT_EQ(legacy->packages[0].license, "MIT OR Apache-2.0");
}

TEST(Npm, PathRule) {
  EXPECT_TRUE(looks_like_npm_package_json("/app/node_modules/a/package.json", ""));
  EXPECT_TRUE(looks_like_npm_package_json("app/node_modules/@s/a/package.json", ""));
  EXPECT_TRUE(looks_like_npm_package_json("/node_modules/a/node_modules/b/package.json", ""));
  EXPECT_FALSE(looks_like_npm_package_json("/app/package.json", ""));
  EXPECT_FALSE(looks_like_npm_package_json("/app/node_modules/a/dist/package.json", ""));
  EXPECT_FALSE(looks_like_npm_package_json("/app/node_modules/@s/package.json", ""));
  EXPECT_FALSE(looks_like_npm_package_json("/app/node_modules/.bin/package.json", ""));
  EXPECT_FALSE(looks_like_npm_package_json("package.json", ""));
  // A private project root is not a package.
  auto root = parse_npm_package_json(R"({"name":"app","version":"1","private":true})",
                                     "/srv/app/package.json");
  ASSERT_TRUE(root);
  EXPECT_TRUE(root->packages.empty());
}

TEST(Npm, Hostile) {
  const std::string at = "/n/node_modules/a/package.json";
  EXPECT_FALSE(parse_npm_package_json("", at));
  EXPECT_FALSE(parse_npm_package_json("{", at));
  EXPECT_FALSE(parse_npm_package_json("[1,2]", at));
  EXPECT_FALSE(parse_npm_package_json(R"({"name":1,"version":"1"})", at));
  EXPECT_FALSE(parse_npm_package_json(R"({"name":"a"})", at));
  EXPECT_FALSE(parse_npm_package_json(std::string(100000, '['), at));
  EXPECT_FALSE(parse_npm_package_json(R"({"name":"a","version":"1"} trailing)", at));
}

}  // namespace
}  // namespace pith::catalog
