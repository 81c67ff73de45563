// Where images are written. A sink receives blobs, then manifests, then commit() names the
// root and makes the image appear at once; a sink destroyed before commit() leaves nothing.
#pragma once

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

class ImageSink {
 public:
  virtual ~ImageSink() = default;
  virtual std::string describe() const = 0;
  // Layer compression the format requires (docker-archive: none); nullopt = any.
  virtual std::optional<compress::Compression> required_layer_compression() const { return {}; }
  // False for formats that hold exactly one image (docker-archive).
  virtual bool supports_index() const { return true; }
  virtual bool has_blob(const oci::Digest& d) const = 0;
  // Stores a blob; `content` yields exactly d.size bytes of digest d (it is a verified stream).
  virtual Result<void> put_blob(const oci::Descriptor& d, ByteSource& content) = 0;
  // Stores a child manifest or index (as a blob).
  virtual Result<void> put_manifest(const RawManifest& m) = 0;
  // Stores the root manifest or index and publishes the image under the reference's name.
  virtual Result<void> commit(const RawManifest& root, const oci::Descriptor& root_descriptor) = 0;
};

// `registry` matters only for docker:// references.
Result<std::unique_ptr<ImageSink>> open_sink(const ImageRef& ref,
                                             const RegistryOptions& registry = {});

}  // namespace pith::transport
