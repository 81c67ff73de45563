#include "build/outputs.h"

#include <memory>

#include "transport/copy.h"
#include "transport/sink.h"

namespace pith::build {

Result<WrittenImage> write_outputs(const Plan& plan, LayerMode layers, ImageSettings settings,
                                   const std::vector<std::string>& outputs,
                                   const transport::RegistryOptions& registry,
                                   const std::optional<compress::Compression>& asked,
                                   TransferProgress* progress) {
  std::vector<std::unique_ptr<transport::ImageSink>> sinks;
  bool all_uncompressed = true;
  for (const auto& out : outputs) {
    auto ref = TRY(transport::parse_reference(out).wrap("-o"));
    sinks.push_back(TRY(transport::open_sink(ref, registry).wrap(out)));
    all_uncompressed = all_uncompressed &&
                       sinks.back()->required_layer_compression() == compress::Compression::none;
  }
  if (asked)
    settings.compression = *asked;
  else if (all_uncompressed && !sinks.empty())
    settings.compression = compress::Compression::none;
  auto image = TRY(assemble_image(plan, layers, settings));
  WrittenImage written;
  for (const auto& l : image.layers) written.compressed_size += l.size;
  for (const auto& [path, e] : plan.entries())
    if (e.kind == EntryKind::file) ++written.files;
  for (size_t i = 0; i < sinks.size(); ++i) {
    transport::CopyOptions copy;
    copy.platform = settings.platform;
    copy.progress = progress;
    copy.compression = asked;
    auto copied = TRY(transport::copy_image(*image.source, *sinks[i], copy).wrap(outputs[i]));
    written.outputs.emplace_back(outputs[i], copied.root_digest);
  }
  return written;
}

}  // namespace pith::build
