// A run's upper directory as an OCI layer tar: what the RUN changed. overlayfs's marks become
// the layer's: a whiteout (0:0 character device) a ".wh.NAME" entry, an opaque directory a
// ".wh..wh..opq" entry, but only where a directory existed below (elsewhere the mark hides
// nothing and is dropped). Deterministic: each directory before its entries, entries sorted by
// the names the tar holds, hard links within the layer stored as links to the first name,
// owners as numbers, no trusted.overlay.* xattr, mtimes clamped to SOURCE_DATE_EPOCH if given.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runner/lower_view.h"
#include "util/byte_source.h"
#include "util/result.h"

namespace pith::runner {

struct LayerOptions {
  std::optional<int64_t> source_date_epoch;
  std::vector<std::string> skip;    // paths left out (the init layer's stubs), relative
  std::function<bool()> cancelled;  // asked before each entry: stop with an error
};

// Writes the tar of `upper` (not mounted any more) to `out`; `lowers` are the layers it was
// mounted on. Sockets are left out (a tar cannot hold one).
Result<void> write_upper_layer(const std::string& upper, const LowerView& lowers,
                               const LayerOptions& options, ByteSink& out);

}  // namespace pith::runner
