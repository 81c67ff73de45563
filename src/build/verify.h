// The build's check of its own plan before anything is written: run-time rules that would keep
// the image from starting fail the build (`--no-verify` writes it anyway).
#pragma once

#include <string>
#include <vector>

#include "build/plan.h"
#include "lint/access.h"
#include "util/result.h"

namespace pith::build {

// A file the container must reach, and how.
struct Needed {
  std::string path;  // in the image, symlinks followed
  lint::Access access = lint::Access::read;
};

// Rule PL107: every `needed` file reachable by the config's `user` (resolved against the
// planned `passwd` and `group`). The error names the file, what the user cannot do on the
// way, and the ways out; `entrypoint` is the program as the user gave it (for the hint).
Result<void> verify_reachable(const Plan& plan, const std::string& user, const std::string& passwd,
                              const std::string& group, const std::vector<Needed>& needed,
                              const std::string& entrypoint);

}  // namespace pith::build
