// Dockerfile text -> instructions as BuildKit's frontend/dockerfile/parser reads them: parser
// directives at the top (escape, syntax, check), line continuations with the escape character
// (comment lines and blank lines inside a continuation are dropped, as BuildKit does), comments,
// builder flags (--name=value, kept as written), JSON (exec) or shell form, heredocs, and the
// original line numbers. Meaning (which flags an instruction takes, argument counts) is given
// by instructions.h; `dump` prints BuildKit's AST dump, the format of its parser test tables.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pith::dockerfile {

struct Heredoc {
  std::string name;     // the delimiter word, quotes removed
  uint64_t fd = 0;      // 3<<EOF: the file descriptor (0 when not given)
  bool expand = true;   // false when the delimiter was quoted: no substitution in the body
  bool chomp = false;   // <<-EOF: leading tabs are removed from the body's lines
  std::string content;  // the body, each line with its '\n'
};

// One instruction as BuildKit's parser reads it, before meaning is given to its words.
struct Node {
  std::string command;             // as written: "RUN", "from"
  std::vector<std::string> flags;  // "--from=build", "--link": quotes and escapes removed
  // The words after the flags, per command as BuildKit lays them out: the JSON items or the
  // shell text for RUN/CMD/ENTRYPOINT/SHELL; words for FROM/EXPOSE/COPY/ADD/VOLUME; key,
  // value, separator ("=" or "" for `ENV k v`) triples for ENV/LABEL; the words of ARG;
  // the type then the command for HEALTHCHECK; the text for USER/WORKDIR/STOPSIGNAL/MAINTAINER.
  std::vector<std::string> args;
  std::shared_ptr<Node> sub;  // ONBUILD: the instruction it wraps
  bool json = false;          // exec form (a JSON array of strings)
  bool unknown = false;       // not an instruction BuildKit knows: refused by instructions.h
  std::string original;       // the logical line, continuations joined
  int start_line = 0;         // 1-based, as BuildKit counts
  int end_line = 0;
  std::vector<Heredoc> heredocs;
};

struct Directive {
  std::string name;  // lower case: escape, syntax or check
  std::string value;
  int line = 0;
};

struct ParseWarning {
  int line = 0;
  std::string message;
};

struct ParsedDockerfile {
  std::vector<Node> nodes;
  char escape = '\\';
  std::vector<Directive> directives;   // `# syntax=` is kept as information only
  std::vector<ParseWarning> warnings;  // empty continuation lines, as BuildKit warns
};

// Errors are one line naming the file and line: "Dockerfile:7: unterminated heredoc".
// Input is held to k_max_dockerfile_bytes, lines to k_max_line_bytes, heredoc bodies to
// k_max_heredoc_bytes, instructions to k_max_instructions.
Result<ParsedDockerfile> parse_dockerfile(std::string_view text,
                                          std::string_view name = "Dockerfile");

// BuildKit's Node.Dump of one instruction ("(run \"make\")" without the parentheses) and of a
// whole file (one "(...)" line per instruction, as in testfiles/*/result, final '\n' included).
std::string dump(const Node& node);
std::string dump(const ParsedDockerfile& file);

// BuildKit's ParseHeredoc: the heredoc a word such as "<<EOF", "<<-'EOF'" or "3<<EOF" opens
// (nullopt if none; its content empty). Errors: a delimiter the shell lexer cannot read.
Result<std::optional<Heredoc>> parse_heredoc_marker(std::string_view word);

// The instruction line readers BuildKit applies to the words after the command; exposed for
// the instruction layer and tests. parse_words: BuildKit's parseWords (quotes kept).
std::vector<std::string> parse_words(std::string_view rest, char escape);

}  // namespace pith::dockerfile
