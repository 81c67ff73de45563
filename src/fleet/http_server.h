// A small blocking HTTP/1.1 server for `pith fleet serve`: a thread per connection up to a
// bound, every read bounded in size (http_request.h) and in time, so a slow or hostile client
// costs one thread for a few seconds at most.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "fleet/http_request.h"
#include "util/result.h"

namespace pith::fleet {

// A TCP address to listen on: "127.0.0.1:8080", ":8080" (every address, IPv6 and IPv4),
// "[::1]:8080", "localhost:8080"; port 0 picks a free port.
struct ListenAddress {
  std::string host;  // empty: every address
  uint16_t port = 0;
};
Result<ListenAddress> parse_listen_address(std::string_view text);

struct ServerOptions {
  std::string address = "127.0.0.1:8080";
  size_t max_connections = 64;  // beyond it a connection is answered 503 and closed
  std::chrono::milliseconds idle_timeout{10'000};     // between bytes of a request
  std::chrono::milliseconds request_timeout{30'000};  // a whole request's head and body
  size_t max_requests_per_connection = 100;
  HttpLimits limits;
};

using Handler = std::function<Response(const Request&)>;

class HttpServer {
 public:
  // Binds and listens; the handler runs on the connections' threads, so it must be
  // thread-safe. A handler that throws answers 500.
  static Result<std::unique_ptr<HttpServer>> listen(const ServerOptions& options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port bound (the one picked when the address asked for port 0).
  uint16_t port() const { return m_port; }

  // Accepts connections until stop(); then waits for the requests in flight to be answered
  // (idle keep-alive connections are closed) and returns.
  Result<void> serve();

  // Makes serve() return. Async-signal-safe: a SIGINT/SIGTERM handler may call it.
  void stop();

  // serve() until SIGINT or SIGTERM (their handlers are restored afterwards).
  Result<void> serve_until_signal();

  // What serve() shares with the connections' threads, which may outlive it for a moment.
  struct Shared;

 private:
  HttpServer(int listen_fd, int wake_read, int wake_write, uint16_t port, ServerOptions options,
             Handler handler);

  int m_listen_fd;
  int m_wake_read;  // a pipe stop() writes to, so a blocked poll wakes
  int m_wake_write;
  uint16_t m_port;
  std::atomic<bool> m_stop{false};
  std::shared_ptr<Shared> m_shared;
};

}  // namespace pith::fleet
