// OutputFiles into a directory and into a tar archive.
#include "transport/output_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "tar/writer.h"
#include "util/file.h"

namespace pith::transport {

Result<void> OutputFiles::put(const std::string& path, std::string_view bytes) {
  MemorySource src{std::string(bytes)};
  return put(path, bytes.size(), src);
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

class DirectoryOutput final : public OutputFiles {
 public:
  DirectoryOutput(std::string final_dir, std::string work_dir, std::optional<TempDir> tmp)
      : m_final(std::move(final_dir)), m_work(std::move(work_dir)), m_tmp(std::move(tmp)) {}

  ~DirectoryOutput() override {
    if (m_committed) return;
    for (const auto& p : m_added) ::unlink(p.c_str());
  }

  bool exists(const std::string& path) const override {
    return std::filesystem::exists(m_work + "/" + path);
  }

  Result<void> put(const std::string& path, uint64_t size, ByteSource& content) override {
    std::string full = m_work + "/" + path;
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(full).parent_path(), ec);
    if (ec) return make_error(full + ": " + ec.message());
    bool existed = std::filesystem::exists(full);
    // Each put writes its own temporary file (a random name), renamed into place when whole:
    // two threads writing the same blob both rename the same bytes.
    AtomicFile f = TRY(AtomicFile::create(full));
    CountingSink counted(f.sink(), full);
    TRY(pump(content, counted));
    if (counted.count() != size)
      return make_error(full + ": expected " + std::to_string(size) + " bytes, got " +
                        std::to_string(counted.count()));
    TRY(f.commit());
    if (!existed && !m_tmp) {
      std::lock_guard lock(m_mutex);
      m_added.push_back(full);
    }
    return {};
  }

  bool parallel_puts() const override { return true; }

  Result<void> commit() override {
    if (m_tmp) {
      if (::rename(m_work.c_str(), m_final.c_str()) != 0)
        return make_error(m_final + ": rename: " + errno_text(errno));
      m_tmp->release();
    }
    m_committed = true;
    return {};
  }

 private:
  std::string m_final;
  std::string m_work;
  std::optional<TempDir> m_tmp;
  std::mutex m_mutex;  // guards m_added, the one state puts share
  std::vector<std::string> m_added;
  bool m_committed = false;
};

class TarOutput final : public OutputFiles {
 public:
  explicit TarOutput(AtomicFile file) : m_file(std::move(file)), m_writer(m_file.sink()) {}

  bool exists(const std::string& path) const override { return m_written.count(path) != 0; }

  Result<void> put(const std::string& path, uint64_t size, ByteSource& content) override {
    // Parent directories first, as tar and skopeo write them.
    std::string dir;
    for (size_t pos = path.find('/'); pos != std::string::npos; pos = path.find('/', pos + 1)) {
      dir = path.substr(0, pos);
      if (m_dirs.insert(dir).second) {
        tar::Entry d;
        d.path = dir;
        d.type = tar::EntryType::directory;
        d.mode = 0755;
        TRY(m_writer.add(d));
      }
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

  Result<void> commit() override {
    TRY(m_writer.finish());
    return m_file.commit();
  }

 private:
  AtomicFile m_file;
  tar::Writer m_writer;
  std::set<std::string> m_written;
  std::set<std::string> m_dirs;
};

}  // namespace

Result<std::unique_ptr<OutputFiles>> open_directory_output(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    // Like skopeo, a layout may be created below folders that do not exist yet.
    auto parent = std::filesystem::path(dir).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) return make_error(dir + ": " + ec.message());
    TempDir tmp = TRY(TempDir::create_beside(dir));
    std::string work = tmp.path();
    return std::unique_ptr<OutputFiles>(
        std::make_unique<DirectoryOutput>(dir, work, std::optional<TempDir>(std::move(tmp))));
  }
  if (!std::filesystem::is_directory(dir, ec)) return make_error(dir + ": not a directory");
  return std::unique_ptr<OutputFiles>(std::make_unique<DirectoryOutput>(dir, dir, std::nullopt));
}

Result<std::unique_ptr<OutputFiles>> open_tar_output(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return make_error(path + ": is a directory");
  AtomicFile f = TRY(AtomicFile::create(path));
  return std::unique_ptr<OutputFiles>(std::make_unique<TarOutput>(std::move(f)));
}

}  // namespace pith::transport
