// The rootfs transport. A directory is written once as a deterministic tar (sorted entries,
// its own owners, modes and mtimes) into an unlinked temporary file; a tarball is used as is.
#include "transport/rootfs_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "compress/compression.h"
#include "elf/dynamic.h"
#include "elf/file.h"
#include "oci/canonical_json.h"
#include "oci/manifest.h"
#include "tar/layer_reader.h"
#include "tar/writer.h"
#include "util/file.h"

namespace pith::transport {

namespace {

namespace fs = std::filesystem;

// Writes the tree under `root` as a tar, entries sorted by path, hard links preserved.
Result<void> write_directory_tar(const std::string& root, ByteSink& out) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end; it != end;
       it.increment(ec)) {
    if (ec) return make_error(root + ": " + ec.message());
    // Lexically: fs::relative would resolve symlinks, which must be stored as they are.
    paths.push_back(it->path().lexically_relative(root).string());
  }
  if (ec) return make_error(root + ": " + ec.message());
  std::sort(paths.begin(), paths.end());

  tar::Writer writer(out);
  std::map<std::pair<dev_t, ino_t>, std::string> seen_inodes;
  for (const auto& rel : paths) {
    std::string full = root + "/" + rel;
    struct stat st {};
    if (::lstat(full.c_str(), &st) != 0) return make_error(full + ": " + errno_text(errno));
    tar::Entry e;
    e.path = rel;
    e.mode = st.st_mode & 07777;
    e.uid = st.st_uid;
    e.gid = st.st_gid;
    e.mtime = st.st_mtime;
    std::unique_ptr<ByteSource> content;
    if (S_ISDIR(st.st_mode)) {
      e.type = tar::EntryType::directory;
    } else if (S_ISLNK(st.st_mode)) {
      e.type = tar::EntryType::symlink;
      std::error_code lec;
      e.link_target = fs::read_symlink(full, lec).string();
      if (lec) return make_error(full + ": " + lec.message());
    } else if (S_ISREG(st.st_mode)) {
      auto key = std::make_pair(st.st_dev, st.st_ino);
      auto [it, inserted] = seen_inodes.emplace(key, rel);
      if (!inserted && st.st_nlink > 1) {
        e.type = tar::EntryType::hardlink;
        e.link_target = it->second;
      } else {
        e.type = tar::EntryType::regular;
        e.size = static_cast<uint64_t>(st.st_size);
        auto fd = TRY(open_read(full));
        content = std::make_unique<FileRegionSource>(std::make_shared<UniqueFd>(std::move(fd)), 0,
                                                     e.size);
      }
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      e.type = S_ISCHR(st.st_mode) ? tar::EntryType::char_device : tar::EntryType::block_device;
      e.dev_major = major(st.st_rdev);
      e.dev_minor = minor(st.st_rdev);
    } else if (S_ISFIFO(st.st_mode)) {
      e.type = tar::EntryType::fifo;
    } else {
      continue;  // sockets have no tar form
    }
    TRY(writer.add(e, content.get()).wrap(full));
  }
  return writer.finish();
}

// Counts the ELF files of a root by the architecture they are built for.
class ArchitectureTally {
 public:
  Result<void> add(const tar::Entry& e, ByteSource& content) {
    if (e.type != tar::EntryType::regular || e.size < 64) return {};
    std::byte head[64];
    size_t got = TRY(read_up_to(content, head));
    std::string_view bytes(reinterpret_cast<const char*>(head), got);
    if (!elf::has_elf_magic(bytes)) return {};
    auto header = elf::File::parse_header(bytes);
    if (!header) return {};
    std::string arch = elf::docker_architecture(header->machine(), header->is_64());
    if (!arch.empty()) ++m_counts[arch];
    return {};
  }

  // The platform to label the root with, as explained in rootfs_source.h.
  Result<oci::Platform> platform(const std::optional<oci::Platform>& wanted,
                                 const std::string& where) const {
    if (m_counts.empty()) return wanted.value_or(oci::Platform::host());
    std::string found;
    size_t most = 0;
    for (const auto& [arch, n] : m_counts)
      if (n > most) found = arch, most = n;
    if (!wanted) return oci::Platform{"linux", found, "", ""};
    if (wanted->os != "linux" || !m_counts.count(wanted->architecture))
      return make_error("--platform " + wanted->str() + ": the ELF files of " + where +
                        " are built for " + summary());
    return *wanted;  // its variant kept: the ELF header does not tell v7 from v6
  }

 private:
  static Result<size_t> read_up_to(ByteSource& in, std::span<std::byte> out) {
    size_t got = 0;
    while (got < out.size()) {
      size_t n = TRY(in.read(out.subspan(got)));
      if (n == 0) break;
      got += n;
    }
    return got;
  }

