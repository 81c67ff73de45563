// The bounds the Dockerfile frontend holds its input to. BuildKit has the first one; the others
// keep hostile input (megabytes of backslashes, ${ nested thousands deep, huge heredocs)
// linear in time and memory, far above anything a real Dockerfile needs.
#pragma once

#include <cstddef>

namespace pith::dockerfile {

// A Dockerfile (or .dockerignore) as a whole. Real ones are a few kilobytes.
inline constexpr size_t k_max_dockerfile_bytes = size_t{4} << 20;
// One physical line: BuildKit reads lines with Go's bufio.Scanner, whose token limit (64 KiB,
// the '\n' included) makes a longer line an error ("dockerfile line greater than max allowed
// size of 65535"); pith refuses the same lines with the same message.
inline constexpr size_t k_max_line_bytes = 65535;
// Heredoc bodies of one instruction, in all. BuildKit has no bound; 1 MiB keeps a build's
// cache keys and error messages sane.
inline constexpr size_t k_max_heredoc_bytes = size_t{1} << 20;
// ${...} nested inside ${...}: bash has no limit, BuildKit recurses without one. Real
// Dockerfiles nest two or three deep; past this the word is an error, not a stack overflow.
inline constexpr int k_max_substitution_depth = 64;
// JSON arrays nested in an exec form: Go's encoding/json stops at 10000 (the line is then not
// JSON and is read as shell form, as BuildKit does).
inline constexpr int k_max_json_depth = 10000;
// Steps of one ${V#p} / ${V/p/r} pattern match (pattern length times value length): the match
// is a table over both, so this bounds its memory and time.
inline constexpr size_t k_max_pattern_steps = size_t{1} << 22;
// Bytes one lexer call may produce: expansion can only copy variable values, but a value
// referenced a thousand times in one line is a thousand copies, and `ENV B=$A$A` line after
// line doubles. Real values are a few kilobytes (a certificate passed as a build arg).
inline constexpr size_t k_max_expanded_bytes = size_t{1} << 20;
// Bytes of all the variables of one stage's scope (StageScope), for the same reason.
inline constexpr size_t k_max_scope_bytes = size_t{16} << 20;
// Stages of one Dockerfile and instructions of one Dockerfile.
inline constexpr size_t k_max_stages = 1000;
inline constexpr size_t k_max_instructions = 100000;

}  // namespace pith::dockerfile
