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

}  // namespace pith::slim
