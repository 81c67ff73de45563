// A layer's uncompressed tar stream, verified twice while it streams: the stored blob against
// its digest, the uncompressed bytes against the config's diff_id.
#pragma once

#include <memory>

#include "oci/descriptor.h"
#include "transport/source.h"

namespace pith::transport {

Result<std::unique_ptr<ByteSource>> open_layer(ImageSource& src, const oci::Descriptor& layer,
                                               const oci::Digest& diff_id);

}  // namespace pith::transport
