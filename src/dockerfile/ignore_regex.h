// The regular expressions moby/patternmatcher makes of .dockerignore patterns, matched as Go's
// regexp matches them, without a general regex engine: a parser for the syntax those
// expressions can contain (literals, escapes, classes, `.`, `*`, `?`, `(.*/)?`, `^`, `$`) and
// a Thompson NFA, so matching is linear in the path for any pattern.
// Differences from Go's regexp, all in escapes no .dockerignore needs: \x.., octal, \p{..},
// \Q..\E, \b \B \A \z and POSIX [:classes:] are refused (the pattern is then bad, as an
// unknown escape is in Go).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pith::dockerfile {

class IgnoreRegex {
 public:
  // Errors: the messages Go's regexp.Compile would give for the same text, roughly.
  static Result<IgnoreRegex> compile(std::string_view expr);
  // Whether the whole text matches (the expression carries its own ^ and $).
  bool matches(std::string_view text) const;

  struct Program;  // the compiled NFA (defined in the .cc)

  IgnoreRegex(IgnoreRegex&&) noexcept;
  IgnoreRegex& operator=(IgnoreRegex&&) noexcept;
  ~IgnoreRegex();

 private:
  explicit IgnoreRegex(std::unique_ptr<Program> p);
  std::unique_ptr<Program> m_program;
};

}  // namespace pith::dockerfile
