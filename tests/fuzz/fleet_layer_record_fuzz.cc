// Fuzz target for the stored form of a layer's analysis (fleet/layer_analysis.h): decode() of
// hostile bytes is a record or an error, never a crash; a record decoded is canonical (encoding
// it again gives bytes that decode to the same encoding); and an image of that one layer merges
// (squash, packages, lint's rules on the stored facts, the sbom's join) without crashing.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "compress/compression.h"
#include "fleet/layer_analysis.h"
#include "fleet/record.h"
#include "util/byte_source.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pith;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // A record as stored; anything else is taken as a body and framed (header, zstd) here, so
  // mutations reach the body's decoders instead of dying at zstd's checksum.
  std::string bytes(input);
  if (!input.starts_with("PITHLAYR")) {
    fleet::RecordWriter head;
    head.raw("PITHLAYR");
    head.u64(1);
    head.u64(fleet::k_analyzer_version);
    head.u64(input.size());
    auto z = compress::compress(std::make_unique<MemorySource>(bytes), compress::Compression::zstd);
    auto framed = read_all(*z, UINT64_MAX);
    check(framed.ok());
    bytes = head.out() + *framed;
  }
  auto a = fleet::decode(bytes);
  if (!a) {
    check(a.error().message.starts_with("layer analysis record: "));
    return 0;
  }
  std::string again = fleet::encode(*a);
  auto b = fleet::decode(again);
  check(b.ok());
  check(fleet::encode(*b) == again);

  transport::ResolvedImage img;
  oci::Descriptor layer;
  layer.media_type = "application/vnd.oci.image.layer.v1.tar";
  layer.digest = a->diff_id;
  img.manifest.layers.push_back(layer);
  img.config.diff_ids.push_back(a->diff_id);
  img.config.os = "linux";
  img.config.architecture = "amd64";
  std::vector<fleet::LayerAnalysis> layers;
  layers.push_back(std::move(*a));
  auto merged = fleet::merge_image("fuzz", img, std::move(layers));
  if (merged) {
    check(merged->sbom.packages.size() == merged->sbom.report.packages.size());
    check(merged->inspect.layers.size() == 1);
  }
  return 0;
}
