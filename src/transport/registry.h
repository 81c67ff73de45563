// docker://HOST/REPO[:TAG|@DIGEST]: images in registries, read and written over the OCI
// distribution API (src/registry/).
#pragma once

#include <memory>

#include "registry/client.h"
#include "transport/registry_options.h"
#include "transport/sink.h"
#include "transport/source.h"

namespace pith::transport {

Result<std::unique_ptr<ImageSource>> open_registry_source(const ImageRef& ref,
                                                          const RegistryOptions& options);
Result<std::unique_ptr<ImageSink>> open_registry_sink(const ImageRef& ref,
                                                      const RegistryOptions& options);

// The client of the repository a docker:// reference names, reached (and authenticated) once
// here: for what is neither a source nor a sink, such as referrers (registry/referrers.h).
Result<std::shared_ptr<registry::Client>> open_registry_client(const ImageRef& ref,
                                                               const RegistryOptions& options,
                                                               registry::Access access);

}  // namespace pith::transport
