// Copying an image from any source to any sink, as `skopeo copy` does: blobs pass through
// untouched (digests stay the same) unless a compression is asked for, the destination format
// requires one, or the layer is uncompressed and the destination gzips by default (oci:,
// oci-archive:, docker://); Docker manifests become OCI ones where only those are read (an OCI
// layout, or zstd layers); the manifest is rewritten only when something changed. The blobs of an
// image are copied on several threads when both ends allow it, with the same result as one by
// one: the manifest written is byte-identical.
#pragma once

#include <optional>

#include "compress/compression.h"
#include "oci/descriptor.h"
#include "transport/sink.h"
#include "transport/source.h"

namespace pith {
class TransferProgress;
}

namespace pith::transport {

// Blobs copied at once at most: enough to hide a registry's latency per blob on a small
// machine (containers/image, behind skopeo and podman, copies up to 6 by default).
inline constexpr size_t k_max_parallel_copies = 4;

struct CopyOptions {
  std::optional<compress::Compression> compression;  // nullopt: keep layers as stored
  std::optional<oci::Platform> platform;             // nullopt: the host's
  bool all_platforms = false;                        // copy a whole index
  // Refuse (before commit) a copy whose manifest the destination would not hold unchanged, as
  // skopeo's --preserve-digests does.
  bool preserve_digests = false;
  // Blobs of one image copied at once, when the source reads and the sink writes in parallel;
  // 1 copies them one after the other.
  size_t parallel = k_max_parallel_copies;
  TransferProgress* progress = nullptr;  // a line per blob on a terminal; nullptr: none
};

struct CopyResult {
  // Of the manifest or index written, as the destination's readers report it (ImageSink::
  // digest_for: a docker-archive's is the manifest containers/image makes of it).
  oci::Digest root_digest;
  size_t blobs_copied = 0;
  size_t blobs_present = 0;  // skipped: the destination had them
};

Result<CopyResult> copy_image(ImageSource& src, ImageSink& dst, const CopyOptions& options);

}  // namespace pith::transport
