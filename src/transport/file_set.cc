// FileSet over a confined directory and over an indexed tar file.
#include "transport/file_set.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "compress/compression.h"
#include "oci/digest.h"
#include "tar/archive_index.h"

namespace pith::transport {

Result<std::string> FileSet::read(const std::string& path, uint64_t limit) {
  auto src = TRY(open(path));
  return TRY(read_all(*src, limit).wrap(describe() + ": " + path));
}

Result<std::unique_ptr<ByteSource>> FileSet::open_blob(const std::string& path,
                                                       const oci::Descriptor& d) {
  if (!TRY(size(path)))
    return make_error("blob " + d.digest.str() + ": missing from " + describe());
  auto raw = TRY(open(path));
  return oci::verifying(std::move(raw), d.digest, d.size, "blob " + d.digest.str());
}

namespace {

class DirectoryFiles final : public FileSet {
 public:
  DirectoryFiles(std::string dir, UniqueFd fd) : m_dir(std::move(dir)), m_fd(std::move(fd)) {}

  Result<std::optional<uint64_t>> size(const std::string& path) override {
    auto fd = TRY(open_beneath(path));
    if (!fd) return std::optional<uint64_t>{};
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return make_error(where(path) + ": " + errno_text(errno));
    if (!S_ISREG(st.st_mode)) return make_error(where(path) + ": not a regular file");
    return std::optional<uint64_t>(static_cast<uint64_t>(st.st_size));
  }

  Result<std::unique_ptr<ByteSource>> open(const std::string& path) override {
    auto fd = TRY(open_beneath(path));
    if (!fd) return make_error(where(path) + ": no such file");
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return make_error(where(path) + ": " + errno_text(errno));
    if (!S_ISREG(st.st_mode)) return make_error(where(path) + ": not a regular file");
    auto shared = std::make_shared<UniqueFd>(std::move(fd));
    return std::unique_ptr<ByteSource>(
        std::make_unique<FileRegionSource>(shared, 0, static_cast<uint64_t>(st.st_size)));
  }

  std::string describe() const override { return m_dir; }
  // Each open is its own descriptor (openat2 beneath the shared directory descriptor).
  bool parallel_reads() const override { return true; }

 private:
  std::string where(const std::string& path) const { return m_dir + "/" + path; }

  // An empty UniqueFd means "no such file".
  Result<UniqueFd> open_beneath(const std::string& path) {
    open_how how{};
    // O_NONBLOCK: a blob that is a FIFO must not block the open (the type is checked next).
    how.flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    long fd = ::syscall(SYS_openat2, m_fd.get(), path.c_str(), &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    if (errno == ENOENT || errno == ENOTDIR) return UniqueFd();
    if (errno == EXDEV) return make_error(where(path) + ": leads outside " + m_dir);
    return make_error(where(path) + ": " + errno_text(errno));
  }

  std::string m_dir;
  UniqueFd m_fd;
};

class TarFiles final : public FileSet {
 public:
  TarFiles(std::string path, std::shared_ptr<UniqueFd> fd, tar::ArchiveIndex index)
      : m_path(std::move(path)), m_fd(std::move(fd)), m_index(std::move(index)) {}

  Result<std::optional<uint64_t>> size(const std::string& path) override {
    const tar::Member* m = m_index.find_file(path);
    if (m == nullptr) return std::optional<uint64_t>{};
    return std::optional<uint64_t>(m->size);
  }

  Result<std::unique_ptr<ByteSource>> open(const std::string& path) override {
    const tar::Member* m = m_index.find_file(path);
    if (m == nullptr) return make_error(m_path + ": " + path + ": not in the archive");
    return std::unique_ptr<ByteSource>(
        std::make_unique<FileRegionSource>(m_fd, m->offset, m->size));
  }

  std::string describe() const override { return m_path; }
  // The index is only read once built; members are read with pread on the shared descriptor.
  bool parallel_reads() const override { return true; }

 private:
  std::string m_path;
  std::shared_ptr<UniqueFd> m_fd;
  tar::ArchiveIndex m_index;
};

}  // namespace

Result<std::unique_ptr<FileSet>> open_directory_files(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return make_error(dir + ": " + errno_text(errno));
  return std::unique_ptr<FileSet>(std::make_unique<DirectoryFiles>(dir, UniqueFd(fd)));
}

Result<std::unique_ptr<FileSet>> open_tar_files(const std::string& path) {
  UniqueFd fd = TRY(open_read(path));
  uint64_t size = TRY(file_size(fd.get()));
  std::string head = TRY(pread_exact(fd.get(), 0, std::min<uint64_t>(size, 8)).wrap(path));
  auto c = compress::detect(std::as_bytes(std::span(head.data(), head.size())));
  if (c != compress::Compression::none) {
    // A compressed tar allows no random access: it is read as a stream, as a daemon's export
    // is, and nothing is written to disk. A small archive that inflates to gigabytes costs
    // the time to inflate it, never the space.
    auto shared = std::make_shared<UniqueFd>(std::move(fd));
    ArchiveOpener open = [shared, size, c]() -> Result<std::unique_ptr<ByteSource>> {
      return compress::decompress(std::make_unique<FileRegionSource>(shared, 0, size), c);
    };
    return open_streamed_archive(std::move(open), path);
  }
  auto index = TRY(tar::ArchiveIndex::read(fd.get(), size).wrap(path));
  return std::unique_ptr<FileSet>(std::make_unique<TarFiles>(
      path, std::make_shared<UniqueFd>(std::move(fd)), std::move(index)));
}

}  // namespace pith::transport
