// Writing docker-archives as skopeo does (the form every Docker and podman version loads):
// `<config hex>.json`, one `<diff_id hex>.tar` per layer, uncompressed, and manifest.json. No
// index.json: an archive that also held an OCI layout would be loaded by podman through it, under
// a digest other than the one skopeo and Docker-era tools compute from manifest.json.
#include "oci/canonical_json.h"
#include "oci/manifest.h"
#include "transport/docker_archive.h"

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
  bool has_blob(const oci::Digest& d) const override {
    return m_out->exists(member(d, ".tar")) || m_out->exists(member(d, ".json"));
  }

  Result<void> put_blob(const oci::Descriptor& d, ByteSource& content) override {
    if (has_blob(d.digest)) return {};
    return m_out->put(member(d.digest, oci::is_config(d.media_type) ? ".json" : ".tar"), d.size,
                      content);
  }

  Result<void> put_manifest(const RawManifest&) override {
    return make_error(m_describe + ": a docker-archive holds a single image, not an index");
  }

  Result<oci::Digest> digest_for(const RawManifest& root) const override {
    return oci::Digest::sha256_of(TRY(archive_manifest(root)));
  }

  Result<void> commit(const RawManifest& root, const oci::Descriptor&) override {
    oci::Manifest m = TRY(oci::parse_manifest(TRY(archive_manifest(root))));
    nlohmann::json entry;
    entry["Config"] = member(m.config.digest, ".json");
    entry["RepoTags"] = m_name.empty() ? nlohmann::json(nullptr) : nlohmann::json::array({m_name});
    entry["Layers"] = nlohmann::json::array();
    for (const auto& l : m.layers) entry["Layers"].push_back(member(l.digest, ".tar"));
    TRY(m_out->put("manifest.json", oci::canonical_json(nlohmann::json::array({entry}))));
    return m_out->commit();
  }

 private:
  static std::string member(const oci::Digest& d, std::string_view suffix) {
    return d.hex + std::string(suffix);
  }

  // The manifest containers/image makes of the archive (see docker_archive_source.cc): the
  // layers are stored uncompressed, so each one's digest is its diff_id.
  Result<std::string> archive_manifest(const RawManifest& root) const {
    if (oci::sniff_document(root.bytes, root.media_type) != oci::DocumentKind::manifest)
      return make_error(m_describe + ": a docker-archive holds a single image, not an index");
    oci::Manifest m = TRY(oci::parse_manifest(root.bytes));
    m.config.media_type = std::string(oci::media::docker_config);
    for (auto& l : m.layers) {
      if (oci::layer_compression(l.media_type) != compress::Compression::none)
        return make_error(m_describe + ": layer " + l.digest.str() + " is not stored uncompressed");
      l.media_type = std::string(oci::media::docker_layer_gzip);
      l.urls.clear();
    }
    return oci::serialize_docker_schema2(m);
  }

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
