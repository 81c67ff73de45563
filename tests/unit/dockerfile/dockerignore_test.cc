// .dockerignore reading and matching against moby/patternmatcher's tables
// (tests/data/patternmatcher/matches.tsv, every row), then ignorefile's reading rules and the
// walker's "must enter" rule.
#include <gtest/gtest.h>

#include <sstream>

#include "dockerfile/dockerignore.h"
#include "dockerfile/go_path.h"
#include "test_paths.h"

namespace pith::dockerfile {
namespace {

std::vector<std::string> fields(const std::string& line, const std::string& sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t at = line.find(sep, start);
    out.push_back(line.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return out;
    start = at + sep.size();
  }
}

TEST(Patternmatcher, Tables) {
  std::istringstream in(test::slurp(test::data("patternmatcher/matches.tsv")));
  std::string line;
  std::map<std::string, int> run, passed;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto f = fields(line, "\t");
    ASSERT_EQ(f.size(), 4u) << line;
    const std::string& kind = f[0];
    SCOPED_TRACE(line);
    ++run[kind];
    if (kind == "match" || kind == "multi") {
      auto m = IgnoreMatcher::create(kind == "multi" ? fields(f[1], " ; ")
                                                     : std::vector<std::string>{f[1]});
      ASSERT_TRUE(m) << m.error().message;
      auto r = m->excluded(f[2]);
      bool got = r && *r;
      EXPECT_EQ(got, f[3] == "true");
      passed[kind] += got == (f[3] == "true");
    } else if (kind == "filepath") {
      // The package-level Matches: the path cleaned, "." never excluded, errors reported.
      bool want_error = f[3].find("error") != std::string::npos;
      bool want = f[3].rfind("true", 0) == 0;
      auto m = IgnoreMatcher::create({f[1]});
      Result<bool> r = m ? m->excluded(clean_path(f[2])) : Result<bool>(m.error());
      bool ok = want_error ? !r : (r && *r == want);
      EXPECT_TRUE(ok) << (r ? (*r ? "true" : "false") : r.error().message);
      passed[kind] += ok;
    } else if (kind == "compile") {
      IgnoreCompiled c = compile_ignore_pattern(clean_path(f[1]));
      std::string want_type = f[2] == "exactMatch"    ? "exact"
                              : f[2] == "prefixMatch" ? "prefix"
                              : f[2] == "suffixMatch" ? "suffix"
                                                      : "regexp";
      EXPECT_EQ(c.type, want_type);
      if (want_type == "regexp") {
        EXPECT_EQ(c.regex, f[3]);
      }
      passed[kind] += c.type == want_type && (want_type != "regexp" || c.regex == f[3]);
    } else {
      ADD_FAILURE() << "unknown row kind " << kind;
    }
  }
  EXPECT_EQ(run["match"], 68);
  EXPECT_EQ(run["multi"], 4);
  EXPECT_EQ(run["filepath"], 54);
  EXPECT_EQ(run["compile"], 21);
  EXPECT_EQ(passed, run);
}

TEST(Patternmatcher, Basics) {
  auto m = IgnoreMatcher::create({"docs", "!docs/README.md"});
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->has_exceptions());
  EXPECT_FALSE(*m->excluded("docs/README.md"));
  EXPECT_TRUE(*m->excluded("docs/other.md"));
  EXPECT_TRUE(m->must_enter("docs"));
  EXPECT_FALSE(m->must_enter("src"));
  EXPECT_FALSE(IgnoreMatcher::create({"!"}));
  EXPECT_EQ(IgnoreMatcher::create({"docs", "config", ""})->size(), 2u);
  // Checked at creation, refused by the expression at match time, every time.
  auto odd = IgnoreMatcher::create({"[Local-Only]/"});
  ASSERT_TRUE(odd);
  EXPECT_FALSE(odd->excluded("x"));
  EXPECT_FALSE(odd->excluded("x"));
  auto none = IgnoreMatcher::create({});
  EXPECT_FALSE(*none->excluded("/any/path/there"));
  EXPECT_FALSE(IgnoreMatcher::create({"["}));
}

// ignorefile's TestReadAll.
TEST(Dockerignore, ReadAll) {
  auto got = read_dockerignore(
      "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! ");
  EXPECT_EQ(got, (std::vector<std::string>{"test1", "test2", "a/file/here", "lastfile",
                                           "!inverted/abs/path", "!", "!"}));
  EXPECT_EQ(read_dockerignore("\xEF\xBB\xBF./a/../b/\r\n  # not a comment\n"),
            (std::vector<std::string>{"b", "# not a comment"}));
}

TEST(Dockerignore, LastMatchWins) {
  auto m = IgnoreMatcher::from_dockerignore("*.md\n!README*.md\nREADME-secret.md\n**/*.tmp\n");
  ASSERT_TRUE(m);
  EXPECT_TRUE(*m->excluded("notes.md"));
  EXPECT_FALSE(*m->excluded("README.md"));
  EXPECT_TRUE(*m->excluded("README-secret.md"));
  EXPECT_TRUE(*m->excluded("a/b/c.tmp"));
  EXPECT_FALSE(*m->excluded("a/b/c.md"));  // * does not cross '/'
}

// Linear in the path however many ** a pattern has.
TEST(Dockerignore, HostilePatternIsLinear) {
  std::string p;
  for (int i = 0; i < 200; ++i) p += "**/a*";
  p += "b";
  auto m = IgnoreMatcher::create({p});
  ASSERT_TRUE(m);
  std::string path;
  for (int i = 0; i < 50; ++i) path += "a/";
  path += "c";
  EXPECT_FALSE(*m->excluded(path));
}

}  // namespace
}  // namespace pith::dockerfile
