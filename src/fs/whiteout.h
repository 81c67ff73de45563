// The whiteout rule of OCI layers, in one place: what an entry's name asks whoever applies a
// layer (the squash, the unpacker) to do. ".wh.NAME" deletes NAME from the layers below,
// ".wh..wh..opq" empties its directory of what they put there, other ".wh..wh.*" names are
// aufs bookkeeping (never files). A whiteout that names nothing, the directory itself or its
// parent (".wh.", ".wh..", ".wh...") is refused: applied literally it deletes what holds it.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace pith::fs {

inline constexpr std::string_view k_whiteout_prefix = ".wh.";
inline constexpr std::string_view k_opaque_whiteout = ".wh..wh..opq";

enum class Marker {
  none,      // an ordinary entry
  whiteout,  // `target` is the path to delete
  opaque,    // `target` is the directory to empty ("" for the root)
  aufs,      // aufs bookkeeping, in the name or in a parent's name: skipped
};

struct Classified {
  Marker marker = Marker::none;
  std::string target;
};

// What the entry at `path` (normalised, as in tar::Entry) is. Errors for a whiteout whose
// target is "", "." or "..".
Result<Classified> classify(const std::string& path);

// True when the last component starts with ".wh." (a marker, not a file).
bool is_whiteout(std::string_view path);
// True when some component is aufs bookkeeping (".wh..wh.*" other than the opaque marker).
bool is_aufs_metadata(std::string_view path);

}  // namespace pith::fs
