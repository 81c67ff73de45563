// The patterns of ${V#p} ${V%p} ${V/p/r}: BuildKit turns them into Go regular expressions
// (`*` any run, `?` one character, `\*` `\?` `\\` literal, no bracket classes); this matches
// them directly with Go's leftmost-first preference, on runes, `.` never matching a newline
// (as Go's regexp). The match is a table over (pattern, value): quadratic at worst and bounded
// by k_max_pattern_steps, never exponential backtracking.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace pith::dockerfile {

// ${V#p} (greedy: ##): value without its shortest (longest) prefix matching pattern.
Result<std::string> trim_prefix_pattern(std::string_view pattern, std::string_view value,
                                        bool greedy);
// ${V%p} (greedy: %%): value without its shortest (longest) suffix matching pattern.
Result<std::string> trim_suffix_pattern(std::string_view pattern, std::string_view value,
                                        bool greedy);
// ${V/p/r} (all: ${V//p/r}): the first (every) leftmost-longest match replaced.
Result<std::string> replace_pattern(std::string_view pattern, std::string_view replacement,
                                    std::string_view value, bool all);

}  // namespace pith::dockerfile
