// BuildKit's shell lexer (frontend/dockerfile/shell/lex.go): quotes, escapes and variable
// substitution for the instructions BuildKit expands (ADD COPY ENV EXPOSE FROM LABEL
// STOPSIGNAL USER VOLUME WORKDIR ONBUILD ARG), never for RUN/CMD/ENTRYPOINT's shell form,
// which the shell in the image reads.
//
// Supported: $V ${V} ${V:-w} ${V-w} ${V:+w} ${V+w} ${V:?m} ${V?m} ${V#p} ${V##p} ${V%p}
// ${V%%p} ${V/p/r} ${V//p/r}; positional and special parameters ($1, $@, ...) are never set.
// One deliberate difference: BuildKit (since its "update env replacement efficiency" change)
// shares one word buffer between nested ${...}, so its word splitting of "a${b:-c}" yields
// only "c"; here nested words keep their own buffer and the result is "ac", as before that
// change and as bash.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pith::dockerfile {

// Variables in scope (names are case-sensitive on Linux).
using Vars = std::map<std::string, std::string, std::less<>>;

struct LexOptions {
  char escape = '\\';
  bool raw_quotes = false;           // keep quote characters in the output
  bool raw_escapes = false;          // keep escape characters in the output
  bool skip_unset_env = false;       // leave $V / ${V...} as written when V is unset
  bool skip_process_quotes = false;  // quotes are ordinary characters
};

struct Expansion {
  std::string word;                 // ProcessWord: the text with substitutions done
  std::vector<std::string> words;   // ProcessWords: split into words after substitution
  std::set<std::string> matched;    // variables that were set
  std::set<std::string> unmatched;  // variables referenced but unset
};

// Errors read like BuildKit's: `failed to process "<word>": <cause>`. Bounded: ${ nesting
// (k_max_substitution_depth), output size (k_max_expanded_bytes), pattern work.
Result<Expansion> expand(std::string_view word, const Vars& env, const LexOptions& options = {});

inline Result<std::string> process_word(std::string_view word, const Vars& env,
                                        const LexOptions& options = {}) {
  auto e = expand(word, env, options);
  if (!e) return std::move(e).error();
  return std::move(e->word);
}
inline Result<std::vector<std::string>> process_words(std::string_view word, const Vars& env,
                                                      const LexOptions& options = {}) {
  auto e = expand(word, env, options);
  if (!e) return std::move(e).error();
  return std::move(e->words);
}

}  // namespace pith::dockerfile
