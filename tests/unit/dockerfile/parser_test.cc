// The Dockerfile parser against BuildKit's own test tables (tests/data/buildkit): every
// testfiles case dumps exactly as its `result`, every negative case is refused; then pith's
// own cases for what the tables do not cover (line numbers in errors, heredocs, limits).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "dockerfile/instructions.h"
#include "dockerfile/parser.h"
#include "test_paths.h"

namespace pith::dockerfile {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> case_dirs(const std::string& rel) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(test::data(rel))) {
    if (e.is_directory()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(BuildkitParser, EveryTestfileDumpsAsItsResult) {
  auto dirs = case_dirs("buildkit/parser-testfiles");
  ASSERT_EQ(dirs.size(), 33u);
  size_t passed = 0;
  for (const fs::path& dir : dirs) {
    SCOPED_TRACE(dir.filename().string());
    std::string text = test::slurp(dir / "Dockerfile");
    auto parsed = parse_dockerfile(text);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(dump(*parsed), test::slurp(dir / "result"));
    passed += dump(*parsed) == test::slurp(dir / "result");
  }
  EXPECT_EQ(passed, dirs.size());
}

TEST(BuildkitParser, EveryNegativeTestfileIsRefused) {
  auto dirs = case_dirs("buildkit/parser-testfiles-negative");
  ASSERT_EQ(dirs.size(), 4u);
  for (const fs::path& dir : dirs) {
    SCOPED_TRACE(dir.filename().string());
    auto parsed = parse_dockerfile(test::slurp(dir / "Dockerfile"));
    EXPECT_FALSE(parsed);
  }
}

TEST(BuildkitParser, LineNumbers) {
  auto parsed =
      parse_dockerfile(test::slurp(test::data("buildkit/parser-testfile-line/Dockerfile")));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->nodes.size(), 3u);
  std::vector<std::pair<int, int>> lines;
  for (const Node& n : parsed->nodes) lines.push_back({n.start_line, n.end_line});
  EXPECT_EQ(lines, (std::vector<std::pair<int, int>>{{5, 5}, {11, 12}, {17, 31}}));
}

// BuildKit's TestParseWords table.
TEST(BuildkitParser, Words) {
  using V = std::vector<std::string>;
  EXPECT_EQ(parse_words("foo", '\\'), V{"foo"});
  EXPECT_EQ(parse_words("foo bar", '\\'), (V{"foo", "bar"}));
  EXPECT_EQ(parse_words("foo\\ bar", '\\'), V{"foo\\ bar"});
  EXPECT_EQ(parse_words("foo=bar", '\\'), V{"foo=bar"});
  EXPECT_EQ(parse_words("foo bar 'abc xyz'", '\\'), (V{"foo", "bar", "'abc xyz'"}));
  EXPECT_EQ(parse_words("foo bar \"abc xyz\"", '\\'), (V{"foo", "bar", "\"abc xyz\""}));
  EXPECT_EQ(parse_words("àöû", '\\'), V{"àöû"});
  EXPECT_EQ(parse_words("föo bàr \"âbc xÿz\"", '\\'), (V{"föo", "bàr", "\"âbc xÿz\""}));
}

TEST(Parser, WarnsOnEmptyContinuationLines) {
  auto parsed = parse_dockerfile(
      "\nFROM alpine:3.6\n\nRUN valid \\\n    continuation\n\nRUN something \\\n\n    following "
      "\\\n\n"
      "    more\n\nRUN another \\\n\n    thing\n\nRUN non-indented \\\n# this is a comment\n"
      "   after-comment\n\nRUN indented \\\n    # this is an indented comment\n    comment\n\t");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->warnings.size(), 2u);
  EXPECT_NE(parsed->warnings[0].message.find("RUN something     following     more"),
            std::string::npos);
  EXPECT_NE(parsed->warnings[1].message.find("RUN another     thing"), std::string::npos);
}

TEST(Parser, LongLineIsAnError) {
  std::string text = "\n\t\tFROM image\n\t\tLABEL test=" + std::string(65536, 'a') + "\n";
  auto parsed = parse_dockerfile(text);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message,
            "Dockerfile:3: dockerfile line greater than max allowed size of 65535");
}

