// Where images are written. A sink receives blobs, then manifests, then commit() names the
// root and makes the image appear at once; a sink destroyed before commit() leaves nothing.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "compress/compression.h"
#include "oci/descriptor.h"
#include "transport/reference.h"
#include "transport/registry_options.h"
#include "transport/source.h"
#include "util/byte_source.h"
#include "util/result.h"

namespace pith::transport {

// Opens a blob's content from its start, as a verified stream. A sink that can retry a failed
// upload (a registry) calls it again for a fresh copy of the bytes.
using BlobOpener = std::function<Result<std::unique_ptr<ByteSource>>()>;

class ImageSink {
 public:
  virtual ~ImageSink() = default;
  virtual std::string describe() const = 0;
  // Layer compression the format requires (docker-archive: none); nullopt = any.
  virtual std::optional<compress::Compression> required_layer_compression() const { return {}; }
  // Compression for layers stored uncompressed at the source when no --compress is given:
  // skopeo gzips them for oci:, oci-archive: and docker://; nullopt keeps them.
  virtual std::optional<compress::Compression> default_layer_compression() const { return {}; }
  // True for formats whose readers accept only OCI manifests and indexes (an OCI layout):
  // Docker v2 schema 2 ones are converted, as skopeo does.
  virtual bool requires_oci_manifests() const { return false; }
  // False for formats that hold exactly one image (docker-archive).
  virtual bool supports_index() const { return true; }
  virtual bool has_blob(const oci::Digest& d) const = 0;
  // Stores a blob; `content` yields exactly d.size bytes of digest d (it is a verified stream).
  virtual Result<void> put_blob(const oci::Descriptor& d, ByteSource& content) = 0;
  // What put_blob_from did: wrote the bytes, or linked a copy the destination already had
  // elsewhere (a registry's cross-repository mount), which counts as skipped.
  enum class Stored { written, mounted };
  // The same from an opener; sinks whose uploads can fail half-way (a registry) reopen the
  // content and try again. By default: one put_blob of one opened stream.
  virtual Result<Stored> put_blob_from(const oci::Descriptor& d, const BlobOpener& open) {
    auto content = TRY(open());
    TRY(put_blob(d, *content));
    return Stored::written;
  }
  // True where a blob can be stored before its digest is known (a directory writes it under a
  // temporary name): a re-encoded layer then goes straight in, not through a spool first.
  virtual bool stores_unnamed_blobs() const { return false; }
  // Stores `content` as the blob `digest()` names, asked once the last byte is read; false when
  // the destination had that blob already.
  virtual Result<bool> put_unnamed_blob(ByteSource& content,
                                        const std::function<Result<oci::Digest>()>& digest) {
    (void)content;
    (void)digest;
    return make_error(describe() + ": needs a blob's digest before its content");
  }
  // True when put_blob and has_blob may run on several threads at once (blobs of one image
  // copied in parallel); archives written as one stream say false.
  virtual bool parallel_puts() const { return false; }
  // Stores a child manifest or index (as a blob).
  virtual Result<void> put_manifest(const RawManifest& m) = 0;
  // The digest that readers of the destination report for the image whose root is `root`
  // (skopeo inspect, podman after loading it, pith inspect): `root`'s own, except where a format
  // stores no manifest and readers make one (docker-archive). Known before commit().
  virtual Result<oci::Digest> digest_for(const RawManifest& root) const { return root.digest; }
  // Stores the root manifest or index and publishes the image under the reference's name.
  virtual Result<void> commit(const RawManifest& root, const oci::Descriptor& root_descriptor) = 0;
};

// `registry` matters only for docker:// references.
Result<std::unique_ptr<ImageSink>> open_sink(const ImageRef& ref,
                                             const RegistryOptions& registry = {});

}  // namespace pith::transport
