// OutputFiles into a directory and into a tar archive.
#include "transport/output_files.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <vector>

#include "util/file.h"

namespace pith::transport {

Result<void> OutputFiles::put(const std::string& path, std::string_view bytes) {
  MemorySource src{std::string(bytes)};
  return put(path, bytes.size(), src);
}

Result<void> TarFiles::add(const std::string& path, uint64_t size, ByteSource& content) {
  for (size_t pos = path.find('/'); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    std::string dir = path.substr(0, pos);
    if (!m_dirs.insert(dir).second) continue;
    tar::Entry d;
    d.path = dir;
    d.type = tar::EntryType::directory;
    d.mode = 0755;
    TRY(m_writer.add(d).wrap(dir));
  }
  tar::Entry e;
  e.path = path;
  e.type = tar::EntryType::regular;
  e.mode = 0644;
  e.size = size;
  TRY(m_writer.add(e, &content).wrap(path));
  m_written.insert(path);
  return {};
}

Result<bool> OutputFiles::put_then_name(const std::string& folder, ByteSource&,
                                        const std::function<Result<std::string>()>&) {
  return make_error(folder + ": this output needs a file's name before its content");
}

namespace {

// Counts bytes so a short or long stream is caught before it is published. A failed write
// names the file; a failed read (the source's own error, such as a digest mismatch) does not,
// since the temporary file means nothing to the user.
class CountingSink final : public ByteSink {
 public:
  CountingSink(ByteSink& inner, const std::string& path) : m_inner(inner), m_path(path) {}
  Result<void> write(std::span<const std::byte> data) override {
    m_count += data.size();
    return m_inner.write(data).wrap(m_path);
  }
  uint64_t count() const { return m_count; }

 private:
  ByteSink& m_inner;
  const std::string& m_path;
  uint64_t m_count = 0;
};

// Every file is made through a descriptor of the layout directory, its folders opened with
// RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS: an existing layout whose "blobs" is a symlink cannot
// make pith write outside it.
class DirectoryOutput final : public OutputFiles {
 public:
  DirectoryOutput(std::string final_dir, std::string work_dir, UniqueFd fd,
                  std::optional<TempDir> tmp, bool replace = false)
      : m_final(std::move(final_dir)),
        m_work(std::move(work_dir)),
        m_fd(std::move(fd)),
        m_tmp(std::move(tmp)),
        m_replace(replace) {}

  ~DirectoryOutput() override {
    if (m_committed) return;
    for (const auto& p : m_added) ::unlinkat(m_fd.get(), p.c_str(), 0);
  }

