// Parallel layer reading over a shared work counter; results land in per-layer slots.
#include "fs/layers.h"

#include <atomic>
#include <thread>

#include "tar/layer_reader.h"
#include "transport/layer.h"

namespace pith::fs {

Result<LayerEntries> read_layer(transport::ImageSource& src, const transport::ResolvedImage& img,
                                size_t index) {
  const auto& desc = img.manifest.layers.at(index);
  auto stream = TRY(transport::open_layer(src, desc, img.config.diff_ids.at(index)));
  HashingSource counted(*stream);
  LayerEntries out;
  TRY(tar::for_each_entry(counted, [&](const tar::Entry& e, ByteSource&) -> Result<void> {
        out.entries.push_back(e);
        return {};
      }).wrap("layer " + std::to_string(index) + " (" + desc.digest.short_str() + ")"));
  out.uncompressed_size = counted.bytes();
  return out;
}

Result<std::vector<LayerEntries>> read_layers(transport::ImageSource& src,
                                              const transport::ResolvedImage& img,
                                              unsigned threads) {
  size_t n = img.manifest.layers.size();
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(n, 1)));
  std::vector<std::optional<Result<LayerEntries>>> slots(n);
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) slots[i] = read_layer(src, img, i);
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
