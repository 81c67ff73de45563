// Image state, blob origins and the ImageSource of a built image.
#include "executor/image.h"

#include "compress/compression.h"
#include "oci/canonical_json.h"
#include "oci/digest.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "transport/layer.h"
#include "util/file.h"

namespace pith::executor {

nlohmann::json& ImageState::settings() {
  if (!config.contains("config") || !config["config"].is_object())
    config["config"] = nlohmann::json::object();
  return config["config"];
}

std::vector<std::string> ImageState::env() const {
  std::vector<std::string> out;
  auto c = config.find("config");
  if (c == config.end() || !c->is_object()) return out;
  auto e = c->find("Env");
  if (e == c->end() || !e->is_array()) return out;
  for (const auto& item : *e)
    if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

void ImageState::set_env(const std::string& key, const std::string& value) {
  std::vector<std::string> env = this->env();
  std::string item = key + "=" + value;
  bool replaced = false;
  for (auto& e : env)
    if (e.substr(0, e.find('=')) == key) {
      e = item;
      replaced = true;
    }
  if (!replaced) env.push_back(item);
  settings()["Env"] = env;
}

void ImageState::add_history(const std::string& created, const std::string& created_by,
                             bool empty) {
  nlohmann::json entry = {{"created", created}, {"created_by", created_by}};
  if (empty) entry["empty_layer"] = true;
  if (!config.contains("history") || !config["history"].is_array())
    config["history"] = nlohmann::json::array();
  config["history"].push_back(entry);
}

std::string ImageState::identity() const {
  nlohmann::json doc = config;
  doc.erase("history");
  doc.erase("created");
  doc.erase("rootfs");
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& l : layers) ids.push_back(l.diff_id.str());
  return oci::canonical_json(nlohmann::json{{"config", doc}, {"layers", ids}});
}

std::vector<LayerRef> Blobs::add_source(std::shared_ptr<transport::ImageSource> source,
                                        const std::vector<oci::Descriptor>& layers,
                                        const std::vector<oci::Digest>& diff_ids) {
  std::vector<LayerRef> out;
  for (size_t i = 0; i < layers.size() && i < diff_ids.size(); ++i) {
    LayerRef ref;
    ref.blob = layers[i];
    auto c = source->blob_compression(layers[i]).value_or(compress::Compression::gzip);
    ref.blob.media_type = std::string(oci::layer_media_type(oci::Family::oci, c));
    ref.blob.urls.clear();
    ref.diff_id = diff_ids[i];
    m_origins[layers[i].digest] = Origin{source, layers[i]};
    out.push_back(std::move(ref));
  }
  return out;
}

Result<std::unique_ptr<ByteSource>> Blobs::open(const oci::Descriptor& d) {
  if (m_store.has_blob(d.digest)) {
    auto fd = std::make_shared<UniqueFd>(TRY(open_read(m_store.blob_path(d.digest))));
    std::unique_ptr<ByteSource> raw = std::make_unique<FileRegionSource>(fd, 0, d.size);
    return oci::verifying(std::move(raw), d.digest, d.size, "blob " + d.digest.str());
  }
  auto it = m_origins.find(d.digest);
  if (it == m_origins.end()) return make_error("build store: no blob " + d.digest.str());
  return it->second.source->blob(it->second.descriptor);
}

std::optional<compress::Compression> Blobs::compression(const oci::Descriptor& d) const {
  // The store's blobs and the rewritten descriptors say it in their media type.
  return oci::layer_compression(d.media_type);
}

Result<std::string> Blobs::unpacked(const LayerRef& layer) {
  if (auto dir = m_store.unpacked().find(layer.diff_id)) return *dir;
  auto raw = TRY(open(layer.blob));
  auto c = compression(layer.blob).value_or(compress::Compression::none);
  auto tar = compress::decompress(std::move(raw), c);
  return m_store.unpacked().add(layer.diff_id, *tar);
}

Result<std::vector<std::string>> Blobs::lowers(const std::vector<LayerRef>& layers) {
  std::vector<std::string> out;
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) out.push_back(TRY(unpacked(*it)));
  return out;
}

namespace {

class BuiltImageSource final : public transport::ImageSource {
 public:
  BuiltImageSource(transport::RawManifest root, std::string config, Blobs& blobs)
      : m_root(std::move(root)), m_config(std::move(config)), m_blobs(blobs) {}
  std::string describe() const override { return "pith build -f"; }
  Result<transport::RawManifest> root() override { return m_root; }
  Result<transport::RawManifest> manifest(const oci::Descriptor& d) override {
    return make_error("pith build -f: holds no manifest " + d.digest.str());
  }
  Result<std::unique_ptr<ByteSource>> blob(const oci::Descriptor& d) override {
    if (d.digest == oci::Digest::sha256_of(m_config))
      return oci::verifying(std::make_unique<MemorySource>(m_config), d.digest, d.size, "config");
    return m_blobs.open(d);
  }
  std::optional<compress::Compression> blob_compression(const oci::Descriptor& d) const override {
    return m_blobs.compression(d);
  }

 private:
  transport::RawManifest m_root;
  std::string m_config;
  Blobs& m_blobs;
};

}  // namespace

MadeImage make_image(const ImageState& state, Blobs& blobs, const std::string& created,
                     const std::map<std::string, std::string>& annotations) {
  nlohmann::json config = state.config;
  config["created"] = created;
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& l : state.layers) ids.push_back(l.diff_id.str());
  config["rootfs"] = {{"type", "layers"}, {"diff_ids", ids}};
  if (!config.contains("os")) config["os"] = "linux";
  if (!config.contains("architecture")) config["architecture"] = oci::Platform::host().architecture;
  std::string config_bytes = oci::canonical_json(config);

  oci::Manifest m;
  m.media_type = std::string(oci::media::oci_manifest);
  m.config.media_type = std::string(oci::media::oci_config);
  m.config.digest = oci::Digest::sha256_of(config_bytes);
  m.config.size = config_bytes.size();
  for (const auto& l : state.layers) m.layers.push_back(l.blob);
  m.annotations = annotations;
  std::string bytes = oci::serialize(m);

  MadeImage made;
  made.manifest_digest = oci::Digest::sha256_of(bytes);
  made.platform.os = config.value("os", "linux");
  made.platform.architecture = config.value("architecture", "");
  made.platform.variant = config.value("variant", "");
  made.source = std::make_unique<BuiltImageSource>(
      transport::RawManifest{bytes, m.media_type, made.manifest_digest}, std::move(config_bytes),
      blobs);
  return made;
}

}  // namespace pith::executor
