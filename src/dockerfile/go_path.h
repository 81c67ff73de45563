// Go's path rules that .dockerignore matching depends on: filepath.Clean, filepath.Dir and
// the syntax check of filepath.Match patterns (moby/patternmatcher refuses a pattern
// filepath.Match would refuse).
#pragma once

#include <string>
#include <string_view>

namespace pith::dockerfile {

// filepath.Clean on '/' paths: one slash between names, no "." names, ".." folded where
// possible, no trailing slash; "" becomes ".".
std::string clean_path(std::string_view path);
// filepath.Dir: everything but the last name, cleaned ("." when there is none).
std::string dir_path(std::string_view path);
// Whether filepath.Match accepts the pattern's syntax: classes non-empty and closed, ranges
// complete, no trailing backslash, valid UTF-8 in classes.
bool valid_match_pattern(std::string_view pattern);

}  // namespace pith::dockerfile
