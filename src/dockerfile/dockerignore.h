// .dockerignore as Docker and BuildKit read it: moby/patternmatcher's ignorefile.ReadAll
// (comments, blank lines, leading/trailing blanks, a UTF-8 BOM, `./` and leading slashes
// cleaned, `!` exceptions) and its PatternMatcher (Go filepath.Match globs plus `**`; the
// last pattern that matches decides; a path is excluded when it or a parent directory is,
// MatchesOrParentMatches).
//
// The Dockerfile and .dockerignore are never filtered out of what the builder *reads*: the
// frontend reads both itself, before and outside this filter (the docker CLI appends
// "!Dockerfile" and "!.dockerignore" to the patterns for the same reason; BuildKit reads the
// Dockerfile from a separate source). The filter still applies to them as COPY/ADD sources,
// as Docker's removeDockerfile does. That rule belongs to the caller that opens the context:
// it must read the Dockerfile and .dockerignore by path, never through `excluded`.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pith::dockerfile {

// ignorefile.ReadAll: the patterns of a .dockerignore, in order ("!x" for exceptions).
std::vector<std::string> read_dockerignore(std::string_view text);

// patternmatcher's compile(): how a cleaned pattern is matched ("exact", "prefix", "suffix" or
// "regexp") and, for "regexp", the expression it becomes.
struct IgnoreCompiled {
  std::string type;
  std::string regex;
};
IgnoreCompiled compile_ignore_pattern(std::string_view cleaned);

class IgnorePattern;

class IgnoreMatcher {
 public:
  // patternmatcher.New: patterns trimmed, cleaned, checked (filepath.Match syntax; "!" alone
  // is refused).
  static Result<IgnoreMatcher> create(const std::vector<std::string>& patterns);
  static Result<IgnoreMatcher> from_dockerignore(std::string_view text) {
    return create(read_dockerignore(text));
  }

  // MatchesOrParentMatches: whether the context path ("dir/file", no leading "./") is
  // excluded. Errors: a pattern whose expression does not compile (Go's ErrBadPattern).
  Result<bool> excluded(std::string_view path) const;

  // A walker that finds directory `dir` excluded may still have to enter it: when some
  // exception pattern lies below it (Docker's walker: an exception whose text starts with
  // "dir/"). Exceptions with wildcards above their last name are not seen, as in Docker.
  bool must_enter(std::string_view dir) const;

  bool has_exceptions() const { return m_exceptions; }
  size_t size() const { return m_patterns.size(); }

  IgnoreMatcher(IgnoreMatcher&&) noexcept;
  IgnoreMatcher& operator=(IgnoreMatcher&&) noexcept;
  ~IgnoreMatcher();

 private:
  IgnoreMatcher() = default;
  std::vector<std::unique_ptr<IgnorePattern>> m_patterns;
  bool m_exceptions = false;
};

}  // namespace pith::dockerfile
