// Files: RAII descriptors, region readers, buffered writers, and outputs that appear under
// their final name only when complete (written to a temporary name, then renamed).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "util/byte_source.h"
#include "util/result.h"

namespace pith {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : m_fd(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      m_fd = o.release();
    }
    return *this;
  }
  int get() const { return m_fd; }
  int release() {
    int fd = m_fd;
    m_fd = -1;
    return fd;
  }
  void reset();
  explicit operator bool() const { return m_fd >= 0; }

 private:
  int m_fd = -1;
};

// errno as text, for "<context>: <cause>" messages.
std::string errno_text(int err);

Result<UniqueFd> open_read(const std::string& path);
Result<uint64_t> file_size(int fd);
Result<std::string> read_file(const std::string& path, uint64_t limit);
// Reads exactly `len` bytes at `offset`, or fails (truncated input).
Result<std::string> pread_exact(int fd, uint64_t offset, uint64_t len);

// Reads bytes [offset, offset+length) of a shared file descriptor with pread, so many
// readers (one per layer) can share one open archive.
class FileRegionSource final : public ByteSource {
 public:
  FileRegionSource(std::shared_ptr<UniqueFd> fd, uint64_t offset, uint64_t length)
      : m_fd(std::move(fd)), m_pos(offset), m_end(offset + length) {}
  Result<size_t> read(std::span<std::byte> out) override;

 private:
  std::shared_ptr<UniqueFd> m_fd;
  uint64_t m_pos;
  uint64_t m_end;
};

// Buffered writes to a descriptor it does not own.
class FdSink final : public ByteSink {
 public:
  explicit FdSink(int fd) : m_fd(fd) { m_buf.reserve(k_buffer); }
  ~FdSink() override = default;
  Result<void> write(std::span<const std::byte> data) override;
  Result<void> flush();

 private:
  static constexpr size_t k_buffer = 1 << 20;
  int m_fd;
  std::vector<std::byte> m_buf;
};

Result<void> write_all_fd(int fd, std::span<const std::byte> data);

// A file written under a hidden temporary name beside `path`; commit() syncs and renames it
// into place. Destroyed uncommitted, it removes the temporary file.
class AtomicFile {
 public:
  static Result<AtomicFile> create(const std::string& path, int mode = 0644);
  AtomicFile(AtomicFile&&) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  ~AtomicFile();

  ByteSink& sink() { return *m_sink; }
  int fd() const { return m_fd.get(); }
  Result<void> commit();

 private:
  AtomicFile(std::string path, std::string tmp, UniqueFd fd);
  std::string m_path;
  std::string m_tmp;
  UniqueFd m_fd;
  std::unique_ptr<FdSink> m_sink;
  bool m_done = false;
};

// Writes a whole small file atomically.
Result<void> write_file_atomic(const std::string& path, std::string_view data, int mode = 0644);

// A directory removed (recursively) on destruction unless released.
class TempDir {
 public:
  static Result<TempDir> create_beside(const std::string& path);
  TempDir(TempDir&&) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir();
  const std::string& path() const { return m_path; }
  // Keeps the directory (it was renamed into place).
  void release();

 private:
  explicit TempDir(std::string p) : m_path(std::move(p)) {}
  std::string m_path;
};

// Removes temporary outputs still registered when SIGINT/SIGTERM arrives, then re-raises.
void install_cleanup_on_signals();

}  // namespace pith