TEST(Parser, Directives) {
  auto parsed = parse_dockerfile(
      "# syntax=docker/dockerfile:1\n# escape=`\n# check=skip=all\nFROM a\nRUN x `\n  y\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->escape, '`');
  ASSERT_EQ(parsed->directives.size(), 3u);
  EXPECT_EQ(parsed->directives[0].name, "syntax");
  EXPECT_EQ(parsed->directives[0].value, "docker/dockerfile:1");
  EXPECT_EQ(parsed->directives[2].value, "skip=all");
  EXPECT_EQ(dump(*parsed), "(from \"a\")\n(run \"x   y\")\n");

  auto twice = parse_dockerfile("# escape=`\n# escape=\\\nFROM a\n");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().message, "Dockerfile:2: only one escape parser directive can be used");
  auto bad = parse_dockerfile("# escape=x\nFROM a\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "Dockerfile:1: invalid escape token 'x' does not match ` or \\");
  // After a blank line, a directive is a comment.
  auto late = parse_dockerfile("\n# escape=`\nFROM a\nRUN b \\\n c\n");
  ASSERT_TRUE(late);
  EXPECT_EQ(late->escape, '\\');
}

TEST(Parser, Heredocs) {
  auto parsed = parse_dockerfile(
      "FROM busybox\n"
      "RUN <<EOF\necho hello\necho world\nEOF\n"
      "COPY <<-\"END\" <<two /dest/\n\tquoted $X\n\tEND\nsecond\ntwo\n"
      "RUN [\"<<EOF\"]\n"
      "ONBUILD RUN 3<<EOF cat\nbody\nEOF\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->nodes.size(), 5u);
  const Node& run = parsed->nodes[1];
  ASSERT_EQ(run.heredocs.size(), 1u);
  EXPECT_EQ(run.heredocs[0].name, "EOF");
  EXPECT_EQ(run.heredocs[0].content, "echo hello\necho world\n");
  EXPECT_TRUE(run.heredocs[0].expand);
  EXPECT_EQ(run.start_line, 2);
  EXPECT_EQ(run.end_line, 5);
  const Node& copy = parsed->nodes[2];
  ASSERT_EQ(copy.heredocs.size(), 2u);
  EXPECT_EQ(copy.heredocs[0].name, "END");
  EXPECT_FALSE(copy.heredocs[0].expand);
  EXPECT_TRUE(copy.heredocs[0].chomp);
  EXPECT_EQ(copy.heredocs[0].content, "\tquoted $X\n");
  EXPECT_EQ(copy.heredocs[1].content, "second\n");
  EXPECT_TRUE(parsed->nodes[3].heredocs.empty());  // exec form reads no heredoc
  ASSERT_EQ(parsed->nodes[4].heredocs.size(), 1u);
  EXPECT_EQ(parsed->nodes[4].heredocs[0].fd, 3u);

  auto ins = to_instructions(*parsed);
  ASSERT_TRUE(ins) << ins.error().message;
  const Instruction& c = (*ins)[2];
  ASSERT_EQ(c.inline_sources.size(), 2u);
  EXPECT_EQ(c.inline_sources[0].data, "quoted $X\n");  // <<- removes leading tabs
  EXPECT_EQ(c.args, std::vector<std::string>{"/dest/"});
  EXPECT_EQ((*ins)[4].onbuild_expression, "RUN 3<<EOF cat\nbody\nEOF");

  auto unterminated = parse_dockerfile("FROM a\nRUN <<EOF\nno end\n");
  ASSERT_FALSE(unterminated);
  EXPECT_EQ(unterminated.error().message, "Dockerfile:2: unterminated heredoc");
}

// Hostile input stays bounded: a megabyte of backslashes is a few long lines, refused by the
// line limit; backslash lines that join into one logical line parse in linear time.
TEST(Parser, HostileInputIsBounded) {
  EXPECT_FALSE(parse_dockerfile(std::string(1 << 20, '\\')));
  std::string joined = "FROM a\nRUN x";
  for (int i = 0; i < 200000; ++i) joined += " \\\n";
  joined += "y\n";
  auto parsed = parse_dockerfile(joined);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->nodes[1].end_line, 200002);
  std::string nested = "FROM a\nCMD " + std::string(60000, '[') + "\n";
  auto deep = parse_dockerfile(nested);
  ASSERT_TRUE(deep);  // not JSON (too deep): shell form, as Go's decoder decides
  EXPECT_FALSE(deep->nodes[1].json);
  EXPECT_FALSE(parse_dockerfile(std::string(5 << 20, '#')));
  // A heredoc body past 1 MiB is refused with the instruction's line.
  std::string huge = "FROM a\nRUN <<EOF\n";
  for (int i = 0; i < 20000; ++i) huge += std::string(63, 'x') + "\n";
  huge += "EOF\n";
  auto body = parse_dockerfile(huge);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().message, "Dockerfile:2: heredoc larger than 1 MiB");
}

}  // namespace
}  // namespace pith::dockerfile
