#include "build/outputs.h"

#include <memory>

#include "transport/copy.h"
#include "transport/sink.h"

namespace pith::build {

Result<Outputs> open_outputs(const std::vector<std::string>& outputs,
                             const transport::RegistryOptions& registry,
                             const std::optional<compress::Compression>& asked,
                             compress::Compression fallback) {
  Outputs opened;
  opened.names = outputs;
  opened.asked = asked;
  bool all_uncompressed = true;
  for (const auto& out : outputs) {
    auto ref = TRY(transport::parse_reference(out).wrap("-o"));
    opened.sinks.push_back(TRY(transport::open_sink(ref, registry).wrap(out)));
    all_uncompressed = all_uncompressed && opened.sinks.back()->required_layer_compression() ==
                                               compress::Compression::none;
  }
  if (asked)
    opened.compression = *asked;
  else if (all_uncompressed && !opened.sinks.empty())
    opened.compression = compress::Compression::none;
  else
    opened.compression = fallback;
  return opened;
}

Result<WrittenImage> write_outputs(const Plan& plan, LayerMode layers, ImageSettings settings,
                                   Outputs& outputs, TransferProgress* progress,
                                   std::vector<EarlyLayer> early) {
  settings.compression = outputs.compression;
  auto image = TRY(assemble_image(plan, layers, settings, std::move(early)));
  WrittenImage written;
  for (const auto& l : image.layers) written.compressed_size += l.size;
  for (const auto& [path, e] : plan.entries())
    if (e.kind == EntryKind::file) ++written.files;
  for (size_t i = 0; i < outputs.sinks.size(); ++i) {
    transport::CopyOptions copy;
    copy.platform = settings.platform;
    copy.progress = progress;
    copy.compression = outputs.asked;
    auto copied =
        TRY(transport::copy_image(*image.source, *outputs.sinks[i], copy).wrap(outputs.names[i]));
    written.outputs.emplace_back(outputs.names[i], copied.root_digest);
  }
  return written;
}

Result<WrittenImage> write_outputs(const Plan& plan, LayerMode layers, ImageSettings settings,
                                   const std::vector<std::string>& outputs,
                                   const transport::RegistryOptions& registry,
                                   const std::optional<compress::Compression>& asked,
                                   TransferProgress* progress) {
  Outputs opened = TRY(open_outputs(outputs, registry, asked, settings.compression));
  return write_outputs(plan, layers, std::move(settings), opened, progress);
}

}  // namespace pith::build
