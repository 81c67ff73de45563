// Reading and writing OCI image layouts.
#include "transport/oci_layout.h"

#include <set>

#include <algorithm>

#include "oci/canonical_json.h"
#include "oci/manifest.h"

namespace pith::transport {

std::string blob_path(const oci::Digest& d) {
  return "blobs/" + d.algorithm + "/" + d.hex;
}

Result<RawManifest> read_manifest_blob(ImageSource& src, const oci::Descriptor& d) {
  TRY(oci::check_manifest_size(d));
  auto blob = TRY(src.blob(d));
  std::string bytes = TRY(read_all(*blob, oci::k_max_manifest_bytes));
  return RawManifest{std::move(bytes), d.media_type, d.digest};
}

namespace {

constexpr std::string_view k_layout_file = R"({"imageLayoutVersion":"1.0.0"})";

class OciLayoutSource final : public ImageSource {
 public:
  OciLayoutSource(std::unique_ptr<FileSet> files, std::string tag, std::string describe)
      : m_files(std::move(files)), m_tag(std::move(tag)), m_describe(std::move(describe)) {}

  std::string describe() const override { return m_describe; }

  Result<RawManifest> root() override {
    std::string index_bytes = TRY(m_files->read("index.json", oci::k_max_json_bytes));
    oci::Index index =
        TRY(oci::parse_index(index_bytes).wrap(m_files->describe() + ": index.json"));
    if (!m_tag.empty()) {
      std::vector<std::string> tags;
      for (const auto& d : index.manifests) {
        auto it = d.annotations.find(std::string(k_ref_name_annotation));
        if (it == d.annotations.end()) continue;
        if (it->second == m_tag) return read_manifest_blob(*this, d);
        tags.push_back(it->second);
      }
      std::string list;
      for (const auto& t : tags) list += (list.empty() ? "" : ", ") + t;
      return make_error(m_files->describe() + ": no image tagged \"" + m_tag + "\"" +
                        (list.empty() ? " (the layout has no tags)" : " (tags: " + list + ")"));
    }
    if (index.manifests.empty())
      return make_error(m_files->describe() + ": index.json lists no images");
    // Several tags of one image are still one image.
    bool one_image = std::all_of(
        index.manifests.begin(), index.manifests.end(),
        [&](const oci::Descriptor& d) { return d.digest == index.manifests[0].digest; });
    if (one_image) return read_manifest_blob(*this, index.manifests[0]);
    // Several images and no tag: choosing one (the first, or the host's platform among
    // unrelated images) would be a guess. skopeo refuses the same way.
    std::set<std::string> tags, untagged, images;
    for (const auto& d : index.manifests) {
      images.insert(d.digest.str());
      auto it = d.annotations.find(std::string(k_ref_name_annotation));
      if (it != d.annotations.end())
        tags.insert(it->second);
      else
        untagged.insert(d.digest.str());
    }
    std::string list;
    for (const auto& t : tags) list += (list.empty() ? "" : ", ") + t;
    return make_error(
        m_files->describe() + ": index.json lists " + std::to_string(images.size()) +
        " images; name one by its tag" + (list.empty() ? "" : " (tags: " + list + ")") +
        (untagged.empty() ? "" : "; " + std::to_string(untagged.size()) + " untagged"));
  }

  Result<RawManifest> manifest(const oci::Descriptor& d) override {
    return read_manifest_blob(*this, d);
  }

  Result<std::unique_ptr<ByteSource>> blob(const oci::Descriptor& d) override {
    return m_files->open_blob(blob_path(d.digest), d);
  }

  // Blobs are files opened on their own: as parallel as the container of the layout allows.
  bool parallel_reads() const override { return m_files->parallel_reads(); }

 private:
  std::unique_ptr<FileSet> m_files;
  std::string m_tag;
  std::string m_describe;
};

class OciLayoutSink final : public ImageSink {
 public:
  OciLayoutSink(std::unique_ptr<OutputFiles> out, std::vector<oci::Descriptor> kept,
                std::string tag, std::string describe)
      : m_out(std::move(out)),
        m_kept(std::move(kept)),
        m_tag(std::move(tag)),
        m_describe(std::move(describe)) {}

  std::string describe() const override { return m_describe; }
  std::optional<compress::Compression> default_layer_compression() const override {
    return compress::Compression::gzip;
  }
  bool requires_oci_manifests() const override { return true; }

  bool has_blob(const oci::Digest& d) const override { return m_out->exists(blob_path(d)); }

  Result<void> put_blob(const oci::Descriptor& d, ByteSource& content) override {
    if (has_blob(d.digest)) return {};
    return m_out->put(blob_path(d.digest), d.size, content);
  }

  bool stores_unnamed_blobs() const override { return m_out->names_after_writing(); }
  Result<bool> put_unnamed_blob(ByteSource& content,
                                const std::function<Result<oci::Digest>()>& digest) override {
    return m_out->put_then_name("blobs/sha256", content,
                                [&]() -> Result<std::string> { return blob_path(TRY(digest())); });
  }

  // Only m_out changes as blobs arrive (index.json is written at commit).
  bool parallel_puts() const override { return m_out->parallel_puts(); }

  Result<void> put_manifest(const RawManifest& m) override {
    if (has_blob(m.digest)) return {};
    return m_out->put(blob_path(m.digest), m.bytes);
  }

  Result<void> commit(const RawManifest& root, const oci::Descriptor& root_descriptor) override {
    TRY(put_manifest(root));
    oci::Index index;
    index.schema_version = 2;
    index.media_type = std::string(oci::media::oci_index);
    for (const auto& d : m_kept) {
      auto it = d.annotations.find(std::string(k_ref_name_annotation));
      bool same_tag = !m_tag.empty() && it != d.annotations.end() && it->second == m_tag;
      if (!same_tag) index.manifests.push_back(d);
    }
    oci::Descriptor entry = root_descriptor;
    if (!m_tag.empty()) entry.annotations[std::string(k_ref_name_annotation)] = m_tag;
    index.manifests.push_back(entry);
    TRY(m_out->put("oci-layout", k_layout_file));
    TRY(m_out->put("index.json", oci::serialize(index)));
    return m_out->commit();
  }

 private:
  std::unique_ptr<OutputFiles> m_out;
  std::vector<oci::Descriptor> m_kept;
  std::string m_tag;
  std::string m_describe;
};

}  // namespace

Result<std::unique_ptr<ImageSource>> open_oci_layout_source(std::unique_ptr<FileSet> files,
                                                            std::string tag, std::string describe) {
  auto layout = TRY(files->size("oci-layout"));
  if (!layout) return make_error(files->describe() + ": not an OCI layout (no oci-layout file)");
  return std::unique_ptr<ImageSource>(
      std::make_unique<OciLayoutSource>(std::move(files), tag, describe));
}

Result<std::unique_ptr<ImageSink>> open_oci_layout_sink(std::unique_ptr<OutputFiles> out,
                                                        std::unique_ptr<FileSet> existing,
                                                        std::string tag, std::string describe) {
  std::vector<oci::Descriptor> kept;
  if (existing) {
    auto has_index = TRY(existing->size("index.json"));
    if (has_index) {
      std::string bytes = TRY(existing->read("index.json", oci::k_max_json_bytes));
      oci::Index index = TRY(oci::parse_index(bytes).wrap(describe + ": index.json"));
      kept = std::move(index.manifests);
    }
  }
  return std::unique_ptr<ImageSink>(
      std::make_unique<OciLayoutSink>(std::move(out), std::move(kept), tag, describe));
}

}  // namespace pith::transport
