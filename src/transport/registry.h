// docker://HOST/REPO[:TAG|@DIGEST]: images in registries, read and written over the OCI
// distribution API (src/registry/).
#pragma once

#include <memory>

#include "transport/registry_options.h"
#include "transport/sink.h"
#include "transport/source.h"

namespace pith::transport {

Result<std::unique_ptr<ImageSource>> open_registry_source(const ImageRef& ref,
                                                          const RegistryOptions& options);
Result<std::unique_ptr<ImageSink>> open_registry_sink(const ImageRef& ref,
                                                      const RegistryOptions& options);

}  // namespace pith::transport
