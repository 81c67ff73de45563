// The files of an image container, whether a directory (oci layout) or an uncompressed tar
// (oci-archive, docker-archive): readers of both formats work on this one interface.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "oci/descriptor.h"
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
  // The blob `d` stored as `path`, as a stream that checks its size and digest; a missing file
  // is an error naming the blob (the layouts that keep blobs as files: OCI, skopeo's dir).
  Result<std::unique_ptr<ByteSource>> open_blob(const std::string& path, const oci::Descriptor& d);
};

// A directory. Every lookup is confined beneath it (openat2 RESOLVE_BENEATH): a symlink or
// ".." leading out of the directory is an error, never followed.
Result<std::unique_ptr<FileSet>> open_directory_files(const std::string& dir);

// A tar file, indexed once; members are read in place. A gzip- or zstd-compressed tar, which
// allows no random access, is read as a stream (open_streamed_archive), never spooled to disk.
Result<std::unique_ptr<FileSet>> open_tar_files(const std::string& path);

// Opens a fresh stream of the same archive each time it is called.
using ArchiveOpener = std::function<Result<std::unique_ptr<ByteSource>>()>;

// An archive that can only be streamed, as a FileSet. Opening reads the stream once to the
// end, recording every member and keeping the small ones (manifest.json, configs) in memory,
// and the first bytes of the others. A large member is read later from a new stream of the
// archive, skipped forward to it; a stream left after one member is reused for a later one,
// so members read in archive order cost one more stream in all. `streams_opened` (if given)
// counts the streams, for tests.
Result<std::unique_ptr<FileSet>> open_streamed_archive(
    ArchiveOpener open, std::string describe,
    std::shared_ptr<std::atomic<uint64_t>> streams_opened = nullptr);

}  // namespace pith::transport
