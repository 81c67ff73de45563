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

// Opens a fresh stream of the same archive each time it is called.
using ArchiveOpener = std::function<Result<std::unique_ptr<ByteSource>>()>;

// An archive that can only be streamed, as a FileSet. Opening reads the stream once to the
// end, recording every member and keeping the small ones (manifest.json, configs) in memory,
// and the first bytes of the others. A large member is read later from a new stream of the
// archive, skipped forward to it; a stream left after one member is reused for a later one,
// so members read in archive order cost one more stream in all. `streams_opened` (if given)
// counts the streams, for tests.
Result<std::unique_ptr<FileSet>> open_streamed_archive(
    ArchiveOpener open, std::string describe,
    std::shared_ptr<std::atomic<uint64_t>> streams_opened = nullptr);

}  // namespace pith::transport
