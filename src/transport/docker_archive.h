// docker-archive: what `docker save` / `podman save` write. Read: legacy archives
// (`<id>/layer.tar`), gzip-compressed archives and Docker 25+ hybrid archives (manifest.json
// beside an OCI layout), always through manifest.json, into the manifest containers/image makes
// of it (one digest for pith, skopeo and podman). Write: the form skopeo writes, which old and new
// Docker and podman all load.
#pragma once

#include <memory>
#include <string>

#include "transport/file_set.h"
#include "transport/output_files.h"
#include "transport/sink.h"
#include "transport/source.h"

namespace pith::transport {

// `ref`: "" (the archive must hold one image), "name:tag" (by RepoTags) or "@N" (N-th image).
// `describe` names the image in messages and reports (the reference as given).
Result<std::unique_ptr<ImageSource>> open_docker_archive_source(std::unique_ptr<FileSet> files,
                                                                std::string ref,
                                                                std::string describe);

// `name`: the RepoTag to record ("" = untagged).
Result<std::unique_ptr<ImageSink>> open_docker_archive_sink(std::unique_ptr<OutputFiles> out,
                                                            std::string name, std::string describe);

}  // namespace pith::transport
