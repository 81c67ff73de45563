// File helpers over POSIX descriptors.
#include "util/file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <random>
#include <set>

namespace pith {

namespace {

// Temporary paths alive right now, removed if the process is interrupted.
std::mutex g_tmp_mutex;
std::set<std::string> g_tmp_paths;

void register_tmp(const std::string& p) {
  std::lock_guard lock(g_tmp_mutex);
  g_tmp_paths.insert(p);
}
void unregister_tmp(const std::string& p) {
  std::lock_guard lock(g_tmp_mutex);
  g_tmp_paths.erase(p);
}

std::string random_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char k_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (int i = 0; i < 10; ++i) s.push_back(k_chars[rng() % 36]);
  return s;
}

std::string tmp_name_beside(const std::string& path) {
  std::filesystem::path p(path);
  std::string dir = p.parent_path().string();
  std::string name = ".pith-tmp-" + p.filename().string() + "-" + random_suffix();
  return dir.empty() ? name : dir + "/" + name;
}

void on_signal(int sig) {
  // Not strictly async-signal-safe (set traversal), but the process is about to die and the
  // alternative is a stray temporary file.
  for (const auto& p : g_tmp_paths) {
    if (::unlink(p.c_str()) != 0) {
      std::error_code ec;
      std::filesystem::remove_all(p, ec);
    }
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

void UniqueFd::reset() {
  if (m_fd >= 0) ::close(m_fd);
  m_fd = -1;
}

std::string errno_text(int err) {
  return std::strerror(err);
}

Result<UniqueFd> open_read(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(path + ": " + errno_text(errno));
  return UniqueFd(fd);
}

Result<uint64_t> file_size(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return make_error("fstat: " + errno_text(errno));
  return static_cast<uint64_t>(st.st_size);
}

Result<std::string> pread_exact(int fd, uint64_t offset, uint64_t len) {
  std::string out(len, '\0');
  uint64_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd, out.data() + done, len - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error("read: " + errno_text(errno));
    }
    if (n == 0) return make_error("unexpected end of file");
    done += static_cast<uint64_t>(n);
  }
  return out;
}

Result<std::string> read_file(const std::string& path, uint64_t limit) {
  UniqueFd fd = TRY(open_read(path));
  uint64_t size = TRY(file_size(fd.get()));
  if (size > limit)
    return make_error(path + ": " + std::to_string(size) + " bytes is over the limit of " +
                      std::to_string(limit));
  return TRY(pread_exact(fd.get(), 0, size).wrap(path));
}

Result<size_t> FileRegionSource::read(std::span<std::byte> out) {
  if (m_pos >= m_end) return size_t{0};
  size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), m_end - m_pos));
  for (;;) {
    ssize_t n = ::pread(m_fd->get(), out.data(), want, static_cast<off_t>(m_pos));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error("read: " + errno_text(errno));
    if (n == 0) return make_error("unexpected end of file");
    m_pos += static_cast<uint64_t>(n);
    return static_cast<size_t>(n);
  }
}

Result<void> write_all_fd(int fd, std::span<const std::byte> data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error("write: " + errno_text(errno));
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

Result<void> FdSink::write(std::span<const std::byte> data) {
  if (m_buf.size() + data.size() > k_buffer) {
    TRY(flush());
    if (data.size() >= k_buffer) return write_all_fd(m_fd, data);
  }
  m_buf.insert(m_buf.end(), data.begin(), data.end());
  return {};
}

Result<void> FdSink::flush() {
  TRY(write_all_fd(m_fd, m_buf));
  m_buf.clear();
  return {};
}

AtomicFile::AtomicFile(std::string path, std::string tmp, UniqueFd fd)
    : m_path(std::move(path)), m_tmp(std::move(tmp)), m_fd(std::move(fd)) {
  m_sink = std::make_unique<FdSink>(m_fd.get());
}

AtomicFile::AtomicFile(AtomicFile&& o) noexcept
    : m_path(std::move(o.m_path)),
      m_tmp(std::move(o.m_tmp)),
      m_fd(std::move(o.m_fd)),
      m_sink(std::move(o.m_sink)),
      m_done(o.m_done) {
  o.m_done = true;
}

Result<AtomicFile> AtomicFile::create(const std::string& path, int mode) {
  std::string tmp = tmp_name_beside(path);
  register_tmp(tmp);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    unregister_tmp(tmp);
    return make_error(path + ": cannot create: " + errno_text(errno));
  }
  return AtomicFile(path, tmp, UniqueFd(fd));
}

AtomicFile::~AtomicFile() {
  if (!m_done) {
    ::unlink(m_tmp.c_str());
    unregister_tmp(m_tmp);
  }
}

Result<void> AtomicFile::commit() {
  TRY(m_sink->flush().wrap(m_path));
  if (::fsync(m_fd.get()) != 0) return make_error(m_path + ": fsync: " + errno_text(errno));
  m_fd.reset();
  if (::rename(m_tmp.c_str(), m_path.c_str()) != 0)
    return make_error(m_path + ": rename: " + errno_text(errno));
  unregister_tmp(m_tmp);
  m_done = true;
  return {};
}

Result<void> write_file_atomic(const std::string& path, std::string_view data, int mode) {
  AtomicFile f = TRY(AtomicFile::create(path, mode));
  TRY(f.sink().write(data).wrap(path));
  return f.commit();
}

Result<TempDir> TempDir::create_beside(const std::string& path) {
  std::string tmp = tmp_name_beside(path);
  if (::mkdir(tmp.c_str(), 0755) != 0)
    return make_error(path + ": cannot create a directory beside it: " + errno_text(errno));
  register_tmp(tmp);
  return TempDir(tmp);
}

TempDir::TempDir(TempDir&& o) noexcept : m_path(std::move(o.m_path)) {
  o.m_path.clear();
}

void TempDir::release() {
  unregister_tmp(m_path);
  m_path.clear();
}

TempDir::~TempDir() {
  if (m_path.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(m_path, ec);
  unregister_tmp(m_path);
}

void install_cleanup_on_signals() {
  ::signal(SIGINT, on_signal);
  ::signal(SIGTERM, on_signal);
  ::signal(SIGHUP, on_signal);
}

}  // namespace pith
