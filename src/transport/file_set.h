// The files of an image container, whether a directory (oci layout) or an uncompressed tar
// (oci-archive, docker-archive): readers of both formats work on this one interface.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "util/byte_source.h"
#include "util/file.h"
#include "util/result.h"

namespace pith::transport {

class FileSet {
 public:
  virtual ~FileSet() = default;
  // Size of the regular file at `path` (relative, "/"-separated), or nullopt if absent.
  virtual Result<std::optional<uint64_t>> size(const std::string& path) = 0;
  virtual Result<std::unique_ptr<ByteSource>> open(const std::string& path) = 0;
  virtual std::string describe() const = 0;
  // True when size() and open() may be called, and the streams read, on several threads at
  // once (files read with pread); false for an archive read front to back as it streams.
  virtual bool parallel_reads() const { return false; }

  // Reads a small file whole; an absent file is an error.
  Result<std::string> read(const std::string& path, uint64_t limit);
};

// A directory. Every lookup is confined beneath it (openat2 RESOLVE_BENEATH): a symlink or
// ".." leading out of the directory is an error, never followed.
Result<std::unique_ptr<FileSet>> open_directory_files(const std::string& dir);

// A tar file, indexed once; members are read in place. A gzip- or zstd-compressed tar is first
// decompressed to an unlinked temporary file, since compressed tars allow no random access.
Result<std::unique_ptr<FileSet>> open_tar_files(const std::string& path);

}  // namespace pith::transport
