// Fuzz target: an OCI layout read end to end as `pith ls` reads it (index.json, nested
// indexes, platform choice, manifest, config, each layer decompressed, verified and listed,
// the layers squashed), from files held in memory. The input is the layout's files as
// sections (fuzz_image.h), so digests can be right and the hostile parts get read.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fs/efficiency.h"
#include "fs/layers.h"
#include "fs/tree.h"
#include "fuzz_image.h"
#include "fuzz_layout.h"
#include "transport/oci_layout.h"
#include "transport/resolve.h"

namespace {

using namespace pith;

// What `pith inspect` keeps: ELF files (for Go and Rust build info) and a few databases.
fs::Want capture(const tar::Entry& e) {
  if (e.path == "etc/os-release" || e.path == "var/lib/dpkg/status") return fs::Want::content;
  return fs::Want::content_if_elf;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<fuzz::File> files = fuzz::make_files(input);

  // A tag selects by org.opencontainers.image.ref.name; only the root is read for it.
  auto tagged = transport::open_oci_layout_source(std::make_unique<fuzz::MemoryFiles>(files),
                                                  "latest", "fuzz:latest");
  if (tagged) (void)(*tagged)->root();

  auto src = transport::open_oci_layout_source(
      std::make_unique<fuzz::MemoryFiles>(std::move(files)), "", "fuzz");
  if (!src) return 0;
  auto img = transport::resolve_image(**src, std::nullopt);
  if (!img) return 0;
  fuzz::check(img->config.diff_ids.size() == img->manifest.layers.size());

  fs::ScanOptions options;
  options.threads = 1;
  options.capture = capture;
  auto layers = fs::read_layers(**src, *img, options);
  if (!layers) return 0;
  fuzz::check(layers->size() == img->manifest.layers.size());
  fs::Tree tree;
  for (size_t i = 0; i < layers->size(); ++i) {
    for (const auto& e : (*layers)[i].entries) {
      std::string normal;
      fuzz::check(tar::normalize_path(e.path, normal) && normal == e.path);
    }
    if (!tree.apply_layer(i, (*layers)[i].entries)) return 0;
  }
  fuzz::check_tree(tree, layers->size());
  auto efficiency = fs::compute_efficiency(*layers);
  if (efficiency) fuzz::check_efficiency(*efficiency, *layers);
  return 0;
}
