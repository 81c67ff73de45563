// `--from IMAGE` unpacked: every layer applied in order by fs's unpacker (whiteouts applied,
// files only).
#include "build/unpack.h"

#include "fs/unpack.h"
#include "transport/layer.h"

namespace pith::build {

Result<void> unpack_image(transport::ImageSource& src, const transport::ResolvedImage& img,
                          const std::string& dir, bool keep_owners) {
  fs::UnpackOptions options;
  if (keep_owners) options.metadata = fs::UnpackOptions::Metadata::keep;
  fs::Unpacker unpacker = TRY(fs::Unpacker::open(dir, options));
  const auto& layers = img.manifest.layers;
  for (size_t i = 0; i < layers.size(); ++i) {
    auto ctx = "layer " + std::to_string(i) + " (" + layers[i].digest.str() + ")";
    auto stream = TRY(transport::open_layer(src, layers[i], img.config.diff_ids.at(i)).wrap(ctx));
    TRY(tar::for_each_entry(*stream, [&](const tar::Entry& e, tar::EntryContent& content) {
          return unpacker.apply(e, content);
        }).wrap(ctx));
  }
  return unpacker.finish();
}

}  // namespace pith::build
