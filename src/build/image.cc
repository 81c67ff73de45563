// Layer tars, config and manifest of a built image, each layer written once (compressed as it
// is made) into an unlinked temporary file until a sink copies it.
#include "build/image.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>

#include "oci/canonical_json.h"
#include "oci/digest.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "tar/writer.h"
#include "util/file.h"
#include "util/sha256.h"

namespace pith::build {

namespace {

oci::Digest digest_of(HashingSink& sink) {
  return *oci::Digest::parse("sha256:" + sink.hex_digest());
}

tar::Entry tar_entry(const PlanEntry& p, int64_t mtime) {
  tar::Entry e;
  e.path = p.path.substr(1);
  e.mode = p.mode;
  e.uid = p.uid;
  e.gid = p.gid;
  e.mtime = mtime;
  switch (p.kind) {
    case EntryKind::directory:
      e.type = tar::EntryType::directory;
      break;
    case EntryKind::symlink:
      e.type = tar::EntryType::symlink;
      e.link_target = p.link_target;
      break;
    case EntryKind::file:
      e.type = tar::EntryType::regular;
      break;
  }
  return e;
}

// Writes the layer's tar: the planned entries in order, file contents from the root.
Result<void> write_tar(const std::vector<PlanEntry>& entries, int64_t mtime, ByteSink& out) {
  tar::Writer writer(out);
  for (const auto& p : entries) {
    tar::Entry e = tar_entry(p, mtime);
    if (p.kind != EntryKind::file) {
      TRY(writer.add(e).wrap(p.path));
      continue;
    }
    if (p.source.empty()) {
      e.size = p.content.size();
      MemorySource content(p.content);
      TRY(writer.add(e, &content).wrap(p.path));
      continue;
    }
    auto fd = std::make_shared<UniqueFd>(TRY(open_read(p.source)));
    e.size = TRY(file_size(fd->get()));
    FileRegionSource content(fd, 0, e.size);
    TRY(writer.add(e, &content).wrap(p.source));
  }
  return writer.finish();
}

// Writes one layer once, into an unlinked temporary file: the tar (hashed: the diff_id) is
// written through the compressor (hashed: the blob digest) into it, chunks compressed on the
// other cores while the next files are read.
Result<LayerBlob> write_layer(const std::vector<PlanEntry>& entries, const ImageSettings& s) {
  LayerBlob blob;
  blob.fd = std::make_shared<UniqueFd>(TRY(anonymous_temp_file()));
  FdSink file(blob.fd->get());
  HashingSink stored(file);
  blob.descriptor.media_type = std::string(oci::layer_media_type(oci::Family::oci, s.compression));
  auto packed = compress::compressing_sink(stored, s.compression, compress::Effort::small);
  HashingSink tar(*packed);
  TRY(write_tar(entries, s.mtime, tar));
  TRY(packed->finish());
  TRY(file.flush());
  blob.diff_id = digest_of(tar);
  blob.descriptor.digest = digest_of(stored);
  blob.descriptor.size = stored.bytes();
  return blob;
}

std::string config_json(const ImageSettings& s, const std::vector<oci::Digest>& diff_ids,
                        const std::vector<std::string>& layers) {
  nlohmann::json config = nlohmann::json::object();
  if (!s.user.empty()) config["User"] = s.user;
  if (!s.env.empty()) config["Env"] = s.env;
  if (!s.entrypoint.empty()) config["Entrypoint"] = s.entrypoint;
  if (!s.cmd.empty()) config["Cmd"] = s.cmd;
  if (!s.workdir.empty()) config["WorkingDir"] = s.workdir;
  if (!s.labels.empty()) config["Labels"] = s.labels;
  if (!s.stop_signal.empty()) config["StopSignal"] = s.stop_signal;
  if (!s.exposed_ports.empty()) {
    config["ExposedPorts"] = nlohmann::json::object();
    for (const auto& p : s.exposed_ports) config["ExposedPorts"][p] = nlohmann::json::object();
  }
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& d : diff_ids) ids.push_back(d.str());
  nlohmann::json history = nlohmann::json::array();
  for (const auto& name : layers)
    history.push_back({{"created", s.created},
                       {"created_by", "pith build: " + name + " layer"},
                       {"comment", "pith build"}});
  nlohmann::json doc = {
      {"architecture", s.platform.architecture},
      {"os", s.platform.os},
      {"created", s.created},
      {"config", config},
      {"rootfs", {{"type", "layers"}, {"diff_ids", ids}}},
      {"history", history},
  };
  if (!s.platform.variant.empty()) doc["variant"] = s.platform.variant;
  return oci::canonical_json(doc);
}

// The built image: a manifest, a config and layer blobs in temporary files.
class BuiltSource final : public transport::ImageSource {
 public:
  BuiltSource(transport::RawManifest root, std::string config,
              std::map<oci::Digest, std::shared_ptr<UniqueFd>> blobs)
      : m_root(std::move(root)), m_config(std::move(config)), m_blobs(std::move(blobs)) {}
  std::string describe() const override { return "pith build"; }
  Result<transport::RawManifest> root() override { return m_root; }
  Result<transport::RawManifest> manifest(const oci::Descriptor& d) override {
    return make_error("pith build: holds no manifest " + d.digest.str());
  }
  // A layer is read as it was written, not hashed again: its digest was taken from the very
  // bytes written, into a file that has no name (O_TMPFILE) and that only this process holds
  // (hashing it again cost 2-3 ms per 4 MB at the end of every build).
  Result<std::unique_ptr<ByteSource>> blob(const oci::Descriptor& d) override {
    if (auto it = m_blobs.find(d.digest); it != m_blobs.end())
      return std::unique_ptr<ByteSource>(std::make_unique<FileRegionSource>(it->second, 0, d.size));
    if (d.digest == oci::Digest::sha256_of(m_config))
      return std::unique_ptr<ByteSource>(std::make_unique<MemorySource>(m_config));
    return make_error("pith build: no blob " + d.digest.str());
  }
  // Nothing changes once built; layers are read with pread from their temporary files.
  bool parallel_reads() const override { return true; }

