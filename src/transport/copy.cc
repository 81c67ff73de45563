// The copy pipeline: every blob of an image (config and layers, re-encoded through a temporary
// spool file when their compression must change, since the new digest and size are known only
// at the end), on a few threads when both ends allow it; then manifests, then commit.
#include "transport/copy.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "oci/canonical_json.h"
#include "oci/manifest.h"
#include "transport/resolve.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/transfer_progress.h"

namespace pith::transport {

namespace {

using compress::Compression;

// What a sink reads: a blob's stream, counted for the progress lines, that fails as soon as
// another blob's copy has failed, so that the other threads stop instead of finishing for
// nothing (the sink then discards what it had written of it).
class TrackedSource final : public ByteSource {
 public:
  TrackedSource(std::unique_ptr<ByteSource> inner, TransferProgress& progress,
                TransferProgress::Item* item, const std::atomic<bool>& stop)
      : m_inner(std::move(inner)), m_progress(progress), m_item(item), m_stop(stop) {}

  Result<size_t> read(std::span<std::byte> out) override {
    if (m_stop.load(std::memory_order_relaxed)) return stopped();
    size_t n = TRY(m_inner->read(out));
    m_progress.advance(m_item, n);
    return n;
  }

  Result<std::span<const std::byte>> read_view(std::span<std::byte> scratch) override {
    if (m_stop.load(std::memory_order_relaxed)) return stopped();
    auto view = TRY(m_inner->read_view(scratch));
    m_progress.advance(m_item, view.size());
    return view;
  }

  static Error stopped() { return make_error("stopped: another blob failed"); }

 private:
  std::unique_ptr<ByteSource> m_inner;
  TransferProgress& m_progress;
  TransferProgress::Item* m_item;
  const std::atomic<bool>& m_stop;
};

// One blob of an image to copy, and where its copy ended up.
struct Job {
  oci::Descriptor source;  // as the source holds it
  bool is_config = false;
  const std::string* bytes = nullptr;     // the config, read (and verified) already
  oci::Digest diff_id;                    // of a layer, checked when it is re-encoded
  oci::Family family = oci::Family::oci;  // of the manifest written
  std::optional<size_t> same_as;          // a layer listed twice is copied once (that job's index)
  TransferProgress::Item* item = nullptr;
  oci::Descriptor out;   // as the destination holds it, once copied
  bool skipped = false;  // the destination had it
};

// Names the blob in an error, unless the error (from a verifying stream) already does.
template <class T>
Result<T> about_blob(Result<T> r, const oci::Digest& d) {
  if (r || r.error().message.find(d.str()) != std::string::npos) return r;
  return std::move(r).wrap("blob " + d.str());
}

class Copier {
 public:
  Copier(ImageSource& src, ImageSink& dst, const CopyOptions& options)
      : m_src(src),
        m_dst(dst),
        m_options(options),
        m_progress(options.progress ? *options.progress : m_no_progress) {}

  size_t blobs_copied() const { return m_copied; }
  size_t blobs_present() const { return m_present; }

