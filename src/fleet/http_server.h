// A small blocking HTTP/1.1 server for `pith fleet serve`: the request parser is a pure
// function over bytes (fuzzed as fleet_http_request_fuzz), the server a thread per connection
// up to a bound, every read bounded in size and in time so a slow or hostile client costs one
// thread for a few seconds at most.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace pith::fleet {

struct Request {
  std::string method;  // "GET", as sent (methods are case-sensitive)
  std::string target;  // the request-target as sent: "/api/v1/scan/x/report?a=b"
  std::string path;    // the target before '?', not decoded
  std::vector<std::pair<std::string, std::string>> query;    // %XX-decoded ('+' kept)
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case, values trimmed
  std::string body;
  int minor_version = 1;  // HTTP/1.<minor_version>

  // The first header of that (lower-case) name, or nullptr.
  const std::string* header(std::string_view lower_name) const;
  // The first query parameter of that name, or nullptr.
  const std::string* query_value(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Length is added
  std::string body;
};

// What a request may cost before the handler sees it.
struct HttpLimits {
  size_t max_head = 16 * 1024;    // request line and headers
  size_t max_body = 1024 * 1024;  // by Content-Length; chunked bodies are refused
  size_t max_headers = 100;
};

// parse_request's answer over the bytes received so far.
struct ParseOutcome {
  enum class Kind { incomplete, complete, invalid };
  Kind kind = Kind::incomplete;
  Request request;               // complete: the request (its body included)
  size_t consumed = 0;           // complete: bytes of the request; the rest begins the next one
  bool head_done = false;        // incomplete: the head is in, the body is not (100-continue)
  bool expect_continue = false;  // head_done and the client sent "Expect: 100-continue"
  int status = 0;     // invalid: the status to answer (400, 411, 413, 414, 431, 501, 505)
  std::string error;  // invalid: why, one line
};

// Parses one request from the start of `bytes`. Pure: no I/O, no allocation beyond the request.
ParseOutcome parse_request(std::string_view bytes, const HttpLimits& limits = {});

// The status line, headers (Content-Length, Connection: close when `close`) and body.
std::string serialize_response(const Response& response, bool close);

// "OK", "Not Found", ...; "Unknown" for a status not in the table.
std::string_view reason_phrase(int status);

// Decodes %XX escapes; nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);

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
