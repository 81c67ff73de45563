// Parallel layer reading over a shared work counter; results land in per-layer slots.
#include "fs/layers.h"

#include <atomic>
#include <cstring>
#include <thread>

#include "tar/layer_reader.h"
#include "transport/layer.h"
#include "util/limits.h"

namespace pith::fs {

namespace {

constexpr char k_elf_magic[] =
    "\x7f"
    "ELF";

// Reads an entry's content into one allocation of its known size (appending in chunks would
// double large files' footprint while the string grows).
Result<std::string> read_content(ByteSource& content, uint64_t size, std::string prefix) {
  std::string out = std::move(prefix);
  size_t have = out.size();
  out.resize(size);
  while (have < size) {
    size_t n = TRY(content.read(std::as_writable_bytes(std::span(out.data() + have, size - have))));
    if (n == 0) return make_error("content shorter than its header says");
    have += n;
  }
  return out;
}

// Up to `n` first bytes (fewer at the end of the content).
Result<std::string> read_head(ByteSource& content, size_t n) {
  std::string head(n, '\0');
  size_t got = 0;
  while (got < n) {
    size_t r = TRY(content.read(std::as_writable_bytes(std::span(head.data() + got, n - got))));
    if (r == 0) break;
    got += r;
  }
  head.resize(got);
  return head;
}

void keep(size_t layer, CapturedFile&& file, const ScanOptions& options, LayerEntries& out) {
  if (options.consume)
    options.consume(layer, std::move(file));
  else
    out.captured.push_back(std::move(file));
}

// Keeps the entry's content if the policy asks for it and it fits.
Result<void> capture(size_t layer, const tar::Entry& e, ByteSource& content,
                     const ScanOptions& options, LayerEntries& out) {
  if (!options.capture || e.type != tar::EntryType::regular) return {};
  Want want = options.capture(e);
  if (want == Want::nothing) return {};
  if (e.size > options.max_capture_bytes) {
    out.warnings.push_back("/" + e.path + ": " + std::to_string(e.size) +
                           " bytes is too large to analyse; skipped");
    return {};
  }
  if (want == Want::content_if_elf || want == Want::elf_or_shebang) {
    if (e.size < 4) return {};
    std::string head = TRY(read_head(content, 4));
    if (head.size() < 4) return {};
    if (std::memcmp(head.data(), k_elf_magic, 4) == 0) {
      std::string bytes = TRY(read_content(content, e.size, std::move(head)));
      keep(layer, CapturedFile{e.path, std::move(bytes), e.mode}, options, out);
    } else if (want == Want::elf_or_shebang && head.starts_with("#!")) {
      head += TRY(read_head(content, std::min<uint64_t>(e.size, k_max_shebang_line) - 4));
      keep(layer, CapturedFile{e.path, head.substr(0, head.find('\n')), e.mode}, options, out);
    }
    return {};
  }
  keep(layer, CapturedFile{e.path, TRY(read_content(content, e.size, "")), e.mode}, options, out);
  return {};
}

}  // namespace

Result<LayerEntries> read_layer(transport::ImageSource& src, const transport::ResolvedImage& img,
                                size_t index, const ScanOptions& options) {
  const auto& desc = img.manifest.layers.at(index);
  auto stream = TRY(transport::open_layer(src, desc, img.config.diff_ids.at(index)));
  CountingSource counted(*stream);
  LayerEntries out;
  std::atomic<size_t> own_entries{0};
  std::atomic<uint64_t> own_bytes{0};
  auto& entries_read = options.entries_read ? *options.entries_read : own_entries;
  auto& path_bytes = options.path_bytes_read ? *options.path_bytes_read : own_bytes;
  TRY(tar::for_each_entry(counted, [&](const tar::Entry& e, ByteSource& content) -> Result<void> {
        // Millions of tiny entries, or of long paths, compress to almost nothing: their count
        // and their bytes bound what is kept.
        if (++entries_read > k_max_entries)
          return make_error("more than " + std::to_string(k_max_entries) + " entries in the image");
        if ((path_bytes += e.path.size() + e.link_target.size()) > k_max_path_bytes_total)
          return make_error("the paths of the image's entries take more than " +
                            std::to_string(k_max_path_bytes_total) + " bytes");
        out.entries.push_back(e);
        return capture(index, e, content, options, out);
      }).wrap("layer " + std::to_string(index) + " (" + desc.digest.short_str() + ")"));
  out.uncompressed_size = counted.bytes();
  return out;
}

Result<std::vector<LayerEntries>> read_layers(transport::ImageSource& src,
                                              const transport::ResolvedImage& img,
                                              const ScanOptions& options) {
  size_t n = img.manifest.layers.size();
  unsigned threads = options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(n, 1)));
  std::vector<std::optional<Result<LayerEntries>>> slots(n);
  std::atomic<size_t> next{0};
  std::atomic<size_t> entries_read{0};
  std::atomic<uint64_t> path_bytes_read{0};
  ScanOptions shared = options;
  shared.entries_read = &entries_read;
  shared.path_bytes_read = &path_bytes_read;
  auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) {
      slots[i] = read_layer(src, img, i, shared);
      if (options.on_layer_done && *slots[i])
        options.on_layer_done(i, slots[i]->value().uncompressed_size);
    }
  };
  std::vector<std::jthread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  pool.clear();  // joins
  std::vector<LayerEntries> out;
  out.reserve(n);
  for (auto& slot : slots) {
    if (!*slot) return std::move(*slot).error();
    out.push_back(std::move(*slot).value());
  }
  return out;
}

}  // namespace pith::fs
