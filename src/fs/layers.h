// Reading an image's layers: each once, in parallel, into per-layer results that are merged
// in layer order afterwards (no shared mutable state between workers). A layer's result
// depends only on that layer's bytes, so it can be cached by diff_id.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "tar/entry.h"
#include "transport/resolve.h"
#include "transport/source.h"

namespace pith::fs {

// Which file contents a reader wants kept, decided from the entry alone (package databases,
// manifests) or from the entry and its first bytes (ELF binaries, scripts). Ordered: a
// later value asks for more, so two readers' wishes combine with std::max.
enum class Want {
  nothing,
  content_if_elf,
  // ELF files whole; of a script ("#!" first) its first line only, up to k_max_shebang_line.
  elf_or_shebang,
  content,
};
inline constexpr size_t k_max_shebang_line = 256;
using CapturePolicy = std::function<Want(const tar::Entry&)>;

struct CapturedFile;
// Receives the SHA-256 (lower-case hex) of a regular file's content, in the worker reading
// layer `layer` (see ScanOptions::digest).
using DigestConsumer =
    std::function<void(size_t layer, const tar::Entry& entry, std::string sha256_hex)>;
// Receives a captured file in the worker reading layer `layer` (workers read distinct layers,
// so a consumer writing to a per-layer slot needs no lock). Without one, files are kept in
// LayerEntries::captured.
using CaptureConsumer = std::function<void(size_t layer, CapturedFile&& file)>;

struct ScanOptions {
  CapturePolicy capture;  // empty: keep no content
  // Shared by the workers: entries read so far over all layers, and the bytes of their paths
  // and link targets, against k_max_entries and k_max_path_bytes_total (util/limits.h).
  // read_layers() sets them; read_layer() alone counts its own layer.
  std::atomic<size_t>* entries_read = nullptr;
  std::atomic<uint64_t>* path_bytes_read = nullptr;
  // Also shared: the bytes of sparse holes hashed for `digest`, against
  // k_max_hashed_hole_bytes (a file past it is left unhashed, with a warning).
  std::atomic<uint64_t>* holes_hashed = nullptr;
  CaptureConsumer consume;
  // Regular files whose content's SHA-256 is wanted (an SBOM's file checksums). The content is
  // hashed as it streams by: the stored runs where the layer reader holds them, never copied
  // unless the file is captured anyway; a sparse file's holes are hashed as the zeros they
  // read as. Both must be set.
  std::function<bool(const tar::Entry&)> digest;
  DigestConsumer on_digest;
  uint64_t max_capture_bytes = 512 << 20;  // larger files are not kept (a warning says so)
  unsigned threads = 0;                    // 0: one per core
  // Called by the worker that finished layer `layer` (for progress reports).
  std::function<void(size_t layer, uint64_t uncompressed_bytes)> on_layer_done;
};

struct CapturedFile {
  std::string path;  // normalised, as in tar::Entry
  std::string bytes;
  uint32_t mode = 0;  // the entry's permission bits
};

struct LayerEntries {
  std::vector<tar::Entry> entries;  // archive order
  uint64_t uncompressed_size = 0;   // bytes of the layer tar
  std::vector<CapturedFile> captured;
  std::vector<std::string> warnings;
};

// The bounds an image's layers are held to together (util/limits.h): entries, and the bytes
// of their paths and link targets. read_layer counts as it goes; a merge of layers read
// earlier (fleet) checks its sums.
Result<void> check_image_totals(uint64_t entries, uint64_t path_bytes);

// Reads layer `index` of `img`.
Result<LayerEntries> read_layer(transport::ImageSource& src, const transport::ResolvedImage& img,
                                size_t index, const ScanOptions& options = {});

// Reads every layer, `options.threads` at a time. Errors name the layer.
Result<std::vector<LayerEntries>> read_layers(transport::ImageSource& src,
                                              const transport::ResolvedImage& img,
                                              const ScanOptions& options = {});

}  // namespace pith::fs
