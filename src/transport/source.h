// Where images are read from. Every transport (oci layout, oci-archive, docker-archive,
// rootfs) presents the same view: a root manifest or index, child manifests, and blobs that
// are verified against their digests while they stream.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "oci/descriptor.h"
#include "oci/media_types.h"
#include "transport/reference.h"
#include "transport/registry_options.h"
#include "util/byte_source.h"
#include "util/result.h"

namespace pith::transport {

// A manifest or index exactly as stored (its digest is over these bytes).
struct RawManifest {
  std::string bytes;
  std::string media_type;
  oci::Digest digest;
};

class ImageSource {
 public:
  virtual ~ImageSource() = default;
  virtual std::string describe() const = 0;
  // The manifest or index the reference names.
  virtual Result<RawManifest> root() = 0;
  // A manifest or index that an index points to (read and digest-checked).
  virtual Result<RawManifest> manifest(const oci::Descriptor& d) = 0;
  // A blob as stored. The stream fails at its end if the bytes do not match d.digest / d.size.
  virtual Result<std::unique_ptr<ByteSource>> blob(const oci::Descriptor& d) = 0;
  // How a layer's blob() bytes are compressed: as its media type says, except in a docker-archive,
  // whose manifest calls every layer gzip (as containers/image's does) and serves them plain.
  virtual std::optional<compress::Compression> blob_compression(const oci::Descriptor& d) const {
    return oci::layer_compression(d.media_type);
  }
  // True when blob() may be called, and its streams read, on several threads at once; false
  // for sources that read one stream front to back (a daemon's export).
  virtual bool parallel_reads() const { return false; }
};

// Opens the image a reference names. A bare path is recognised by content: a directory
// with an oci-layout file, or a tar (optionally compressed) holding an OCI layout or a
// docker-archive manifest.json. Anything else is "not an image".
// `platform` (--platform) labels a root filesystem (rootfs:), checked against its ELF files;
// other sources pick by it later (resolve_image).
Result<std::unique_ptr<ImageSource>> open_source(
    const ImageRef& ref, const RegistryOptions& registry = {},
    const std::optional<oci::Platform>& platform = std::nullopt);

// Reads a manifest blob through a source's blob() and checks it is a JSON document of
// sane size; shared by the transports.
Result<RawManifest> read_manifest_blob(ImageSource& src, const oci::Descriptor& d);

}  // namespace pith::transport
