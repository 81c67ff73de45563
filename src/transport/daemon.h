// docker-daemon: and containers-storage: images in a running Docker engine or podman, read
// and written through their HTTP API on a unix socket (docs/daemons.md). Reading streams
// `GET /images/{id}/get` (a docker-archive) and writing streams `POST /images/load`; neither
// stages the archive on disk.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "transport/daemon_api.h"
#include "transport/file_set.h"
#include "transport/reference.h"
#include "transport/sink.h"
#include "transport/source.h"

namespace pith::transport {

// The daemon a reference kind names, at $DOCKER_HOST (docker-daemon) or $CONTAINER_HOST
// (containers-storage) when set (unix:// only), else at the engine's usual socket.
Result<DaemonClient> daemon_client(Kind kind);

Result<std::unique_ptr<ImageSource>> open_daemon_source(const ImageRef& ref);
Result<std::unique_ptr<ImageSink>> open_daemon_sink(const ImageRef& ref);

}  // namespace pith::transport