 private:
  transport::RawManifest m_root;
  std::string m_config;
  std::map<oci::Digest, std::shared_ptr<UniqueFd>> m_blobs;
};

}  // namespace

EarlyLayer start_layer(Layer layer, std::vector<PlanEntry> entries, const ImageSettings& settings) {
  EarlyLayer early;
  early.layer = layer;
  early.entries = std::move(entries);
  early.compression = settings.compression;
  early.mtime = settings.mtime;
  ImageSettings s;
  s.compression = settings.compression;
  s.mtime = settings.mtime;
  early.blob = std::async(std::launch::async,
                          [entries = early.entries, s] { return write_layer(entries, s); });
  return early;
}

oci::ImageConfig start_config(const ImageSettings& settings) {
  oci::ImageConfig config;
  config.os = settings.platform.os;
  config.architecture = settings.platform.architecture;
  config.user = settings.user;
  config.env = settings.env;
  config.entrypoint = settings.entrypoint;
  config.cmd = settings.cmd;
  config.working_dir = settings.workdir;
  return config;
}

Result<BuiltImage> assemble_image(const Plan& plan, LayerMode mode, const ImageSettings& settings,
                                  std::vector<EarlyLayer> early) {
  oci::Manifest m;
  m.media_type = std::string(oci::media::oci_manifest);
  std::vector<oci::Digest> diff_ids;
  std::vector<std::string> written;
  std::map<oci::Digest, std::shared_ptr<UniqueFd>> blobs;
  // A layer written early, if it is this one as the plan now has it.
  auto early_blob = [&](std::optional<Layer> layer,
                        const std::vector<PlanEntry>& entries) -> std::optional<Result<LayerBlob>> {
    for (EarlyLayer& e : early)
      if (layer && e.layer == *layer && e.blob.valid() && e.entries == entries &&
          e.compression == settings.compression && e.mtime == settings.mtime)
        return e.blob.get();
    return std::nullopt;
  };
  auto add_layer = [&](std::optional<Layer> layer, const std::vector<PlanEntry>& entries,
                       std::string name) -> Result<void> {
    if (entries.empty()) return {};
    auto taken = early_blob(layer, entries);
    auto blob =
        TRY((taken ? std::move(*taken) : write_layer(entries, settings)).wrap(name + " layer"));
    m.layers.push_back(blob.descriptor);
    diff_ids.push_back(blob.diff_id);
    written.push_back(std::move(name));
    blobs[blob.descriptor.digest] = blob.fd;
    return {};
  };
  if (mode == LayerMode::single) {
    TRY(add_layer(std::nullopt, plan.layer_entries(std::nullopt), "single"));
  } else {
    for (Layer l : k_layers) TRY(add_layer(l, plan.layer_entries(l), std::string(layer_name(l))));
  }
  std::string config = config_json(settings, diff_ids, written);
  m.config.media_type = std::string(oci::media::oci_config);
  m.config.digest = oci::Digest::sha256_of(config);
  m.config.size = config.size();
  m.annotations = settings.annotations;
  std::string bytes = oci::serialize(m);
  BuiltImage image;
  image.manifest_digest = oci::Digest::sha256_of(bytes);
  image.layers = m.layers;
  image.source = std::make_unique<BuiltSource>(
      transport::RawManifest{bytes, m.media_type, image.manifest_digest}, std::move(config),
      std::move(blobs));
  return image;
}

Result<int64_t> source_date_epoch() {
  const char* v = std::getenv("SOURCE_DATE_EPOCH");
  if (!v || !*v) return int64_t{0};
  std::string text(v);
  if (text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos)
    return make_error("SOURCE_DATE_EPOCH: expected seconds since 1970, got \"" + text + "\"");
  return static_cast<int64_t>(std::stoll(text));
}

}  // namespace pith::build