  // Copies an image's blobs; returns its manifest as it must be stored in the destination.
  Result<RawManifest> copy_manifest(const ResolvedImage& img) {
    // 1. One job per blob: the config, then the layers in order.
    oci::Family family = output_family(img.manifest);
    std::vector<Job> jobs(1);
    jobs[0].source = img.manifest.config;
    jobs[0].is_config = true;
    jobs[0].bytes = &img.config_bytes;
    jobs[0].family = family;
    for (size_t i = 0; i < img.manifest.layers.size(); ++i) {
      Job job;
      job.source = img.manifest.layers[i];
      job.diff_id = img.config.diff_ids[i];
      job.family = family;
      for (size_t j = 1; j < jobs.size() && !job.same_as; ++j)
        if (jobs[j].source.digest == job.source.digest) job.same_as = j;
      jobs.push_back(std::move(job));
    }
    // 2. Copy them, on several threads when both ends allow it.
    TRY(run(jobs));
    // 3. The manifest, with the layers in their order, rewritten only if something changed.
    oci::Manifest out = img.manifest;
    bool changed = false;
    if (family == oci::Family::oci &&
        oci::effective_media_type(out) == oci::media::docker_manifest) {
      // Docker v2 schema 2 as OCI: the same blobs under OCI media types. The config is kept
      // byte for byte, so the image ID stays the same.
      out.media_type = std::string(oci::media::oci_manifest);
      out.config.media_type = std::string(oci::to_oci(out.config.media_type));
      changed = true;
    }
    for (size_t i = 0; i < out.layers.size(); ++i) {
      const oci::Descriptor& layer = jobs[i + 1].out;
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
    if (depth > k_max_index_depth) return make_error("indexes nested too deeply");
    oci::Index index = TRY(oci::parse_index(raw.bytes).wrap("index " + raw.digest.str()));
    bool changed = false;
    for (auto& d : index.manifests) {
      // Each manifest or index is copied once, however often the indexes list it.
      if (auto done = m_copied_manifests.find(d.digest.str()); done != m_copied_manifests.end()) {
        if (done->second.digest != d.digest) {
          d.digest = done->second.digest;
          d.size = done->second.bytes.size();
          changed = true;
        }
        continue;
      }
      if (m_copied_manifests.size() >= k_max_manifests)
        return make_error("more than " + std::to_string(k_max_manifests) +
                          " manifests in the indexes");
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
      m_copied_manifests.emplace(d.digest.str(), copied);
      if (copied.digest != d.digest) {
        d.digest = copied.digest;
        d.size = copied.bytes.size();
        if (!copied.media_type.empty()) d.media_type = copied.media_type;
        changed = true;
      }
    }
    if (m_dst.requires_oci_manifests() && index.media_type == oci::media::docker_list) {
      index.media_type = std::string(oci::media::oci_index);
      changed = true;
    }
    if (!changed) return raw;
    std::string bytes = oci::serialize(index);
    std::string media_type =
        index.media_type.empty() ? std::string(oci::media::oci_index) : index.media_type;
    return RawManifest{bytes, media_type, oci::Digest::sha256_of(bytes)};
  }

 private:
  // Runs the jobs (duplicates excepted) on up to options.parallel threads, each taking the
  // next job in order. The first failure is the one reported; it stops the others.
  Result<void> run(std::vector<Job>& jobs) {
    std::vector<size_t> todo;
    for (size_t i = 0; i < jobs.size(); ++i) {
      if (jobs[i].same_as) continue;
      todo.push_back(i);
      const oci::Descriptor& d = jobs[i].source;
      jobs[i].item =
          m_progress.add(jobs[i].is_config ? "config" : "blob", d.digest.hex.substr(0, 12), d.size);
    }
    std::atomic<size_t> next{0};
    auto worker = [&] {
      for (size_t k = next++; k < todo.size() && !m_stop; k = next++) run_one(jobs[todo[k]]);
    };
    size_t threads = std::min({m_options.parallel, k_max_parallel_copies, todo.size()});
    if (threads > 1 && m_src.parallel_reads() && m_dst.parallel_puts()) {
      std::vector<std::jthread> pool;
      for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
    } else {
      worker();
    }
    if (m_exception) std::rethrow_exception(m_exception);
    if (m_error) return *m_error;
    // A blob listed twice is there already when its second mention comes, as when copying
    // one by one.
    for (auto& job : jobs) {
      if (!job.same_as) continue;
      job.out = jobs[*job.same_as].out;
      ++m_present;
    }
    return {};
  }

  void run_one(Job& job) {
    try {
      auto r = job.is_config ? copy_config(job) : copy_layer(job);
      if (r) {
        job.out = *r;
        m_progress.finish(job.item, job.skipped ? TransferProgress::Outcome::skipped
                                                : TransferProgress::Outcome::done);
        return;
      }
      m_progress.finish(job.item, TransferProgress::Outcome::failed);
      std::lock_guard lock(m_mutex);
      if (!m_error && !m_exception) m_error = std::move(r).error();
    } catch (...) {
      // A bug: rethrown on the calling thread, where main catches it.
      std::lock_guard lock(m_mutex);
      if (!m_error && !m_exception) m_exception = std::current_exception();
    }
    m_stop = true;
  }

  // Gives the sink the blob: `first` at the first call, then fresh streams from `reopen` (a
  // sink that retries an upload reads the blob again from its start).
  Result<void> put(Job& job, const oci::Descriptor& d, std::unique_ptr<ByteSource> first,
                   const BlobOpener& reopen) {
    BlobOpener open = [&]() -> Result<std::unique_ptr<ByteSource>> {
      std::unique_ptr<ByteSource> s = std::move(first);
      // A sink retrying after the stop would only fail again.
      if (m_stop) return TrackedSource::stopped();
      if (!s) {
        m_progress.restart(job.item, d.digest.hex.substr(0, 12), d.size);
        s = TRY(reopen());
      }
      return std::unique_ptr<ByteSource>(
          std::make_unique<TrackedSource>(std::move(s), m_progress, job.item, m_stop));
    };
    // A blob the sink mounted from another repository was already there: skipped, as skopeo
    // says.
    job.skipped = TRY(m_dst.put_blob_from(d, open)) == ImageSink::Stored::mounted;
    return {};
  }

  // The config blob, under the config media type of the manifest written.
  Result<oci::Descriptor> copy_config(Job& job) {
    oci::Descriptor out = job.source;
    if (job.family == oci::Family::oci) out.media_type = std::string(oci::to_oci(out.media_type));
    return copy_blob(job, out);
  }

  // The family of the manifest written: OCI where the destination reads only OCI, or where a
  // layer will be zstd (Docker v2 schema 2 has no zstd layers); otherwise the source's.
  oci::Family output_family(const oci::Manifest& m) const {
    if (oci::effective_media_type(m) != oci::media::docker_manifest) return oci::Family::oci;
    if (m_dst.requires_oci_manifests()) return oci::Family::oci;
    if (m_options.compression == Compression::zstd) return oci::Family::oci;
    return oci::Family::docker;
  }

  // The media type of a layer stored with compression `c` in a manifest of `family`.
  static std::string layer_type(const std::string& source_type, oci::Family family, Compression c) {
    bool nondistributable = source_type == oci::media::docker_layer_foreign ||
                            source_type.find(".nondistributable.") != std::string::npos;
    if (!nondistributable) return std::string(oci::layer_media_type(family, c));
    if (family == oci::Family::docker && c == Compression::gzip)
      return std::string(oci::media::docker_layer_foreign);
    if (c == Compression::gzip) return std::string(oci::media::oci_layer_nd_gzip);
    if (c == Compression::zstd) return std::string(oci::media::oci_layer_nd_zstd);
    return std::string(oci::media::oci_layer_nd);
  }

  // Copies a blob as it is, stored under `out` (the source's descriptor, perhaps another media
  // type).
  Result<oci::Descriptor> copy_blob(Job& job, const oci::Descriptor& out) {
    const oci::Descriptor& d = job.source;
    if (m_dst.has_blob(d.digest)) {
      ++m_present;
      job.skipped = true;
      return out;
    }
    // The config is written from memory: reading it again would be one more request.
    BlobOpener open = [&]() -> Result<std::unique_ptr<ByteSource>> {
      if (job.bytes) return std::unique_ptr<ByteSource>(std::make_unique<MemorySource>(*job.bytes));
      return m_src.blob(d);
    };
    auto content = TRY(open());
    m_progress.start(job.item);
    TRY(about_blob(put(job, out, std::move(content), open), d.digest));
    ++(job.skipped ? m_present : m_copied);
    return out;
  }

  Result<oci::Descriptor> copy_layer(Job& job) {
    const oci::Descriptor& layer = job.source;
    // A blob that is no image layer (an artifact's) is copied as it is.
    std::optional<Compression> stored = m_src.blob_compression(layer);
    if (!stored) return copy_blob(job, layer);
    std::optional<Compression> target = m_dst.required_layer_compression();
    if (!target) target = m_options.compression;
    if (!target && *stored == Compression::none) target = m_dst.default_layer_compression();
    oci::Descriptor out = layer;
    if (!target || *target == *stored) {
      out.media_type = layer_type(layer.media_type, job.family, *stored);
      return copy_blob(job, out);
    }
    auto blob = TRY(m_src.blob(layer));
    auto peeked = TRY(compress::peek(std::move(blob)));
    out.media_type = layer_type(layer.media_type, job.family, *target);
    if (peeked.compression == *target) {
      if (m_dst.has_blob(layer.digest)) {
        ++m_present;
        job.skipped = true;
        return out;
      }
      m_progress.start(job.item);
      TRY(about_blob(put(job, out, std::move(peeked.stream), [&] { return m_src.blob(layer); }),
                     layer.digest));
      ++(job.skipped ? m_present : m_copied);
      return out;
    }
    // Re-encode: decompress (checking the diff_id), compress, hash, and write straight into
    // the destination where it can name a blob after writing it (a directory); elsewhere into
    // a spool first. The progress line counts the source's bytes, then a spooled blob's as it
    // is written.
    m_progress.start(job.item);
    auto read =
        std::make_unique<TrackedSource>(std::move(peeked.stream), m_progress, job.item, m_stop);
    const oci::Digest& diff_id = job.diff_id;
    auto plain = compress::decompress(std::move(read), peeked.compression);
    // An uncompressed blob is its own diff_id, which the source's stream already checks:
    // hashing the same bytes twice would cost a sixth of a gzip copy's time.
    if (peeked.compression != Compression::none || layer.digest != diff_id)
      plain = oci::verifying(std::move(plain), diff_id, std::nullopt,
                             "layer " + layer.digest.short_str());
    auto encoded = compress::compress(std::move(plain), *target);
    // Stored uncompressed, the output is the stream already checked against the diff_id as it
    // passes: hashing it again would give the same digest.
    bool plain_out = *target == Compression::none;
    CountingSource counted(*encoded);
    HashingSource hashed(*encoded);
    ByteSource& output = plain_out ? static_cast<ByteSource&>(counted) : hashed;
    auto digest = [&]() -> Result<oci::Digest> {
      out.size = plain_out ? counted.bytes() : hashed.bytes();
      out.digest = plain_out ? diff_id : TRY(oci::Digest::parse("sha256:" + hashed.hex_digest()));
      return out.digest;
    };
    // A damaged blob fails in the decompressor as often as in the digest check: either way the
    // error names it.
    if (m_dst.stores_unnamed_blobs()) {
      job.skipped = !TRY(about_blob(m_dst.put_unnamed_blob(output, digest), layer.digest));
      // Written, its line names the new blob (as after a spool); skipped, the source's, as
      // skopeo shows it.
      if (!job.skipped) m_progress.restart(job.item, out.digest.hex.substr(0, 12), out.size);
      ++(job.skipped ? m_present : m_copied);
      return out;
    }
    auto spool = std::make_shared<UniqueFd>(TRY(anonymous_temp_file()));
    FdSink sink(spool->get());
    auto reencode = [&]() -> Result<void> {
      TRY(pump(output, sink));
      TRY(digest());
      return sink.flush();
    };
    TRY(about_blob(reencode(), layer.digest));
    if (m_dst.has_blob(out.digest)) {
      ++m_present;
      job.skipped = true;
      return out;
    }
    m_progress.restart(job.item, out.digest.hex.substr(0, 12), out.size);
    auto spooled = [spool, size = out.size]() -> Result<std::unique_ptr<ByteSource>> {
      return std::unique_ptr<ByteSource>(std::make_unique<FileRegionSource>(spool, 0, size));
    };
    TRY(put(job, out, TRY(spooled()), spooled));
    ++(job.skipped ? m_present : m_copied);
    return out;
  }

  ImageSource& m_src;
  ImageSink& m_dst;
  std::map<std::string, RawManifest> m_copied_manifests;  // source digest -> as copied
  const CopyOptions& m_options;
  TransferProgress m_no_progress{nullptr, 0};  // draws nothing
  TransferProgress& m_progress;
  std::atomic<size_t> m_copied{0};
  std::atomic<size_t> m_present{0};
  std::atomic<bool> m_stop{false};
  std::mutex m_mutex;  // guards the failure
  std::optional<Error> m_error;
  std::exception_ptr m_exception;
};

}  // namespace

namespace {

// A --compress the destination cannot store is refused before anything is copied.
Result<void> check_compression(const ImageSink& dst, const CopyOptions& options) {
  auto required = dst.required_layer_compression();
  if (!options.compression || !required || *options.compression == *required) return {};
  return make_error(dst.describe() + ": layers are stored " +
                    std::string(compress::name(*required)) + " there; --compress " +
                    std::string(compress::name(*options.compression)) + " cannot be honoured");
}

// --preserve-digests: the destination must hold the source's manifest as it is.
Result<void> check_preserved(const ImageSink& dst, const RawManifest& source,
                             const RawManifest& written, const CopyOptions& options) {
  if (!options.preserve_digests) return {};
  oci::Digest published = TRY(dst.digest_for(written));
  if (published == source.digest) return {};
  return make_error("--preserve-digests: " + dst.describe() + " would hold " + source.digest.str() +
                    " as " + published.str() +
                    (written.digest != source.digest
                         ? " (its manifest must change: media types or layer compression)"
                         : " (the format stores no manifest; readers make their own)"));
}

}  // namespace

Result<CopyResult> copy_image(ImageSource& src, ImageSink& dst, const CopyOptions& options) {
  TRY(check_compression(dst, options));
  CopyResult result;
  Copier copier(src, dst, options);
  auto counts = [&] {
    result.blobs_copied = copier.blobs_copied();
    result.blobs_present = copier.blobs_present();
  };
  if (options.all_platforms) {
    RawManifest root = TRY(src.root());
    if (oci::sniff_document(root.bytes, root.media_type) == oci::DocumentKind::index) {
      if (!dst.supports_index())
        return make_error(dst.describe() + ": holds one image; drop --all to pick a platform");
      RawManifest out = TRY(copier.copy_index(root, 0));
      TRY(check_preserved(dst, root, out, options));
      result.root_digest = TRY(dst.digest_for(out));
      TRY(dst.commit(out, root_descriptor(out)));
      counts();
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
  TRY(check_preserved(dst, img.raw, out, options));
  result.root_digest = TRY(dst.digest_for(out));
  TRY(dst.commit(out, desc));
  counts();
  return result;
}

}  // namespace pith::transport
