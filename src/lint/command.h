// How a runtime turns an image's command into the programs the kernel runs: the "#!" line of a
// script (its interpreter and the one argument after it), `env NAME` naming a program, and the
// directories of the PATH a bare name is looked up in.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pith::lint {

// Linux reads this much of a file to find its "#!" line (BINPRM_BUF_SIZE) and follows at most
// this many interpreters before ELOOP.
inline constexpr size_t k_shebang_bytes = 256;
inline constexpr int k_max_interpreters = 4;
// The longest single argument execve takes (MAX_ARG_STRLEN, 32 pages): a longer `sh -c` line
// never runs (E2BIG).
inline constexpr size_t k_max_arg_bytes = 128 << 10;

// A "#!" line split as the kernel splits it: the interpreter, then the rest as one argument.
struct Shebang {
  std::string interpreter;
  std::string argument;
};
// nullopt when `head` (a file's first bytes) does not start with "#!"; an empty interpreter
// when the line names none (the kernel answers ENOEXEC).
std::optional<Shebang> parse_shebang(std::string_view head);

// The program `env ARGUMENT` runs: the first word that is no option and no NAME=VALUE
// (`#!/usr/bin/env -S python3 -u` runs python3); "" when none.
std::string env_program(std::string_view argument);

// The words of a shell command line's simple commands, split on ; & | && || ( ) and newlines,
// quotes removed (no expansion): `A=1 exec python3 "a b.py" && ls` gives
// {{"A=1", "exec", "python3", "a b.py"}, {"ls"}}. The reserved words of POSIX's compound
// commands are no command, where a shell recognises them (unquoted, first in a command): they
// are dropped, so `if [ -f a ]; then exec python3 a; fi` gives {{"[", "-f", "a", "]"},
// {"exec", "python3", "a"}}; the head of a `for` or `case` (`for f in a b`, `case $1 in x`)
// is dropped whole. A line longer than k_max_arg_bytes, which no shell is ever given (and a
// crafted config can hold 32 MiB of), gives none.
std::vector<std::vector<std::string>> shell_commands(const std::string& line);

// NAME=VALUE, as a shell or env takes it before the program.
bool is_assignment(std::string_view word);

// The index of the program among a simple command's words: past the assignments and the
// `exec` and `command` a shell runs it through; words.size() when there is none.
size_t program_word(const std::vector<std::string>& words);

// Whether dash and busybox's ash (Debian's and Alpine's /bin/sh) run `name` themselves: POSIX's
// special and regular built-ins that both have.
bool shell_builtin(std::string_view name);

// The directories of the last PATH= among `env` ("NAME=VALUE" entries, in the order the image
// config lists them); runc's default PATH when there is none, as podman and Docker set it.
std::vector<std::string> path_dirs(const std::vector<std::string>& env);
inline constexpr std::string_view k_default_path =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

}  // namespace pith::lint
