// File helpers over POSIX descriptors.
#include "util/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <random>
#include <set>

namespace pith {

namespace {

constexpr std::string_view k_tmp_prefix = ".pith-tmp-";
// A stale temporary must be this old: the moment between creating a temporary file and
// locking it must never look like a dead owner.
constexpr int k_stale_seconds = 60;

// Temporary paths alive right now, removed if the process is interrupted.
std::mutex g_tmp_mutex;
std::set<std::string> g_tmp_paths;
void (*g_cleanup_reporter)(const std::string&) = nullptr;

void register_tmp(const std::string& p) {
  std::lock_guard lock(g_tmp_mutex);
  g_tmp_paths.insert(p);
}
void unregister_tmp(const std::string& p) {
  std::lock_guard lock(g_tmp_mutex);
  g_tmp_paths.erase(p);
}

void report_cleanup(const std::string& message) {
  if (g_cleanup_reporter) g_cleanup_reporter(message);
}

std::string random_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char k_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (int i = 0; i < 10; ++i) s.push_back(k_chars[rng() % 36]);
  return s;
}

std::string dir_of(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

std::string tmp_name(const std::string& name) {
  return std::string(k_tmp_prefix) + name + "-" + random_suffix();
}

std::string tmp_name_beside(const std::string& path) {
  std::filesystem::path p(path);
  std::string dir = p.parent_path().string();
  std::string name = tmp_name(p.filename().string());
  return dir.empty() ? name : dir + "/" + name;
}

void on_signal(int sig) {
  // Not async-signal-safe (set traversal, allocation), but the process is about to die and
  // the alternative is a stray temporary file (which the next run would remove anyway: its
  // lock dies with this process).
  for (const auto& p : g_tmp_paths) {
    if (::unlink(p.c_str()) != 0) (void)remove_tree(p);
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// Unlinks every non-directory in the directory `dir` (an O_RDONLY descriptor) and returns the
// names of its subdirectories.
Result<std::vector<std::string>> clear_files(int dir) {
  int fd = ::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return make_error(errno_text(errno));
  std::unique_ptr<DIR, int (*)(DIR*)> d(::fdopendir(fd), ::closedir);
  if (!d) {
    ::close(fd);
    return make_error(errno_text(errno));
  }
  std::vector<std::string> subdirs;
  while (const dirent* e = ::readdir(d.get())) {
    std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st {};
      if (::fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      is_dir = S_ISDIR(st.st_mode);
    }
    if (is_dir)
      subdirs.emplace_back(n);
    else if (::unlinkat(dir, e->d_name, 0) != 0 && errno != ENOENT)
      return make_error(std::string(n) + ": " + errno_text(errno));
  }
  return subdirs;
}

// Opens the subdirectory `name` of `dir` to empty it; one we cannot read (mode 000 in a layer,
// for a user without CAP_DAC_OVERRIDE) is made ours to read first.
UniqueFd open_subdir(int dir, const std::string& name) {
  UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd && errno == EACCES && ::fchmodat(dir, name.c_str(), 0700, 0) == 0)
    fd = UniqueFd(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  return fd;
}

// Empties the directory open as `top`: down by name, up by "..", each directory's remaining
// subdirectories remembered, so no recursion and at most two descriptors however deep it goes.
// Errors name the path below `top`.
Result<void> empty_open_dir(UniqueFd top) {
  struct Frame {
    std::string name;  // in its parent ("" for the top)
    std::vector<std::string> subdirs;
    dev_t dev;
    ino_t ino;
  };
  auto path_of = [](const std::vector<Frame>& stack, const std::string& last) {
    std::string p;
    for (size_t i = 1; i < stack.size(); ++i) p += stack[i].name + "/";
    return p + last;
  };
  auto frame = [](const std::string& name, int fd) -> Result<Frame> {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return make_error(errno_text(errno));
    auto subdirs = TRY(clear_files(fd));
    return Frame{name, std::move(subdirs), st.st_dev, st.st_ino};
  };
  UniqueFd cur = std::move(top);
  std::vector<Frame> stack;
  stack.push_back(TRY(frame("", cur.get())));
  for (;;) {
    Frame& f = stack.back();
    if (!f.subdirs.empty()) {
      std::string sub = std::move(f.subdirs.back());
      f.subdirs.pop_back();
      UniqueFd next = open_subdir(cur.get(), sub);
      if (!next) {
        if (errno == ENOENT) continue;
        return make_error(path_of(stack, sub) + ": " + errno_text(errno));
      }
      auto below = frame(sub, next.get());
      if (!below) return make_error(path_of(stack, sub) + ": " + below.error().message);
      cur = std::move(next);
      stack.push_back(std::move(*below));
      continue;
    }
    if (stack.size() == 1) return {};
    std::string done = std::move(f.name);
    stack.pop_back();
    UniqueFd up(::openat(cur.get(), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    struct stat st {};
    if (!up || ::fstat(up.get(), &st) != 0)
      return make_error(path_of(stack, done) + "/..: " + errno_text(errno));
    // ".." is the directory we came from unless someone moved it meanwhile: then stop.
    if (st.st_dev != stack.back().dev || st.st_ino != stack.back().ino)
      return make_error(path_of(stack, done) + ": moved while being removed");
    cur = std::move(up);
    if (::unlinkat(cur.get(), done.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
      return make_error(path_of(stack, done) + ": " + errno_text(errno));
  }
}

}  // namespace

void UniqueFd::reset() {
  if (m_fd >= 0) ::close(m_fd);
  m_fd = -1;
}

std::string errno_text(int err) {
  return std::strerror(err);
}

Result<void> check_regular(int fd, const std::string& shown) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return make_error(shown + ": " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) return make_error(shown + ": not a regular file");
  return {};
}

Result<UniqueFd> open_read(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return make_error(path + ": " + errno_text(errno));
  UniqueFd out(fd);
  TRY(check_regular(out.get(), path));
  return out;
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
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return make_error(path + ": " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return make_error(path + ": " + errno_text(errno));
  if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
    // A pipe (`--authfile <(...)`) or /dev/null: read to its end, never past the limit (so
    // /dev/zero fails). Opening did not wait; reading may, for a writer that has the pipe open.
    ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
    std::string out;
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return make_error(path + ": " + errno_text(errno));
      if (n == 0) return out;
      out.append(buf, static_cast<size_t>(n));
      if (out.size() > limit)
        return make_error(path + ": over the limit of " + std::to_string(limit) + " bytes");
    }
  }
  if (!S_ISREG(st.st_mode)) return make_error(path + ": not a regular file");
  uint64_t size = static_cast<uint64_t>(st.st_size);
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

std::string temp_directory() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

Result<MappedFile> MappedFile::open(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return make_error(path + ": " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return make_error(path + ": " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) return make_error(path + ": not a regular file");
  if (st.st_size == 0) return MappedFile(nullptr, 0);
  void* data =
      ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (data == MAP_FAILED) return make_error(path + ": " + errno_text(errno));
  return MappedFile(data, static_cast<size_t>(st.st_size));
}

MappedFile::MappedFile(MappedFile&& o) noexcept : m_data(o.m_data), m_size(o.m_size) {
  o.m_data = nullptr;
  o.m_size = 0;
}

MappedFile::~MappedFile() {
  if (m_data) ::munmap(m_data, m_size);
}

std::string cache_directory() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  std::string base = xdg && *xdg ? xdg : std::string(home && *home ? home : "/root") + "/.cache";
  return base + "/pith";
}

Result<UniqueFd> anonymous_temp_file() {
  std::string dir = temp_directory();
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(dir + ": cannot create a temporary file: " + errno_text(errno));
  return UniqueFd(fd);
}

Result<void> empty_directory(int dir) {
  UniqueFd fd(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return make_error(errno_text(errno));
  return empty_open_dir(std::move(fd));
}

Result<void> remove_tree_at(int dir, const std::string& name) {
  if (::unlinkat(dir, name.c_str(), 0) == 0 || errno == ENOENT) return {};
  if (errno != EISDIR && errno != EPERM) return make_error(name + ": " + errno_text(errno));
  UniqueFd fd = open_subdir(dir, name);
  if (!fd) {
    if (errno == ENOENT) return {};
    return make_error(name + ": " + errno_text(errno));
  }
  auto emptied = empty_open_dir(std::move(fd));
  if (!emptied) return make_error(name + "/" + emptied.error().message);
  if (::unlinkat(dir, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    return make_error(name + ": " + errno_text(errno));
  return {};
}

Result<void> remove_tree(const std::string& path) {
  std::filesystem::path p(path);
  std::string dir = dir_of(path);
  UniqueFd fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return {};
    return make_error(dir + ": " + errno_text(errno));
  }
  return remove_tree_at(fd.get(), p.filename().string()).wrap(dir);
}

void set_cleanup_reporter(void (*report)(const std::string& message)) {
  g_cleanup_reporter = report;
}

void remove_stale_temporaries(const std::string& dir) {
  static std::mutex mutex;
  static std::set<std::string> done;
  {
    std::lock_guard lock(mutex);
    if (!done.insert(dir).second) return;
  }
  UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dfd) return;
  UniqueFd listing(::dup(dfd.get()));
  DIR* d = listing ? ::fdopendir(listing.release()) : nullptr;
  if (!d) return;
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d))
    if (std::string_view(e->d_name).starts_with(k_tmp_prefix)) names.emplace_back(e->d_name);
  ::closedir(d);
  time_t now = ::time(nullptr);
  for (const auto& name : names) {
    UniqueFd fd(::openat(dfd.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0) continue;
    // Only what this user's pith left, untouched for a while, and whose lock died with it.
    if (st.st_uid != ::geteuid() || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))) continue;
    if (now - st.st_mtime < k_stale_seconds) continue;
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;
    auto removed = remove_tree_at(dfd.get(), name);
    if (!removed) report_cleanup(dir + "/" + removed.error().message);
  }
}

Result<std::string> output_file_path(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return path;
    return make_error(path + ": " + errno_text(errno));
  }
  if (S_ISREG(st.st_mode)) return path;
  if (!S_ISLNK(st.st_mode))
    return make_error(path + ": exists and is not a regular file (pith replaces only files)");
  // A link to a file (a dotfile kept elsewhere, say) keeps working: the file it points to is
  // replaced. A link to a device, a FIFO or a terminal (/proc/self/fd/1) is refused.
  std::error_code ec;
  auto target = std::filesystem::canonical(path, ec);
  if (ec) return make_error(path + ": a symbolic link to nothing usable (" + ec.message() + ")");
  if (::stat(target.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return make_error(path + ": a symbolic link to " + target.string() +
                      ", which is not a regular file");
  return target.string();
}

AtomicFile::AtomicFile(int dir, std::string path, std::string tmp, std::string shown, UniqueFd fd)
    : m_dir(dir),
      m_path(std::move(path)),
      m_tmp(std::move(tmp)),
      m_shown(std::move(shown)),
      m_fd(std::move(fd)) {
  m_sink = std::make_unique<FdSink>(m_fd.get());
}

AtomicFile::AtomicFile(AtomicFile&& o) noexcept
    : m_dir(o.m_dir),
      m_path(std::move(o.m_path)),
      m_tmp(std::move(o.m_tmp)),
      m_shown(std::move(o.m_shown)),
      m_fd(std::move(o.m_fd)),
      m_sink(std::move(o.m_sink)),
      m_done(o.m_done) {
  o.m_done = true;
}

Result<AtomicFile> AtomicFile::create(const std::string& path, int mode) {
  std::string target = TRY(output_file_path(path));
  remove_stale_temporaries(dir_of(target));
  std::string tmp = tmp_name_beside(target);
  register_tmp(tmp);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    unregister_tmp(tmp);
    return make_error(path + ": cannot create: " + errno_text(errno));
  }
  // The lock tells a later run that this file is alive (remove_stale_temporaries).
  ::flock(fd, LOCK_EX | LOCK_NB);
  return AtomicFile(AT_FDCWD, target, tmp, path, UniqueFd(fd));
}

Result<AtomicFile> AtomicFile::create_at(int dir, const std::string& name, const std::string& shown,
                                         int mode) {
  struct stat st {};
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode))
    return make_error(shown + ": exists and is not a regular file (pith replaces only files)");
  std::string tmp = tmp_name(name);
  int fd = ::openat(dir, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return make_error(shown + ": cannot create: " + errno_text(errno));
  ::flock(fd, LOCK_EX | LOCK_NB);
  return AtomicFile(dir, name, tmp, shown, UniqueFd(fd));
}

AtomicFile::~AtomicFile() {
  if (m_done) return;
  ::unlinkat(m_dir, m_tmp.c_str(), 0);
  if (m_dir == AT_FDCWD) unregister_tmp(m_tmp);
}

Result<void> AtomicFile::commit() {
  TRY(m_sink->flush().wrap(m_shown));
  if (::fsync(m_fd.get()) != 0) return make_error(m_shown + ": fsync: " + errno_text(errno));
  // Renamed while still open, so its lock covers it until it has its final name.
  if (::renameat(m_dir, m_tmp.c_str(), m_dir, m_path.c_str()) != 0)
    return make_error(m_shown + ": rename: " + errno_text(errno));
  m_fd.reset();
  if (m_dir == AT_FDCWD) unregister_tmp(m_tmp);
  m_done = true;
  return {};
}

Result<void> AtomicFile::commit_as(const std::string& name, const std::string& shown) {
  struct stat st {};
  if (::fstatat(m_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode))
    return make_error(shown + ": exists and is not a regular file (pith replaces only files)");
  m_path = name;
  m_shown = shown;
  return commit();
}

Result<void> write_file_atomic(const std::string& path, std::string_view data, int mode) {
  AtomicFile f = TRY(AtomicFile::create(path, mode));
  TRY(f.sink().write(data).wrap(path));
  return f.commit();
}

Result<TempDir> TempDir::create_beside(const std::string& path, int mode) {
  remove_stale_temporaries(dir_of(path));
  std::string tmp = tmp_name_beside(path);
  if (::mkdir(tmp.c_str(), static_cast<mode_t>(mode)) != 0)
    return make_error(path + ": cannot create a directory beside it: " + errno_text(errno));
  register_tmp(tmp);
  UniqueFd lock(::open(tmp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (lock) ::flock(lock.get(), LOCK_EX | LOCK_NB);
  return TempDir(tmp, std::move(lock));
}

TempDir::TempDir(TempDir&& o) noexcept : m_path(std::move(o.m_path)), m_lock(std::move(o.m_lock)) {
  o.m_path.clear();
}

void TempDir::release() {
  unregister_tmp(m_path);
  m_path.clear();
  m_lock.reset();
}

Result<void> TempDir::remove() {
  if (m_path.empty()) return {};
  auto removed = remove_tree(m_path);
  unregister_tmp(m_path);
  m_path.clear();
  m_lock.reset();
  return removed;
}

TempDir::~TempDir() {
  std::string path = m_path;
  auto removed = remove();
  if (!removed)
    report_cleanup("could not remove the temporary directory " + path + ": " +
                   removed.error().message);
}

void install_cleanup_on_signals() {
  ::signal(SIGINT, on_signal);
  ::signal(SIGTERM, on_signal);
  ::signal(SIGHUP, on_signal);
}

}  // namespace pith
