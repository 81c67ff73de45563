// Reading docker-archives: the image is described by manifest.json, from which pith makes the
// very manifest containers/image makes (skopeo, and podman after `podman load`, report its
// digest): Docker v2 schema 2, the config blob unchanged (its digest stays the image ID), each
// layer by its diff_id and uncompressed size under the gzip layer type, whatever the member's
// own compression. Layers are served uncompressed, as they are described; a copy names each
// blob by the compression it actually has.
#include <map>

#include "compress/compression.h"
#include "oci/canonical_json.h"
#include "oci/config.h"
#include "oci/manifest.h"
#include "transport/docker_archive.h"
#include "transport/resolve.h"

namespace pith::transport {

namespace {

struct ArchiveImage {
  std::string config_path;
  std::vector<std::string> repo_tags;
  std::vector<std::string> layer_paths;
};

Result<std::vector<ArchiveImage>> parse_archive_manifest(const std::string& bytes) {
  auto j = nlohmann::json::parse(bytes, nullptr, false);
  if (j.is_discarded()) return make_error("manifest.json: invalid JSON");
  if (!j.is_array() || j.empty()) return make_error("manifest.json: lists no images");
  std::vector<ArchiveImage> images;
  for (const auto& item : j) {
    if (!item.is_object()) return make_error("manifest.json: an entry is not an object");
    ArchiveImage img;
    auto cfg = item.find("Config");
    if (cfg == item.end() || !cfg->is_string() || cfg->get<std::string>().empty())
      return make_error("manifest.json: an entry has no Config");
    img.config_path = cfg->get<std::string>();
    auto tags = item.find("RepoTags");
    if (tags != item.end() && tags->is_array())
      for (const auto& t : *tags)
        if (t.is_string()) img.repo_tags.push_back(t.get<std::string>());
    auto layers = item.find("Layers");
    if (layers == item.end() || !layers->is_array())
      return make_error("manifest.json: an entry has no Layers");
    for (const auto& l : *layers) {
      if (!l.is_string()) return make_error("manifest.json: a layer path is not a string");
      img.layer_paths.push_back(l.get<std::string>());
    }
    images.push_back(std::move(img));
  }
  return images;
}

// Normalised "registry/repo:tag" of a RepoTag or a requested name, for comparison.
std::string normalized_name(const std::string& name) {
  auto parsed = parse_docker_name(name);
  return parsed ? parsed->str() : name;
}

Result<size_t> select_image(const std::vector<ArchiveImage>& images, const std::string& ref,
                            const std::string& where) {
  if (ref.empty()) {
    if (images.size() == 1) return size_t{0};
    std::string names;
    for (size_t i = 0; i < images.size(); ++i) {
      names += (i ? ", @" : "@") + std::to_string(i);
      for (const auto& t : images[i].repo_tags) names += " " + t;
    }
    return make_error(where + ": holds " + std::to_string(images.size()) +
                      " images; name one (docker-archive:FILE:NAME:TAG or :@N): " + names);
  }
  if (ref[0] == '@') {
    size_t n = 0;
    try {
      n = std::stoul(ref.substr(1));
    } catch (...) {
      return make_error(where + ": bad image index \"" + ref + "\"");
    }
    if (n >= images.size())
      return make_error(where + ": no image @" + std::to_string(n) + " (it holds " +
                        std::to_string(images.size()) + ")");
    return n;
  }
  std::string want = normalized_name(ref);
  for (size_t i = 0; i < images.size(); ++i)
    for (const auto& t : images[i].repo_tags)
      if (normalized_name(t) == want) return i;
  return make_error(where + ": no image named \"" + ref + "\"");
}

class DockerArchiveSource final : public ImageSource {
 public:
  DockerArchiveSource(std::unique_ptr<FileSet> files, std::string describe)
      : m_files(std::move(files)), m_describe(std::move(describe)) {}