  // A regular file there (a symlink in its place is not one: it is replaced when written).
  bool exists(const std::string& path) const override {
    struct stat st {};
    auto dir = folder(path, false);
    return dir && *dir &&
           ::fstatat(dir->get(), base_name(path).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
           S_ISREG(st.st_mode);
  }

  Result<void> put(const std::string& path, uint64_t size, ByteSource& content) override {
    std::string full = m_work + "/" + path;
    UniqueFd dir = TRY(folder(path, true));
    bool existed = exists(path);
    // Each put writes its own temporary file (a random name), renamed into place when whole:
    // two threads writing the same blob both rename the same bytes.
    AtomicFile f = TRY(AtomicFile::create_at(dir.get(), base_name(path), full));
    CountingSink counted(f.sink(), full);
    TRY(pump(content, counted));
    if (counted.count() != size)
      return make_error(full + ": expected " + std::to_string(size) + " bytes, got " +
                        std::to_string(counted.count()));
    TRY(f.commit());
    if (!existed && !m_tmp) {
      std::lock_guard lock(m_mutex);
      m_added.push_back(path);
    }
    return {};
  }

  bool names_after_writing() const override { return true; }

  Result<bool> put_then_name(const std::string& folder_path, ByteSource& content,
                             const std::function<Result<std::string>()>& name) override {
    std::string prefix = folder_path.empty() ? "" : folder_path + "/";
    UniqueFd dir = TRY(folder(prefix, true));
    std::string shown = m_work + "/" + prefix + "(a new file)";
    AtomicFile f = TRY(AtomicFile::create_at(dir.get(), "new", shown));
    CountingSink counted(f.sink(), shown);
    TRY(pump(content, counted));
    std::string path = TRY(name());
    if (path.substr(0, path.rfind('/') + 1) != prefix)
      return make_error(m_work + "/" + path + ": not in " + m_work + "/" + prefix);
    if (exists(path)) return false;  // the temporary file goes with `f`
    TRY(f.commit_as(base_name(path), m_work + "/" + path));
    if (!m_tmp) {
      std::lock_guard lock(m_mutex);
      m_added.push_back(path);
    }
    return true;
  }

  bool parallel_puts() const override { return true; }

  Result<void> commit() override {
    if (m_tmp && m_replace) {
      // The new directory and the old one swap names at once; the temporary name, now the
      // old directory's, is removed with it.
      if (::renameat2(AT_FDCWD, m_work.c_str(), AT_FDCWD, m_final.c_str(), RENAME_EXCHANGE) != 0)
        return make_error(m_final + ": rename: " + errno_text(errno));
      m_committed = true;
      return m_tmp->remove();
    }
    if (m_tmp) {
      if (::rename(m_work.c_str(), m_final.c_str()) != 0)
        return make_error(m_final + ": rename: " + errno_text(errno));
      m_tmp->release();
    }
    m_committed = true;
    return {};
  }

 private:
  static std::string base_name(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
  }

  // The folder holding `path` inside the layout, made when `create`; an empty descriptor when
  // it is missing and not to be made. No symlink is followed on the way.
  Result<UniqueFd> folder(const std::string& path, bool create) const {
    UniqueFd dir(::dup(m_fd.get()));
    size_t start = 0;
    for (size_t slash = path.find('/'); slash != std::string::npos;
         start = slash + 1, slash = path.find('/', start)) {
      std::string name = path.substr(start, slash - start);
      open_how how{};
      how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
      how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
      long fd = ::syscall(SYS_openat2, dir.get(), name.c_str(), &how, sizeof how);
      if (fd < 0 && errno == ENOENT && create) {
        if (::mkdirat(dir.get(), name.c_str(), 0755) != 0 && errno != EEXIST)
          return make_error(m_work + "/" + path.substr(0, slash) + ": " + errno_text(errno));
        fd = ::syscall(SYS_openat2, dir.get(), name.c_str(), &how, sizeof how);
      }
      if (fd < 0) {
        if (errno == ENOENT && !create) return UniqueFd();
        return make_error(m_work + "/" + path.substr(0, slash) + ": " + errno_text(errno));
      }
      dir = UniqueFd(static_cast<int>(fd));
    }
    return dir;
  }

  std::string m_final;
  std::string m_work;
  UniqueFd m_fd;
  std::optional<TempDir> m_tmp;
  std::mutex m_mutex;                // guards m_added, the one state puts share
  std::vector<std::string> m_added;  // relative to m_fd
  bool m_replace = false;            // at commit, m_work takes m_final's place
  bool m_committed = false;
};

class TarOutput final : public OutputFiles {
 public:
  explicit TarOutput(AtomicFile file) : m_file(std::move(file)), m_files(m_file.sink()) {}

  bool exists(const std::string& path) const override { return m_files.contains(path); }

  Result<void> put(const std::string& path, uint64_t size, ByteSource& content) override {
    return m_files.add(path, size, content);
  }

  Result<void> commit() override {
    TRY(m_files.finish());
    return m_file.commit();
  }

 private:
  AtomicFile m_file;
  TarFiles m_files;
};

}  // namespace

Result<std::unique_ptr<OutputFiles>> open_directory_output(const std::string& dir) {
  std::error_code ec;
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) return make_error(dir + ": " + errno_text(errno));
    // Like skopeo, a layout may be created below folders that do not exist yet.
    auto parent = std::filesystem::path(dir).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) return make_error(dir + ": " + ec.message());
    TempDir tmp = TRY(TempDir::create_beside(dir));
    std::string work = tmp.path();
    UniqueFd fd(::open(work.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return make_error(work + ": " + errno_text(errno));
    return std::unique_ptr<OutputFiles>(std::make_unique<DirectoryOutput>(
        dir, work, std::move(fd), std::optional<TempDir>(std::move(tmp))));
  }
  // An existing directory is added to (a symlink to one is followed: the user named it).
  UniqueFd fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return make_error(dir + ": exists and is not a directory");
  return std::unique_ptr<OutputFiles>(
      std::make_unique<DirectoryOutput>(dir, dir, std::move(fd), std::nullopt));
}

Result<std::unique_ptr<OutputFiles>> open_directory_replacement(const std::string& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return make_error(dir + ": not a directory");
  TempDir tmp = TRY(TempDir::create_beside(dir));
  std::string work = tmp.path();
  UniqueFd fd(::open(work.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return make_error(work + ": " + errno_text(errno));
  return std::unique_ptr<OutputFiles>(std::make_unique<DirectoryOutput>(
      dir, work, std::move(fd), std::optional<TempDir>(std::move(tmp)), true));
}

Result<std::unique_ptr<OutputFiles>> open_tar_output(const std::string& path) {
  AtomicFile f = TRY(AtomicFile::create(path));
  return std::unique_ptr<OutputFiles>(std::make_unique<TarOutput>(std::move(f)));
}

}  // namespace pith::transport
