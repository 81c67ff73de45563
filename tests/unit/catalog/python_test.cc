// Python metadata against what Python's own importlib.metadata reads from the distributions
// Debian installed on this machine, plus edge cases of the header format.
#include "catalog/python.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "shell.h"
#include "test_paths.h"

namespace pith::catalog {
namespace {

namespace fs = std::filesystem;
const char* const k_dist_packages = "/usr/lib/python3/dist-packages";

using test::slurp;

// Name, version and the license by the documented rule, as importlib.metadata sees them.
const char* const k_oracle = R"PY(
import importlib.metadata as m, pathlib, sys
for arg in sys.argv[1:]:
  d = m.PathDistribution(pathlib.Path(arg))
  md = d.metadata
  lic = md['License-Expression'] or ''
  raw = md['License'] or ''
  if not lic and raw and '\n' not in raw and len(raw) <= 200 and raw != 'UNKNOWN':
    lic = raw
  if not lic:
    parts = [c.split('::')[-1].strip() for c in (md.get_all('Classifier') or [])
             if c.startswith('License ::')]
    lic = ', '.join(p for p in parts if p and p != 'OSI Approved')
  sys.stdout.write(md['Name'] + '\t' + d.version + '\t' + lic + '\0')
)PY";

TEST(Python, DebianDistPackagesMatchImportlib) {
  if (!fs::is_directory(k_dist_packages) || !fs::exists("/usr/bin/python3"))
    GTEST_SKIP() << "no Debian python3";
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(k_dist_packages)) {
    std::string name = entry.path().filename();
    if (name.ends_with(".dist-info") || name.ends_with(".egg-info")) dirs.push_back(entry.path());
  }
  std::string cmd = "/usr/bin/python3 -c " + test::shell_quote(k_oracle);
  for (const fs::path& d : dirs) cmd += " " + test::shell_quote(d.string());
  std::string oracle = test::run_capture(cmd);
  int checked = 0;
  for (const fs::path& dir : dirs) {
    std::string name = dir.filename();
    fs::path file = dir;
    if (fs::is_directory(dir)) file /= name.ends_with(".dist-info") ? "METADATA" : "PKG-INFO";
    SCOPED_TRACE(file.string());
    ASSERT_TRUE(looks_like_python_metadata(file.string(), ""));
    size_t end = oracle.find('\0');
    ASSERT_NE(end, std::string::npos);
    std::string want = oracle.substr(0, end);
    oracle.erase(0, end + 1);
    auto r = parse_python_metadata(slurp(file), file.string());
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->packages.size(), 1u);
    const Package& p = r->packages[0];
    EXPECT_EQ(p.name + "\t" + p.version + "\t" + p.license, want);
    EXPECT_EQ(p.type, PackageType::pypi);
    EXPECT_EQ(p.location, file.string());
    ++checked;
  }
  EXPECT_GE(checked, 10);
}

TEST(Python, DebianExamples) {
  fs::path crypto = fs::path(k_dist_packages) / "cryptography-38.0.4.dist-info/METADATA";
  if (!fs::exists(crypto)) GTEST_SKIP() << "cryptography 38.0.4 not installed";
  auto r = parse_python_metadata(slurp(crypto), crypto.string());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->packages[0].license, "BSD-3-Clause OR Apache-2.0");
  EXPECT_EQ(r->packages[0].purl, "pkg:pypi/cryptography@38.0.4");
}

TEST(Python, HeadersAndPurl) {
  auto r = parse_python_metadata(
      "Metadata-Version: 2.4\r\nName: Zope_Interface\r\nVersion: 5.4.0+local\r\n"
      "License: Permission is hereby granted\r\n  to anyone\r\n"
      "Classifier: License :: OSI Approved\r\nClassifier: License :: OSI Approved :: MIT "
      "License\r\n"
      "\r\nName: not-a-header-this-is-the-body\r\n",
      "/site-packages/Zope_Interface-5.4.0.dist-info/METADATA");
  ASSERT_TRUE(r) << r.error().message;
  const Package& p = r->packages[0];
  EXPECT_EQ(p.name, "Zope_Interface");
  EXPECT_EQ(p.version, "5.4.0+local");
  EXPECT_EQ(p.license, "MIT License");  // the multi-line License is a license text
  EXPECT_EQ(p.purl, "pkg:pypi/zope-interface@5.4.0%2Blocal");

  auto expr = parse_python_metadata(
      "Name: a\nVersion: 1\nLicense: MIT\nLicense-Expression: MIT OR Apache-2.0\n", "x");
  ASSERT_TRUE(expr);
  EXPECT_EQ(expr->packages[0].license, "MIT OR Apache-2.0");
}

TEST(Python, Rejects) {
  EXPECT_FALSE(parse_python_metadata("Name: a\n", "x"));
  EXPECT_FALSE(parse_python_metadata("Version: 1\n", "x"));
  EXPECT_FALSE(parse_python_metadata("\nName: a\nVersion: 1\n", "x"));  // all body
  EXPECT_FALSE(parse_python_metadata(std::string("\0\xff\x01:\n", 5), "x"));
  EXPECT_FALSE(parse_python_metadata("", "x"));
}

TEST(Python, PathPredicate) {
  EXPECT_TRUE(
      looks_like_python_metadata("usr/lib/python3/dist-packages/a-1.dist-info/METADATA", ""));
  EXPECT_TRUE(looks_like_python_metadata("/x/a-1.egg-info/PKG-INFO", ""));
  EXPECT_TRUE(looks_like_python_metadata("/x/a-1.egg-info", ""));
  EXPECT_FALSE(looks_like_python_metadata("/x/a-1.dist-info/RECORD", ""));
  EXPECT_FALSE(looks_like_python_metadata("/x/METADATA", ""));
  EXPECT_FALSE(looks_like_python_metadata("/x/sdist/PKG-INFO", ""));
}

}  // namespace
}  // namespace pith::catalog
