// The programs an image's command runs, found in its root as runc would find them: the first
// word through the config's PATH, `env NAME`, and the simple commands of `sh -c "..."` (the
// shell form Dockerfiles write: CMD python3 app.py), each with its arguments, so the runtime
// rules see `python3 /app/main.py` behind `/bin/sh -c "exec python3 /app/main.py"`.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"
#include "util/root_dir.h"

namespace pith::slim {

struct Invocation {
  std::string program;            // absolute path in the root, as found (links not followed)
  std::vector<std::string> args;  // the words after it
};

// `argv`: the entrypoint and cmd as the container starts them; `env`: the config's; `workdir`:
// where a relative program name is looked up. The first word not found is an error naming it;
// a word of a shell command that names no file (a builtin, a function) is skipped.
Result<std::vector<Invocation>> invocations(const RootDir& root,
                                            const std::vector<std::string>& argv,
                                            const std::vector<std::string>& env,
                                            const std::string& workdir);

// The words of a shell command line's simple commands, split on ; & | && || ( ) and newlines,
// quotes removed (no expansion): `A=1 exec python3 "a b.py" && ls` gives
// {{"A=1", "exec", "python3", "a b.py"}, {"ls"}}. The reserved words of POSIX's compound
// commands are no command, where a shell recognises them (unquoted, first in a command): they
// are dropped, so `if [ -f a ]; then exec python3 a; fi` gives {{"[", "-f", "a", "]"},
// {"exec", "python3", "a"}}; the head of a `for` or `case` (`for f in a b`, `case $1 in x`)
// is dropped whole.
std::vector<std::vector<std::string>> shell_commands(const std::string& line);

}  // namespace pith::slim
