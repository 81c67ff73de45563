// Heredocs against the cases of BuildKit's parser_heredoc_test.go (moby/buildkit at
// 73ed6825c4b7, Apache-2.0): its Dockerfile and expected heredocs, transcribed here as data.
#include <gtest/gtest.h>

#include "dockerfile/instructions.h"
#include "dockerfile/parser.h"

namespace pith::dockerfile {
namespace {

struct Want {
  std::string name;
  std::string content;
  bool expand = true;
  bool chomp = false;
  uint64_t fd = 0;
};

TEST(BuildkitHeredoc, ExtractsHeredocs) {
  const char* text = R"(
FROM alpine:3.6

ENV NAME=me

RUN ls

USER <<INVALID
INVALID

RUN <<EMPTY
EMPTY

RUN 3<<EMPTY2
EMPTY2

RUN "<<NOHEREDOC"

RUN <<INDENT
	foo
	bar
INDENT

RUN <<-UNINDENT
	baz
	quux
UNINDENT

RUN <<-UNINDENT2
	baz
	quux
	UNINDENT2

RUN <<-EXPAND
	expand $NAME
EXPAND

RUN <<-'NOEXPAND'
	don't expand $NAME
NOEXPAND

RUN <<COPY
echo hello world
echo foo bar
COPY

RUN <<COMMENT
# internal comment
echo hello world
echo foo bar # trailing comment
COMMENT

RUN --mount=type=cache,target=/foo <<MOUNT
echo hello
MOUNT

COPY <<FILE1 <<FILE2 /dest
content 1
FILE1
content 2
FILE2

COPY <<EOF /quotes
"foo"
'bar'
EOF

COPY <<X <<Y /dest
Y
X
X
Y

RUN <<COMPLEX python3
print('hello world')
COMPLEX

COPY <<file.txt /dest
hello world
file.txt

RUN <<eo'f'
echo foo
eof

RUN <<eo\'f
echo foo
eo'f

RUN <<'e'o\'f
echo foo
eo'f

RUN <<'one two'
echo bar
one two

RUN <<$EOF
$EOF

RUN <<  EOF
EOF

RUN <<  EOF  > foo
EOF
	)";
  std::vector<std::vector<Want>> want = {
      {},  // ENV
      {},  // RUN ls
      {},  // USER <<INVALID
      {},  // INVALID
      {{"EMPTY", ""}},
      {{"EMPTY2", "", true, false, 3}},
      {},  // RUN "<<NOHEREDOC"
      {{"INDENT", "\tfoo\n\tbar\n"}},
      {{"UNINDENT", "\tbaz\n\tquux\n", true, true}},
      {{"UNINDENT2", "\tbaz\n\tquux\n", true, true}},
      {{"EXPAND", "\texpand $NAME\n", true, true}},
      {{"NOEXPAND", "\tdon't expand $NAME\n", false, true}},
      {{"COPY", "echo hello world\necho foo bar\n"}},
      {{"COMMENT", "# internal comment\necho hello world\necho foo bar # trailing comment\n"}},
      {{"MOUNT", "echo hello\n"}},
      {{"FILE1", "content 1\n"}, {"FILE2", "content 2\n"}},
      {{"EOF", "\"foo\"\n'bar'\n"}},
      {{"X", "Y\n"}, {"Y", "X\n"}},
      {{"COMPLEX", "print('hello world')\n"}},
      {{"file.txt", "hello world\n"}},
      {{"eof", "echo foo\n", false}},
      {{"eo'f", "echo foo\n", true}},
      {{"eo'f", "echo foo\n", false}},
      {{"one two", "echo bar\n", false}},
      {{"$EOF", ""}},
      {{"EOF", ""}},
      {{"EOF", ""}},
  };
  auto parsed = parse_dockerfile(text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->nodes.size(), want.size() + 1);
  for (size_t i = 0; i < want.size(); ++i) {
    const Node& n = parsed->nodes[i + 1];
    SCOPED_TRACE(n.original);
    ASSERT_EQ(n.heredocs.size(), want[i].size());
    for (size_t k = 0; k < want[i].size(); ++k) {
      EXPECT_EQ(n.heredocs[k].name, want[i][k].name);
      EXPECT_EQ(n.heredocs[k].content, want[i][k].content);
      EXPECT_EQ(n.heredocs[k].expand, want[i][k].expand);
      EXPECT_EQ(n.heredocs[k].chomp, want[i][k].chomp);
      EXPECT_EQ(n.heredocs[k].fd, want[i][k].fd);
    }
  }
}

TEST(BuildkitHeredoc, NoneInExecForm) {
  auto parsed = parse_dockerfile(
      "\nFROM alpine:3.6\n\nRUN [\"whoami\"]\nRUN [\"<<EOF\"]\nRUN [\"<<'EOF'\"]\n\t");
  ASSERT_TRUE(parsed);
  for (size_t i = 1; i <= 3; ++i) EXPECT_TRUE(parsed->nodes[i].heredocs.empty());
}

TEST(BuildkitHeredoc, Markers) {
  for (const char* src : {"<<EOF", "<<'EOF'", "<<\"EOF\"", "<<-EOF", "<<-'EOF'", "<<-\"EOF\"",
                          "<<EO\"F\"", "<< EOF", "<<- EOF"}) {
    auto h = parse_heredoc_marker(src);
    ASSERT_TRUE(h) << src;
    ASSERT_TRUE(*h) << src;
    EXPECT_EQ((*h)->name, "EOF") << src;
  }
  for (const char* src : {"<<'EOF", "<<\"EOF", "<<EOF'", "<<EOF\""}) {
    EXPECT_FALSE(parse_heredoc_marker(src)) << src;
  }
  for (const char* src : {"", "EOF", "<<", "<<-", "<EOF", "<<<EOF", "<<EOF sh"}) {
    auto h = parse_heredoc_marker(src);
    ASSERT_TRUE(h) << src;
    EXPECT_FALSE(*h) << src;
  }
}

TEST(BuildkitHeredoc, NamesFromLines) {
  struct Case {
    const char* line;
    std::vector<std::string> names;
  };
  for (const Case& c : std::vector<Case>{
           {"RUN <<EOF", {"EOF"}},
           {"RUN <<-EOF", {"EOF"}},
           // BuildKit's lexer keeps blanks after "<<" in the word, not after "<<-": the
           // line's words are "<<-" and "EOF", no heredoc (upstream's
           // loop over the heredocs found checks nothing here).
           {"RUN <<- EOF", {}},
           {"RUN << -EOF", {"-EOF"}},
           {"RUN <<'EOF'", {"EOF"}},
           {"RUN 4<<EOF", {"EOF"}},
           {"RUN <<EOF <<EOF2", {"EOF", "EOF2"}},
           {"RUN '<<EOF'", {}},
           {"RUN \"<<EOF\"", {}}}) {
    std::string text = std::string("FROM a\n") + c.line + "\n";
    for (const std::string& n : c.names) text += n + "\n";
    auto parsed = parse_dockerfile(text);
    ASSERT_TRUE(parsed) << c.line << ": " << parsed.error().message;
    std::vector<std::string> names;
    for (const Heredoc& h : parsed->nodes[1].heredocs) names.push_back(h.name);
    EXPECT_EQ(names, c.names) << c.line;
  }
  // ChompHeredocContent, through COPY.
  auto parsed = parse_dockerfile("FROM a\nCOPY <<-EOF /x\n\thello\n\tworld\nEOF\n");
  ASSERT_TRUE(parsed);
  auto ins = to_instructions(*parsed);
  ASSERT_TRUE(ins);
  EXPECT_EQ((*ins)[1].inline_sources[0].data, "hello\nworld\n");
}

}  // namespace
}  // namespace pith::dockerfile
