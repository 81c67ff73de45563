// Talking to a local container engine: HTTP/1.1 over its unix socket (the Docker Engine API,
// which podman's service speaks too), through libcurl. Small answers are read whole; image
// archives stream in both directions and are never written to disk.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/byte_source.h"
#include "util/result.h"

namespace pith::transport {

struct DaemonResponse {
  long status = 0;
  std::string body;
};

// The text of a daemon's error answer ({"message": "..."}, Docker and podman alike), else
// the body itself, trimmed to one line.
std::string daemon_error_message(std::string_view body);

// POST /images/load answers 200 and reports failure inside its JSON-lines progress
// ({"error": "..."} or {"errorDetail": {"message": "..."}}); this turns that into an error.
Result<void> check_load_response(std::string_view body);

// Percent-encodes an image name or ID for a URL path ("/" and ":" stay, as the APIs route
// "/images/{name}/get" with slashes in the name).
std::string url_path_escape(std::string_view name);

// A request body written as it is produced (chunked); finish() ends it and waits for the
// answer. Destroyed unfinished, the request is aborted, so the daemon never sees a whole body.
class DaemonUpload : public ByteSink {
 public:
  virtual Result<DaemonResponse> finish() = 0;
};

class DaemonClient {
 public:
  // `engine` names the daemon in messages ("the Docker engine"); `hint` says how to start it
  // or point pith at it, for when nothing answers on `socket`.
  DaemonClient(std::string socket, std::string engine, std::string hint);

  const std::string& socket() const { return m_socket; }
  Result<DaemonResponse> get(const std::string& path, uint64_t limit) const;
  // A GET whose body streams; anything but 200 is an error carrying the daemon's message.
  Result<std::unique_ptr<ByteSource>> get_stream(const std::string& path) const;
  Result<std::unique_ptr<DaemonUpload>> post_stream(const std::string& path,
                                                    const std::string& content_type) const;

 private:
  // The error for a request that failed before any answer (connection refused, no socket).
  Error transport_error(const std::string& what, int curl_code, const std::string& detail) const;

  std::string m_socket;
  std::string m_engine;
  std::string m_hint;
};

}  // namespace pith::transport
