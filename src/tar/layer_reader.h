// Streams the entries of a layer tar (any dialect libarchive reads: ustar, pax, GNU long
// names, sparse) from an uncompressed byte stream, without extracting anything.
#pragma once

#include <functional>
#include <optional>
#include <span>

#include "tar/entry.h"
#include "util/byte_source.h"
#include "util/result.h"

namespace pith::tar {

// An entry's data. As a ByteSource it yields every byte of the file, the holes of a sparse file
// as zeros; read_block() instead yields only the bytes stored, each run with its offset in the
// file, so that a sparse file can be written sparse (a 3 GiB hole costs nothing). Use one or
// the other for an entry.
class EntryContent : public ByteSource {
 public:
  struct Block {
    uint64_t offset;
    std::span<const std::byte> data;  // valid until the next call
  };
  // The next stored run, or nullopt at the end of the entry.
  virtual Result<std::optional<Block>> read_block() = 0;
};

// Called once per entry, in archive order. `content` yields the entry's data (regular files);
// the visitor may read it, partly or not at all. Returning an error stops the walk.
using EntryVisitor = std::function<Result<void>(const Entry& entry, EntryContent& content)>;

// Reads tar entries from `src` until the end-of-archive marker, then drains `src` to its end
// (so a hashing source underneath sees every byte, trailing padding included).
// Errors: "<path>: <why>" for a bad entry, or the archive's own error.
// Layers are plain tars (their compression is undone before, by compress/); `Filters::any`
// also reads bzip2, xz and lzma tarballs, which Dockerfile ADD extracts.
enum class Filters { none, any };
Result<void> for_each_entry(ByteSource& src, const EntryVisitor& visit,
                            Filters filters = Filters::none);

}  // namespace pith::tar
