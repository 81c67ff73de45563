// The copy pipeline: config, then layers (re-encoded through a temporary spool file when
// their compression must change, since the new digest and size are known only at the end),
// then manifests, then commit.
#include "transport/copy.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "oci/canonical_json.h"
#include "oci/manifest.h"
#include "transport/resolve.h"
#include "util/file.h"

namespace pith::transport {

namespace {

using compress::Compression;

class Copier {
 public:
  Copier(ImageSource& src, ImageSink& dst, const CopyOptions& options, CopyResult& result)
      : m_src(src), m_dst(dst), m_options(options), m_result(result) {}

  // Copies an image's blobs; returns its manifest as it must be stored in the destination.
  Result<RawManifest> copy_manifest(const ResolvedImage& img) {
    TRY(copy_blob(img.manifest.config));
    oci::Manifest out = img.manifest;
    bool changed = false;
    oci::Family family = oci::effective_media_type(img.manifest) == oci::media::docker_manifest
                             ? oci::Family::docker
                             : oci::Family::oci;
    for (size_t i = 0; i < out.layers.size(); ++i) {
      oci::Descriptor layer = TRY(copy_layer(out.layers[i], img.config.diff_ids[i], family));
      if (layer.digest != out.layers[i].digest || layer.media_type != out.layers[i].media_type ||
          layer.size != out.layers[i].size) {
        out.layers[i] = layer;
        changed = true;
      }
    }
    if (!changed) return img.raw;
    std::string bytes = oci::serialize(out);
    return RawManifest{bytes, oci::effective_media_type(out), oci::Digest::sha256_of(bytes)};
  }

  // Copies every image an index names (nested indexes too); returns the index to store.
  Result<RawManifest> copy_index(const RawManifest& raw, int depth) {
    if (depth > 4) return make_error("indexes nested too deeply");
    oci::Index index = TRY(oci::parse_index(raw.bytes).wrap("index " + raw.digest.str()));
    bool changed = false;
    for (auto& d : index.manifests) {
      RawManifest child = TRY(m_src.manifest(d));
      RawManifest copied;
      switch (oci::sniff_document(child.bytes, d.media_type)) {
        case oci::DocumentKind::index:
          copied = TRY(copy_index(child, depth + 1));
          break;
        case oci::DocumentKind::manifest: {
          ResolvedImage img = TRY(load_image(m_src, d, child));
          copied = TRY(copy_manifest(img));
          break;
        }
        case oci::DocumentKind::unknown:
          return make_error("manifest " + d.digest.str() + ": unsupported type \"" + d.media_type +
                            "\"");
      }
      TRY(m_dst.put_manifest(copied));
      if (copied.digest != d.digest) {
        d.digest = copied.digest;
        d.size = copied.bytes.size();
        changed = true;
      }
    }
    if (!changed) return raw;
    std::string bytes = oci::serialize(index);
    std::string media_type =
        index.media_type.empty() ? std::string(oci::media::oci_index) : index.media_type;
    return RawManifest{bytes, media_type, oci::Digest::sha256_of(bytes)};
  }

 private:
  Result<void> copy_blob(const oci::Descriptor& d) {
    if (m_dst.has_blob(d.digest)) {
      ++m_result.blobs_present;
      return {};
    }
    TRY(m_dst.put_blob_from(d, [&] { return m_src.blob(d); }).wrap("blob " + d.digest.str()));
    ++m_result.blobs_copied;
    return {};
  }

  Result<oci::Descriptor> copy_layer(const oci::Descriptor& layer, const oci::Digest& diff_id,
                                     oci::Family family) {
    std::optional<Compression> target = m_dst.required_layer_compression();
    if (!target) target = m_options.compression;
    if (!target) {
      TRY(copy_blob(layer));
      return layer;
    }
    auto blob = TRY(m_src.blob(layer));
    auto peeked = TRY(compress::peek(std::move(blob)));
    if (peeked.compression == *target) {
      oci::Descriptor out = layer;
      out.media_type = std::string(oci::layer_media_type(family, *target));
      if (m_dst.has_blob(layer.digest)) {
        ++m_result.blobs_present;
        return out;
      }
      TRY(m_dst.put_blob(out, *peeked.stream).wrap("blob " + layer.digest.str()));
      ++m_result.blobs_copied;
      return out;
    }
    // Re-encode: decompress (checking the diff_id), compress, spool while hashing.
    auto plain = oci::verifying(compress::decompress(std::move(peeked.stream), peeked.compression),
                                diff_id, std::nullopt, "layer " + layer.digest.short_str());
    auto encoded = compress::compress(std::move(plain), *target);
    int fd = ::open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) return make_error("cannot create a temporary file: " + errno_text(errno));
    auto spool = std::make_shared<UniqueFd>(fd);
    oci::Descriptor out = layer;
    out.media_type = std::string(oci::layer_media_type(family, *target));
    FdSink sink(spool->get());
    if (*target == Compression::none) {
      // The output is the uncompressed stream itself, already checked against the diff_id
      // as it passes: hashing it again would give the same digest.
      CountingSource counted(*encoded);
      TRY(pump(counted, sink));
      out.digest = diff_id;
      out.size = counted.bytes();
    } else {
      HashingSource hashed(*encoded);
      TRY(pump(hashed, sink));
      out.digest = TRY(oci::Digest::parse("sha256:" + hashed.hex_digest()));
      out.size = hashed.bytes();
    }
    TRY(sink.flush());
    if (m_dst.has_blob(out.digest)) {
      ++m_result.blobs_present;
      return out;
    }
    FileRegionSource spooled(spool, 0, out.size);
    TRY(m_dst.put_blob(out, spooled));
    ++m_result.blobs_copied;
    return out;
  }

  ImageSource& m_src;
  ImageSink& m_dst;
  const CopyOptions& m_options;
  CopyResult& m_result;
};

}  // namespace

Result<CopyResult> copy_image(ImageSource& src, ImageSink& dst, const CopyOptions& options) {
  CopyResult result;
  Copier copier(src, dst, options, result);
  if (options.all_platforms) {
    RawManifest root = TRY(src.root());
    if (oci::sniff_document(root.bytes, root.media_type) == oci::DocumentKind::index) {
      if (!dst.supports_index())
        return make_error(dst.describe() + ": holds one image; drop --all to pick a platform");
      RawManifest out = TRY(copier.copy_index(root, 0));
      TRY(dst.commit(out, root_descriptor(out)));
      result.root_digest = out.digest;
      return result;
    }
  }
  ResolvedImage img = TRY(resolve_image(src, options.platform));
  RawManifest out = TRY(copier.copy_manifest(img));
  oci::Descriptor desc = img.descriptor;
  desc.media_type =
      out.media_type.empty() ? oci::effective_media_type(img.manifest) : out.media_type;
  desc.digest = out.digest;
  desc.size = out.bytes.size();
  desc.annotations.erase("org.opencontainers.image.ref.name");
  TRY(dst.commit(out, desc));
  result.root_digest = out.digest;
  return result;
}

}  // namespace pith::transport
