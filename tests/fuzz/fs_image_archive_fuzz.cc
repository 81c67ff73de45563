// Fuzz target: an image archive file read end to end as `pith ls FILE` reads it: recognised by
// content (docker-archive or oci-archive, compressed or not), indexed, resolved, every layer
// decompressed, verified and listed, the layers squashed. The input is the archive itself,
// or (starting with "=== ") its members as sections (fuzz_image.h) written into a tar here,
// so that digests can be right and manifest.json, index.json and the blobs get read; a first
// section with no path names the filters of the archive as a whole ("===  gzip").
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include "fs/efficiency.h"
#include "fs/layers.h"
#include "fs/tree.h"
#include "fuzz_image.h"
#include "fuzz_scratch.h"
#include "transport/resolve.h"
#include "transport/source.h"

namespace {

using namespace pith;

std::string archive_bytes(std::string_view input) {
  if (!input.starts_with(fuzz::k_section_mark)) return std::string(input);
  std::vector<fuzz::File> files = fuzz::make_files(input);
  fuzz::StringSink sink;
  tar::Writer writer(sink);
  for (auto& f : files) {
    if (f.path.empty()) continue;
    tar::Entry e;
    e.path = f.path;
    e.mode = 0644;
    e.size = f.bytes.size();
    MemorySource content(std::move(f.bytes));
    (void)writer.add(e, &content);
  }
  (void)writer.finish();
  std::string bytes = std::move(sink.bytes());
  // "===  gzip": the archive compressed as a whole.
  std::vector<std::string_view> words = fuzz::header_words(fuzz::split_sections(input)[0].header);
  if (words[0].empty())
    for (size_t w = 1; w < words.size(); ++w)
      bytes = fuzz::apply_filter(words[w], std::move(bytes));
  return bytes;
}

void read_image(const std::string& reference) {
  auto ref = transport::parse_reference(reference);
  fuzz::check(ref.ok());
  auto src = transport::open_source(*ref);
  if (!src) return;
  auto img = transport::resolve_image(**src, std::nullopt);
  if (!img) return;
  fuzz::check(img->config.diff_ids.size() == img->manifest.layers.size());
  fs::ScanOptions options;
  options.threads = 1;
  options.capture = [](const tar::Entry&) { return fs::Want::content_if_elf; };
  auto layers = fs::read_layers(**src, *img, options);
  if (!layers) return;
  fuzz::check(layers->size() == img->manifest.layers.size());
  fs::Tree tree;
  for (size_t i = 0; i < layers->size(); ++i)
    if (!tree.apply_layer(i, (*layers)[i].entries)) return;
  fuzz::check_tree(tree, layers->size());
  auto efficiency = fs::compute_efficiency(*layers);
  if (efficiency) fuzz::check_efficiency(*efficiency, *layers);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::ScratchDir scratch;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string path = scratch.path() + "/image";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);  // the archive pith opens
    std::string bytes = archive_bytes(input);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    fuzz::check(out.good());
  }
  read_image(path);
  // The second image of a docker archive, by its position.
  read_image("docker-archive:" + path + ":@1");
  return 0;
}