  std::string summary() const {
    std::string s;
    for (const auto& [arch, n] : m_counts)
      s += (s.empty() ? "linux/" : ", linux/") + arch + " (" + std::to_string(n) +
           (n == 1 ? " file)" : " files)");
    return s;
  }

  std::map<std::string, size_t> m_counts;
};

class RootfsSource final : public ImageSource {
 public:
  RootfsSource(std::string path, std::shared_ptr<UniqueFd> layer_fd, uint64_t layer_size)
      : m_path(std::move(path)), m_fd(std::move(layer_fd)), m_size(layer_size) {}

  Result<void> load(const std::optional<oci::Platform>& wanted) {
    // One pass over the layer gives both digests: blob (as stored) and diff_id (uncompressed).
    auto peeked = TRY(compress::peek(std::make_unique<FileRegionSource>(m_fd, 0, m_size)));
    HashingSource stored(*peeked.stream);
    auto plain = compress::decompress(std::make_unique<BorrowedSource>(stored), peeked.compression);
    HashingSource uncompressed(*plain);
    // Walking the entries proves the file is a tar, tells the platform of its ELF files, and
    // drains the stream.
    ArchitectureTally tally;
    TRY(tar::for_each_entry(uncompressed, [&](const tar::Entry& e, ByteSource& content) {
          return tally.add(e, content);
        }).wrap(m_path + ": not a root filesystem"));
    TRY(drain(stored).wrap(m_path));
    oci::Digest blob = TRY(oci::Digest::parse("sha256:" + stored.hex_digest()));
    oci::Digest diff_id = TRY(oci::Digest::parse("sha256:" + uncompressed.hex_digest()));

    oci::Platform platform = TRY(tally.platform(wanted, m_path));
    nlohmann::json config = {
        {"architecture", platform.architecture},
        {"os", platform.os},
        {"created", "1970-01-01T00:00:00Z"},
        {"config", nlohmann::json::object()},
        {"rootfs", {{"type", "layers"}, {"diff_ids", {diff_id.str()}}}},
        {"history",
         {{{"created", "1970-01-01T00:00:00Z"}, {"created_by", "pith: rootfs:" + m_path}}}},
    };
    if (!platform.variant.empty()) config["variant"] = platform.variant;
    m_config = oci::canonical_json(config);

    oci::Manifest m;
    m.media_type = std::string(oci::media::oci_manifest);
    m.config.media_type = std::string(oci::media::oci_config);
    m.config.digest = oci::Digest::sha256_of(m_config);
    m.config.size = m_config.size();
    oci::Descriptor layer;
    layer.media_type = std::string(oci::layer_media_type(oci::Family::oci, peeked.compression));
    layer.digest = blob;
    layer.size = m_size;
    m.layers.push_back(layer);
    m_layer_digest = blob;
    std::string bytes = oci::serialize(m);
    m_root = RawManifest{bytes, m.media_type, oci::Digest::sha256_of(bytes)};
    return {};
  }

  std::string describe() const override { return "rootfs:" + m_path; }
  Result<RawManifest> root() override { return m_root; }
  Result<RawManifest> manifest(const oci::Descriptor& d) override {
    return make_error(describe() + ": holds no manifest " + d.digest.str());
  }
  Result<std::unique_ptr<ByteSource>> blob(const oci::Descriptor& d) override {
    std::unique_ptr<ByteSource> raw;
    if (d.digest == m_layer_digest)
      raw = std::make_unique<FileRegionSource>(m_fd, 0, m_size);
    else if (d.digest == oci::Digest::sha256_of(m_config))
      raw = std::make_unique<MemorySource>(m_config);
    else
      return make_error(describe() + ": no blob " + d.digest.str());
    return oci::verifying(std::move(raw), d.digest, d.size, "blob " + d.digest.str());
  }

  // Everything is set by load(); the layer is read with pread from a shared descriptor.
  bool parallel_reads() const override { return true; }

 private:
  std::string m_path;
  std::shared_ptr<UniqueFd> m_fd;
  uint64_t m_size;
  std::string m_config;
  oci::Digest m_layer_digest;
  RawManifest m_root;
};

}  // namespace

Result<std::unique_ptr<ImageSource>> open_rootfs_source(
    const std::string& path, const std::optional<oci::Platform>& wanted) {
  std::error_code ec;
  UniqueFd fd;
  if (fs::is_directory(path, ec)) {
    fd = TRY(anonymous_temp_file());
    FdSink sink(fd.get());
    TRY(write_directory_tar(path, sink));
    TRY(sink.flush());
  } else {
    fd = TRY(open_read(path));
  }
  uint64_t size = TRY(file_size(fd.get()));
  auto src = std::make_unique<RootfsSource>(path, std::make_shared<UniqueFd>(std::move(fd)), size);
  TRY(src->load(wanted));
  return std::unique_ptr<ImageSource>(std::move(src));
}

}  // namespace pith::transport
