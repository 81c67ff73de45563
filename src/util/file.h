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

// Opens a regular file to read it. The open never blocks (O_NONBLOCK: a FIFO would wait for a
// writer), and anything but a regular file is refused before a byte is read (a FIFO or a
// device never ends).
Result<UniqueFd> open_read(const std::string& path);
// The same for a descriptor just opened (with O_NONBLOCK): an error unless a regular file.
Result<void> check_regular(int fd, const std::string& shown);
Result<uint64_t> file_size(int fd);
// A small file whole: a regular file, or a pipe or character device read to its end
// (`/dev/null`, `<(...)`); more than `limit` bytes is an error. Opening never blocks.
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
  // Small writes (tar headers) are gathered; a write of this size or more goes straight to
  // the file (a compressed run, a chunk of content): copying it through the buffer cost a
  // fresh megabyte of memory per sink, ~3 ms of page faults on the VMs measured.
  static constexpr size_t k_buffer = 64 << 10;
  int m_fd;
  std::vector<std::byte> m_buf;
};

Result<void> write_all_fd(int fd, std::span<const std::byte> data);

// A regular file's bytes mapped read-only: only the pages looked at are read, without the
// copy and the zero-filled buffer of read_file. For host files read once for a look at some of
// their bytes (an ELF file's headers and dynamic section); not for image content from a reader
// (a file truncated while mapped would fault on access, where read_file gives an error).
class MappedFile {
 public:
  static Result<MappedFile> open(const std::string& path);
  MappedFile(MappedFile&& o) noexcept;
  MappedFile& operator=(MappedFile&&) = delete;
  ~MappedFile();
  std::string_view bytes() const { return {static_cast<const char*>(m_data), m_size}; }

 private:
  MappedFile(void* data, size_t size) : m_data(data), m_size(size) {}
  void* m_data = nullptr;  // nullptr for an empty file (nothing to map)
  size_t m_size = 0;
};

// $TMPDIR, or /tmp.
std::string temp_directory();
// pith's folder of caches: $XDG_CACHE_HOME/pith, or ~/.cache/pith (/root/.cache/pith without
// a $HOME).
std::string cache_directory();
// An anonymous file in temp_directory() (O_TMPFILE): it never has a name, so nothing is left
// behind, even by SIGKILL.
Result<UniqueFd> anonymous_temp_file();

// Removes `name` in the directory `dir` (a descriptor), whatever it is: a directory goes with
// everything below it, however deep, holding at most two descriptors (down by name, up by
// ".."). Missing is fine; a failure names what could not be removed.
Result<void> remove_tree_at(int dir, const std::string& name);
Result<void> remove_tree(const std::string& path);
// Removes everything inside the directory `dir` (any descriptor of it, O_PATH included).
Result<void> empty_directory(int dir);

// Temporary outputs are named ".pith-tmp-<name>-<random>" and hold an flock while their process
// lives. This removes those in `dir` that no process holds any more (left by SIGKILL or a crash),
// owned by this user and untouched for a minute. Done once per directory per process, before
// pith puts a temporary file there.
void remove_stale_temporaries(const std::string& dir);

// Where failures to remove a temporary file or directory are reported (destructors cannot
// return them); the CLI prints them as warnings. Unset, they are dropped.
void set_cleanup_reporter(void (*report)(const std::string& message));

// Whether an output may be written at `path`: it must not exist, or be a regular file (which is
// replaced), or a symlink to one (the file it points to is replaced, the link kept). Anything
// else (a device, a FIFO, a directory, a dangling link) is an error. Returns the path to write.
Result<std::string> output_file_path(const std::string& path);

// A file written under a hidden temporary name beside `path`; commit() syncs and renames it
// into place. Destroyed uncommitted, it removes the temporary file. `path` is checked by
// output_file_path() first.
class AtomicFile {
 public:
  static Result<AtomicFile> create(const std::string& path, int mode = 0644);
  // The same inside the directory `dir` (a descriptor the caller keeps open): the temporary
  // file and `name` are both in it, whatever happens to paths meanwhile. `shown` names the
  // file in errors.
  static Result<AtomicFile> create_at(int dir, const std::string& name, const std::string& shown,
                                      int mode = 0644);
  AtomicFile(AtomicFile&&) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  ~AtomicFile();

  ByteSink& sink() { return *m_sink; }
  int fd() const { return m_fd.get(); }
  Result<void> commit();
  // Commits under another name in the same directory (one known only once the content is
  // written: a digest); `shown` names it in errors.
  Result<void> commit_as(const std::string& name, const std::string& shown);

 private:
  AtomicFile(int dir, std::string path, std::string tmp, std::string shown, UniqueFd fd);
  int m_dir;           // AT_FDCWD, or the directory given to create_at
  std::string m_path;  // relative to m_dir
  std::string m_tmp;   // relative to m_dir
  std::string m_shown;
  UniqueFd m_fd;
  std::unique_ptr<FdSink> m_sink;
  bool m_done = false;
};

// Writes a whole small file atomically.
Result<void> write_file_atomic(const std::string& path, std::string_view data, int mode = 0644);

// A directory removed (recursively) on destruction unless released; it holds its flock (see
// remove_stale_temporaries) while it lives.
class TempDir {
 public:
  // `mode` 0700 keeps other users out (an unpacked image may hold setuid files).
  static Result<TempDir> create_beside(const std::string& path, int mode = 0755);
  TempDir(TempDir&&) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir();
  const std::string& path() const { return m_path; }
  // Keeps the directory (it was renamed into place).
  void release();
  // Removes it now, reporting a failure (the destructor can only pass it to the reporter).
  Result<void> remove();

 private:
  TempDir(std::string p, UniqueFd lock) : m_path(std::move(p)), m_lock(std::move(lock)) {}
  std::string m_path;
  UniqueFd m_lock;
};

// Removes temporary outputs still registered when SIGINT/SIGTERM arrives, then re-raises.
void install_cleanup_on_signals();

}  // namespace pith
