// Copying an image from any source to any sink, as `skopeo copy` does: blobs pass through
// untouched (digests stay the same) unless a compression is asked for or the destination
// format requires one; the manifest is rewritten only when a layer changed.
#pragma once

#include <optional>

#include "compress/compression.h"
#include "oci/descriptor.h"
#include "transport/sink.h"
#include "transport/source.h"

namespace pith::transport {

struct CopyOptions {
  std::optional<compress::Compression> compression;  // nullopt: keep layers as stored
  std::optional<oci::Platform> platform;             // nullopt: the host's
  bool all_platforms = false;                        // copy a whole index
};

struct CopyResult {
  oci::Digest root_digest;  // of the manifest or index written
  size_t blobs_copied = 0;
  size_t blobs_present = 0;  // skipped: the destination had them
};

Result<CopyResult> copy_image(ImageSource& src, ImageSink& dst, const CopyOptions& options);

}  // namespace pith::transport
