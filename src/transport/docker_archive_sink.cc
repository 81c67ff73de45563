// Writing docker-archives in Docker 25's hybrid form: an OCI layout (uncompressed layers, as
// `docker save` stores them) plus the manifest.json that every Docker and podman version reads.
#include "oci/canonical_json.h"
#include "oci/manifest.h"
#include "transport/docker_archive.h"
#include "transport/oci_layout.h"

namespace pith::transport {

namespace {

class DockerArchiveSink final : public ImageSink {
 public:
  DockerArchiveSink(std::unique_ptr<OutputFiles> out, std::string name, std::string describe)
      : m_out(std::move(out)), m_name(std::move(name)), m_describe(std::move(describe)) {}

  std::string describe() const override { return m_describe; }
  std::optional<compress::Compression> required_layer_compression() const override {
    return compress::Compression::none;
  }
  bool supports_index() const override { return false; }
  bool has_blob(const oci::Digest& d) const override { return m_out->exists(blob_path(d)); }

  Result<void> put_blob(const oci::Descriptor& d, ByteSource& content) override {
    if (has_blob(d.digest)) return {};
    return m_out->put(blob_path(d.digest), d.size, content);
  }

  Result<void> put_manifest(const RawManifest&) override {
    return make_error(m_describe + ": a docker-archive holds a single image, not an index");
  }

  Result<void> commit(const RawManifest& root, const oci::Descriptor& root_descriptor) override {
    if (oci::sniff_document(root.bytes, root.media_type) != oci::DocumentKind::manifest)
      return make_error(m_describe + ": a docker-archive holds a single image, not an index");
    oci::Manifest m = TRY(oci::parse_manifest(root.bytes));
    if (!has_blob(root.digest)) TRY(m_out->put(blob_path(root.digest), root.bytes));

    nlohmann::json entry;
    entry["Config"] = blob_path(m.config.digest);
    entry["RepoTags"] = m_name.empty() ? nlohmann::json(nullptr) : nlohmann::json::array({m_name});
    entry["Layers"] = nlohmann::json::array();
    for (const auto& l : m.layers) entry["Layers"].push_back(blob_path(l.digest));

    oci::Index index;
    index.media_type = std::string(oci::media::oci_index);
    oci::Descriptor d = root_descriptor;
    if (!m_name.empty()) {
      d.annotations["io.containerd.image.name"] = m_name;
      auto colon = m_name.rfind(':');
      if (colon != std::string::npos && m_name.find('/', colon) == std::string::npos)
        d.annotations[std::string(k_ref_name_annotation)] = m_name.substr(colon + 1);
    }
    index.manifests.push_back(d);

    TRY(m_out->put("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));
    TRY(m_out->put("index.json", oci::serialize(index)));
    TRY(m_out->put("manifest.json", oci::canonical_json(nlohmann::json::array({entry}))));
    return m_out->commit();
  }

 private:
  std::unique_ptr<OutputFiles> m_out;
  std::string m_name;
  std::string m_describe;
};

}  // namespace

Result<std::unique_ptr<ImageSink>> open_docker_archive_sink(std::unique_ptr<OutputFiles> out,
                                                            std::string name,
                                                            std::string describe) {
  return std::unique_ptr<ImageSink>(
      std::make_unique<DockerArchiveSink>(std::move(out), std::move(name), std::move(describe)));
}

}  // namespace pith::transport
