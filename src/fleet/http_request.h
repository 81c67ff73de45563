// HTTP/1.1 requests as `pith fleet serve` reads them: the parser is a pure function over the
// bytes received so far (fuzzed as fleet_http_request_fuzz), every field bounded; responses
// written with their framing.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// Whether the connection stays open after answering (HTTP/1.1 without "Connection: close").
bool keeps_alive(const Request& request);

}  // namespace pith::fleet
