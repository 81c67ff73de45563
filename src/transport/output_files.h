// Writing the files of an image container: into a directory (oci layout) or into a new tar
// (oci-archive, docker-archive). Nothing is visible under the final name before commit().
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <set>

#include "tar/writer.h"
#include "util/byte_source.h"
#include "util/result.h"

namespace pith::transport {

class OutputFiles {
 public:
  virtual ~OutputFiles() = default;
  // True if `path` exists already (written by this run, or present in an existing layout).
  virtual bool exists(const std::string& path) const = 0;
  // Writes `content` (exactly `size` bytes) as `path`.
  virtual Result<void> put(const std::string& path, uint64_t size, ByteSource& content) = 0;
  Result<void> put(const std::string& path, std::string_view bytes);
  // True where a file can be written before its name is known (a directory): see put_then_name.
  virtual bool names_after_writing() const { return false; }
  // Writes `content` into `folder` ("" for the top), then names it `name()` (a path in that
  // folder), asked once the last byte is read: a digest computed on the way. A file already
  // there under that name is kept (the same digest, the same bytes): false.
  virtual Result<bool> put_then_name(const std::string& folder, ByteSource& content,
                                     const std::function<Result<std::string>()>& name);
  // True when put() and exists() may run on several threads at once (files of a directory);
  // a tar is one stream, written one member after the other.
  virtual bool parallel_puts() const { return false; }
  // Makes everything visible under the destination name (after every put has returned).
  virtual Result<void> commit() = 0;
};

// The files of an image container as one tar stream (an archive on disk, a daemon's load
// request): each file's parent directories first (0755, as tar and skopeo write them), then the
// file (0644). Errors name the entry.
class TarFiles {
 public:
  explicit TarFiles(ByteSink& out) : m_writer(out) {}
  bool contains(const std::string& path) const { return m_written.count(path) != 0; }
  Result<void> add(const std::string& path, uint64_t size, ByteSource& content);
  Result<void> finish() { return m_writer.finish(); }

 private:
  tar::Writer m_writer;
  std::set<std::string> m_written;
  std::set<std::string> m_dirs;
};

// A directory. If `dir` does not exist, it is built beside under a temporary name and renamed
// at commit(); if it exists (a directory, or a symlink to one), files are added in place (each
// written to a temporary name and renamed, through descriptors that follow no symlink inside
// it), and files this run added are removed again if it never commits. Anything else there is
// an error.
Result<std::unique_ptr<OutputFiles>> open_directory_output(const std::string& dir);

// A directory that replaces `dir` (an existing directory, not a symlink) whole at commit(): it is
// built beside under a temporary name, then the two swap names at once and the old one is
// removed.
Result<std::unique_ptr<OutputFiles>> open_directory_replacement(const std::string& dir);

// A tar written to a temporary file beside `path` and renamed over it at commit(). `path` must
// not exist, or be a regular file or a symlink to one (util/file.h, output_file_path).
Result<std::unique_ptr<OutputFiles>> open_tar_output(const std::string& path);

}  // namespace pith::transport
