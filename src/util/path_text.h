// A slash-separated path's last component and the part before it, as text (no file system
// access): what tar names and image paths are split with.
#pragma once

#include <string_view>

namespace pith {

// "a/b/c" -> "c"; "c" -> "c".
inline std::string_view path_base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// "a/b/c" -> "a/b"; "c" -> "".
inline std::string_view path_parent(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

}  // namespace pith
