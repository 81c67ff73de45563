// Deterministic tar writer: ustar headers, with a pax extended header only where a field does
// not fit (long path or link, size >= 8 GiB, large ids, xattrs). The same entries in the same
// order give the same bytes: no atime/ctime, no host user names unless given.
#pragma once

#include <memory>

#include "tar/entry.h"
#include "util/byte_source.h"
#include "util/result.h"

namespace pith::tar {

class Writer {
 public:
  explicit Writer(ByteSink& out) : m_out(out) {}
  // Writes one entry. For regular files `content` must yield exactly entry.size bytes.
  // Directories are written with a trailing "/" in their name.
  Result<void> add(const Entry& entry, ByteSource* content = nullptr);
  // Writes the end-of-archive marker (two zero blocks).
  Result<void> finish();
  uint64_t bytes_written() const { return m_written; }

 private:
  Result<void> write(std::span<const std::byte> data);
  ByteSink& m_out;
  uint64_t m_written = 0;
  std::unique_ptr<std::byte[]> m_copy;  // every entry's content passes through, made once
};

}  // namespace pith::tar
