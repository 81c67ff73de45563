// Attack surface of a squashed tree: shells, package managers, setuid and world-writable
// files, and whether the configured user exists.
#pragma once

#include <string_view>

#include "fs/tree.h"
#include "report/model.h"

namespace pith::report {

// `passwd`: the final /etc/passwd ("" if absent).
Surface find_surface(const fs::Tree& tree, const std::string& user, std::string_view passwd);

}  // namespace pith::report