  Result<void> load(const std::string& ref) {
    std::string bytes = TRY(m_files->read("manifest.json", oci::k_max_json_bytes));
    auto images = TRY(parse_archive_manifest(bytes).wrap(m_files->describe()));
    const ArchiveImage& img = images[TRY(select_image(images, ref, m_files->describe()))];
    TRY(check_layer_count(img.layer_paths.size(), m_files->describe() + ": manifest.json"));

    std::string config = TRY(m_files->read(img.config_path, oci::k_max_json_bytes));
    oci::ImageConfig parsed =
        TRY(oci::parse_config(config).wrap(m_files->describe() + ": " + img.config_path));
    if (parsed.diff_ids.size() != img.layer_paths.size())
      return make_error(m_files->describe() + ": config lists " +
                        std::to_string(parsed.diff_ids.size()) + " layers, manifest.json " +
                        std::to_string(img.layer_paths.size()));

    oci::Manifest m;
    m.schema_version = 2;
    m.media_type = std::string(oci::media::docker_manifest);
    m.config.media_type = std::string(oci::media::docker_config);
    m.config.digest = oci::Digest::sha256_of(config);
    m.config.size = config.size();
    m_blobs[m.config.digest.str()] = Member{img.config_path, compress::Compression::none};
    // A path listed twice is one blob: it is measured once.
    std::map<std::string, oci::Descriptor> seen;
    for (size_t i = 0; i < img.layer_paths.size(); ++i) {
      const std::string& path = img.layer_paths[i];
      if (auto it = seen.find(path); it != seen.end()) {
        m.layers.push_back(it->second);
        continue;
      }
      auto size = TRY(m_files->size(path));
      if (!size) return make_error(m_files->describe() + ": layer " + path + " is missing");
      oci::Descriptor layer;
      layer.media_type = std::string(oci::media::docker_layer_gzip);
      layer.digest = parsed.diff_ids[i];
      layer.size = *size;
      auto peeked = TRY(compress::peek(TRY(m_files->open(path))));
      if (peeked.compression != compress::Compression::none) {
        // Its uncompressed size is known only by decompressing it, as containers/image does.
        auto plain = compress::decompress(std::move(peeked.stream), peeked.compression);
        CountingSource counted(*plain);
        TRY(drain(counted).wrap(path));
        layer.size = counted.bytes();
      }
      m_blobs[layer.digest.str()] = Member{path, peeked.compression};
      seen[path] = layer;
      m.layers.push_back(layer);
    }
    std::string manifest_bytes = oci::serialize_docker_schema2(m);
    m_root = RawManifest{manifest_bytes, m.media_type, oci::Digest::sha256_of(manifest_bytes)};
    return {};
  }

  std::string describe() const override { return m_describe; }
  Result<RawManifest> root() override { return m_root; }
  Result<RawManifest> manifest(const oci::Descriptor& d) override {
    return make_error(m_describe + ": a docker-archive holds no manifest " + d.digest.str());
  }

  Result<std::unique_ptr<ByteSource>> blob(const oci::Descriptor& d) override {
    auto it = m_blobs.find(d.digest.str());
    if (it == m_blobs.end()) return make_error(m_describe + ": no blob " + d.digest.str());
    const Member& member = it->second;
    auto raw = TRY(m_files->open(member.path));
    if (member.compression != compress::Compression::none)
      raw = compress::decompress(std::move(raw), member.compression);
    return oci::verifying(std::move(raw), d.digest, d.size,
                          "blob " + d.digest.str() + " (" + member.path + ")");
  }

  std::optional<compress::Compression> blob_compression(const oci::Descriptor& d) const override {
    if (!m_blobs.count(d.digest.str())) return oci::layer_compression(d.media_type);
    return compress::Compression::none;
  }

  // m_blobs is only read once load() built it; the rest is up to the files: an indexed tar
  // read with pread, yes; a daemon's export streamed front to back, no.
  bool parallel_reads() const override { return m_files->parallel_reads(); }

 private:
  std::unique_ptr<FileSet> m_files;
  std::string m_describe;
  RawManifest m_root;
  // A blob's member, and how it is compressed there (it is served uncompressed).
  struct Member {
    std::string path;
    compress::Compression compression;
  };
  std::map<std::string, Member> m_blobs;  // digest -> member
};

}  // namespace

Result<std::unique_ptr<ImageSource>> open_docker_archive_source(std::unique_ptr<FileSet> files,
                                                                std::string ref,
                                                                std::string describe) {
  auto src = std::make_unique<DockerArchiveSource>(std::move(files), describe);
  TRY(src->load(ref));
  return std::unique_ptr<ImageSource>(std::move(src));
}

}  // namespace pith::transport
