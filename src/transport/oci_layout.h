// OCI image layouts (image-layout.md): read from a FileSet (directory or tar), written
// through OutputFiles. `oci:` and `oci-archive:` are this one format in two containers.
#pragma once

#include <memory>
#include <string>

#include "transport/file_set.h"
#include "transport/output_files.h"
#include "transport/sink.h"
#include "transport/source.h"

namespace pith::transport {

// `tag` selects the index.json entry whose org.opencontainers.image.ref.name equals it.
// Without a tag, a layout with one image (however many tags) yields it, and one with several yields
// index.json itself as the root index (platform selection then picks among them).
Result<std::unique_ptr<ImageSource>> open_oci_layout_source(std::unique_ptr<FileSet> files,
                                                            std::string tag, std::string describe);

// `existing`: the current layout when adding to an existing directory (else nullptr); its
// index.json entries are kept, except one with the same tag, which is replaced.
Result<std::unique_ptr<ImageSink>> open_oci_layout_sink(std::unique_ptr<OutputFiles> out,
                                                        std::unique_ptr<FileSet> existing,
                                                        std::string tag, std::string describe);

// "blobs/<algorithm>/<hex>"
std::string blob_path(const oci::Digest& d);

inline constexpr std::string_view k_ref_name_annotation = "org.opencontainers.image.ref.name";

}  // namespace pith::transport
