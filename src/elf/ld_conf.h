// /etc/ld.so.conf as ldconfig reads it: one directory a line, `include` globs (relative ones
// from the including file's folder), `hwcap` lines and comments ignored.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "elf/loader_root.h"
#include "util/result.h"

namespace pith::elf {

// The directories ROOT's /etc/ld.so.conf lists, includes expanded in place, in order, each once.
// A missing file gives none; an unreadable one is an error.
Result<std::vector<std::string>> read_ld_so_conf(const LoaderRoot& root);

// The directories of one configuration text; `include` patterns are returned in `includes`
// (absolute, resolved against `dir`, the folder of the file the text came from).
void parse_ld_so_conf(std::string_view text, const std::string& dir, std::vector<std::string>* dirs,
                      std::vector<std::string>* includes);

// Paths inside ROOT matching a glob (`*`, `?`, `[...]` in any component), sorted per folder.
std::vector<std::string> glob_in_root(const LoaderRoot& root, const std::string& pattern);

}  // namespace pith::elf
