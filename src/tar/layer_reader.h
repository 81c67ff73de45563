// Streams the entries of a layer tar (any dialect libarchive reads: ustar, pax, GNU long
// names, sparse) from an uncompressed byte stream, without extracting anything.
#pragma once

#include <functional>

#include "tar/entry.h"
#include "util/byte_source.h"
#include "util/result.h"

namespace pith::tar {

// Called once per entry, in archive order. `content` yields the entry's data (regular files);
// the visitor may read it, partly or not at all. Returning an error stops the walk.
using EntryVisitor = std::function<Result<void>(const Entry& entry, ByteSource& content)>;

// Reads tar entries from `src` until the end-of-archive marker, then drains `src` to its end
// (so a hashing source underneath sees every byte, trailing padding included).
// Errors: "<path>: <why>" for a bad entry, or the archive's own error.
Result<void> for_each_entry(ByteSource& src, const EntryVisitor& visit);

}  // namespace pith::tar
