// Reading and writing skopeo's directory transport.
#include "transport/skopeo_dir.h"

#include <sys/stat.h>

#include <filesystem>

#include "oci/manifest.h"
#include "transport/file_set.h"
#include "transport/output_files.h"

namespace pith::transport {

namespace {

// What containers/image writes and accepts (1.0 had no per-instance manifests).
constexpr std::string_view k_version = "Directory Transport Version: 1.1\n";
constexpr std::string_view k_version_prefix = "Directory Transport Version: 1.";

std::string blob_name(const oci::Digest& d) {
  return d.algorithm == "sha256" ? d.hex : d.algorithm + "-" + d.hex;
}

std::string instance_manifest_name(const oci::Digest& d) {
  return blob_name(d) + ".manifest.json";
}

class SkopeoDirSource final : public ImageSource {
 public:
  SkopeoDirSource(std::unique_ptr<FileSet> files, std::string describe)
      : m_files(std::move(files)), m_describe(std::move(describe)) {}

  std::string describe() const override { return m_describe; }

  Result<RawManifest> root() override {
    std::string bytes = TRY(m_files->read("manifest.json", oci::k_max_manifest_bytes));
    std::string media_type;
    auto kind = oci::sniff_document(bytes, "");
    if (kind == oci::DocumentKind::unknown)
      return make_error(m_files->describe() + ": manifest.json is not a manifest or an index");
    if (kind == oci::DocumentKind::manifest)
      media_type = oci::effective_media_type(
          TRY(oci::parse_manifest(bytes).wrap(m_files->describe() + ": manifest.json")));
    else
      media_type =
          TRY(oci::parse_index(bytes).wrap(m_files->describe() + ": manifest.json")).media_type;
    oci::Digest digest = oci::Digest::sha256_of(bytes);
    return RawManifest{std::move(bytes), std::move(media_type), digest};
  }

  Result<RawManifest> manifest(const oci::Descriptor& d) override {
    std::string name = instance_manifest_name(d.digest);
    TRY(oci::check_manifest_size(d));
    auto raw = TRY(m_files->open(name));
    auto verified = oci::verifying(std::move(raw), d.digest, d.size, "manifest " + d.digest.str());
    std::string bytes = TRY(read_all(*verified, oci::k_max_manifest_bytes));
    return RawManifest{std::move(bytes), d.media_type, d.digest};
  }

  Result<std::unique_ptr<ByteSource>> blob(const oci::Descriptor& d) override {
    return m_files->open_blob(blob_name(d.digest), d);
  }

  bool parallel_reads() const override { return m_files->parallel_reads(); }

 private:
  std::unique_ptr<FileSet> m_files;
  std::string m_describe;
};

class SkopeoDirSink final : public ImageSink {
 public:
  SkopeoDirSink(std::unique_ptr<OutputFiles> out, std::string describe)
      : m_out(std::move(out)), m_describe(std::move(describe)) {}

  std::string describe() const override { return m_describe; }
  bool has_blob(const oci::Digest& d) const override { return m_out->exists(blob_name(d)); }
  Result<void> put_blob(const oci::Descriptor& d, ByteSource& content) override {
    if (has_blob(d.digest)) return {};
    return m_out->put(blob_name(d.digest), d.size, content);
  }
  bool stores_unnamed_blobs() const override { return m_out->names_after_writing(); }
  Result<bool> put_unnamed_blob(ByteSource& content,
                                const std::function<Result<oci::Digest>()>& digest) override {
    return m_out->put_then_name("", content,
                                [&]() -> Result<std::string> { return blob_name(TRY(digest())); });
  }
  bool parallel_puts() const override { return m_out->parallel_puts(); }
  Result<void> put_manifest(const RawManifest& m) override {
    return m_out->put(instance_manifest_name(m.digest), m.bytes);
  }
  Result<void> commit(const RawManifest& root, const oci::Descriptor&) override {
    TRY(m_out->put("manifest.json", root.bytes));
    TRY(m_out->put("version", k_version));
    return m_out->commit();
  }

 private:
  std::unique_ptr<OutputFiles> m_out;
  std::string m_describe;
};

}  // namespace

bool is_skopeo_dir(const std::string& dir) {
  auto files = open_directory_files(dir);
  if (!files) return false;
  auto version = (*files)->read("version", 4096);
  return version && version->rfind(k_version_prefix, 0) == 0;
}

Result<std::unique_ptr<ImageSource>> open_skopeo_dir_source(const std::string& dir,
                                                            std::string describe) {
  auto files = TRY(open_directory_files(dir));
  if (!TRY(files->size("manifest.json")))
    return make_error(describe +
                      ": not a dir: image (no manifest.json; a root filesystem is read "
                      "as rootfs:" +
                      dir + ")");
  return std::unique_ptr<ImageSource>(
      std::make_unique<SkopeoDirSource>(std::move(files), std::move(describe)));
}

Result<std::unique_ptr<ImageSink>> open_skopeo_dir_sink(const std::string& dir,
                                                        std::string describe) {
  std::error_code ec;
  bool replace = false;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec)) {
    if (!is_skopeo_dir(dir))
      return make_error(describe + ": " + dir +
                        " exists, is not empty and is not a dir: image; pith replaces only "
                        "those (as skopeo does)");
    replace = true;
  }
  auto out = TRY(replace ? open_directory_replacement(dir) : open_directory_output(dir));
  return std::unique_ptr<ImageSink>(std::make_unique<SkopeoDirSink>(std::move(out), describe));
}

}  // namespace pith::transport
