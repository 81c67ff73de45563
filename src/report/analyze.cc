// The inspect pipeline: resolve → layers in parallel (entries, captured files, packages) →
// merge in layer order (squash, counts, efficiency, OS packages, surface).
#include "report/analyze.h"

#include <atomic>
#include <future>

#include "catalog/os_purl.h"
#include "fs/layers.h"
#include "report/os_release.h"
#include "report/packages.h"
#include "report/surface.h"

namespace pith::report {

namespace {

// The content of `path` as the final tree shows it ("" if absent).
std::string final_content(const std::vector<LayerCatalog>& layers, const fs::Tree& tree,
                          const std::string& path) {
  const fs::Node* node = tree.lookup(path);
  if (node == nullptr || node->entry.type != tar::EntryType::regular) return "";
  // The layer captured the file under the path it wrote (through a symlinked parent, maybe).
  const auto& files = layers[node->layer].system_files;
  for (auto it = files.rbegin(); it != files.rend(); ++it)
    if (it->path == node->entry.path) return it->bytes;
  return "";
}

FileCounts count_files(const fs::Tree& tree, uint64_t& content_bytes) {
  FileCounts c;
  content_bytes = 0;
  tree.for_each([&](const std::string&, const fs::Node& node) {
    ++c.entries;
    switch (node.entry.type) {
      case tar::EntryType::regular:
        ++c.regular;
        content_bytes += node.entry.size;
        break;
      case tar::EntryType::hardlink:
        ++c.regular;
        ++c.hardlinks;
        break;
      case tar::EntryType::directory:
        ++c.directories;
        break;
      case tar::EntryType::symlink:
        ++c.symlinks;
        break;
      default:
        ++c.other;
    }
  });
  return c;
}

}  // namespace

size_t InspectReport::os_package_count() const {
  size_t n = 0;
  for (const auto& p : packages) n += catalog::is_os_package(p.package.type) ? 1 : 0;
  return n;
}

size_t InspectReport::language_package_count() const {
  return packages.size() - os_package_count();
}

Result<InspectReport> analyze_image(transport::ImageSource& src,
                                    const transport::ResolvedImage& img,
                                    const AnalyzeOptions& options) {
  const size_t n = img.manifest.layers.size();

  // 1. Every layer once, in parallel; each worker catalogs the files of its own layer.
  std::vector<LayerCatalog> catalogs(n);
  std::atomic<size_t> done{0};
  std::atomic<uint64_t> bytes_done{0};
  fs::ScanOptions scan;
  scan.threads = options.threads;
  scan.capture = wanted_content;
  if (options.also_capture)
    scan.capture = [&](const tar::Entry& e) {
      return std::max(wanted_content(e), options.also_capture(e));
    };
  scan.digest = options.also_digest;
  scan.on_digest = options.on_digest;
  CatalogBudget budget;
  scan.consume = [&](size_t layer, fs::CapturedFile&& f) {
    if (options.also_consume) {
      options.also_consume(layer, f);
      // Only what inspect itself asked for reaches its catalogers: its results stay the same.
      tar::Entry e;
      e.path = f.path;
      e.mode = f.mode;
      e.size = f.bytes.size();
      if (wanted_content(e) == fs::Want::nothing) return;
    }
    catalog_file(std::move(f), catalogs[layer], budget);
  };
  scan.on_layer_done = [&](size_t, uint64_t bytes) {
    uint64_t total = bytes_done += bytes;
    if (options.on_layer_done) options.on_layer_done(++done, n, total);
  };
  std::vector<fs::LayerEntries> layers = TRY(fs::read_layers(src, img, scan));

  // 2. Merge in layer order.
  return merge_layers(src.describe(), img, layers, catalogs, options.tree);
}

Result<InspectReport> merge_layers(std::string reference, const transport::ResolvedImage& img,
                                   const std::vector<fs::LayerEntries>& layers,
                                   const std::vector<LayerCatalog>& catalogs, fs::Tree* tree_out) {
  const size_t n = img.manifest.layers.size();
  if (layers.size() != n || catalogs.size() != n || img.config.diff_ids.size() != n)
    return make_error("the image has " + std::to_string(n) + " layers, " +
                      std::to_string(img.config.diff_ids.size()) + " diff_ids, and " +
                      std::to_string(layers.size()) + " were read");
  InspectReport r;
  r.reference = std::move(reference);
  r.digest = img.raw.digest;
  r.media_type = oci::effective_media_type(img.manifest);
  r.config_digest = img.manifest.config.digest;
  r.platform = oci::Platform{img.config.os, img.config.architecture, img.config.variant, ""};
  r.config = img.config;

  fs::Tree tree;
  auto history = oci::layer_history(img.config);
  r.compressed_size = img.manifest.config.size;
  for (size_t i = 0; i < n; ++i) {
    TRY(tree.apply_layer(i, layers[i].entries)
            .wrap("layer " + std::to_string(i) + " (" + img.manifest.layers[i].digest.short_str() +
                  ")"));
    LayerReport lr;
    lr.descriptor = img.manifest.layers[i];
    lr.diff_id = img.config.diff_ids[i];
    lr.uncompressed_size = layers[i].uncompressed_size;
    for (const auto& e : layers[i].entries) {
      if (e.path.empty()) continue;
      ++lr.entries;
      if (e.type == tar::EntryType::regular) lr.added_bytes += e.size;
    }
    if (history.size() == n) lr.created_by = history[i]->created_by;
    r.compressed_size += lr.descriptor.size;
    r.uncompressed_size += lr.uncompressed_size;
    r.layers.push_back(std::move(lr));
    for (const auto& w : layers[i].warnings) r.warnings.push_back(w);
  }
  // Waste accounting reads the entries and the squashed tree (only reads: the merge reads it
  // too) and is more work than the rest of the merge, so it runs beside it (the read-ahead
  // threads are done by now and a core is free). It starts once the squash has accepted every
  // layer: a hostile one is refused before dive's trees are made.
  auto efficiency = std::async(std::launch::async,
                               [&layers, &tree] { return fs::compute_efficiency(layers, &tree); });
  r.files = count_files(tree, r.content_size);

  std::string os_release = final_content(catalogs, tree, "etc/os-release");
  if (os_release.empty()) os_release = final_content(catalogs, tree, "usr/lib/os-release");
  if (!os_release.empty()) r.os = parse_os_release(os_release);
  catalog::OsContext os;
  if (r.os)
    os = catalog::make_os_context(r.os->id, r.os->version_id, [&](std::string_view path) {
      return final_content(catalogs, tree, std::string(path));
    });
  r.packages = merge_packages(catalogs, tree, os, r.warnings);
  r.surface = find_surface(tree, img.config.user, final_content(catalogs, tree, "etc/passwd"));
  r.efficiency = TRY(efficiency.get());
  if (tree_out) *tree_out = std::move(tree);
  return r;
}

}  // namespace pith::report
