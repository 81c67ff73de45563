// The HTTP/1.1 request parser and response writer of `pith fleet serve`.
#include "fleet/http_request.h"

#include <cctype>
#include <cstring>
#include <string>

#include "util/ascii.h"

namespace pith::fleet {

namespace {

bool is_tchar(unsigned char c) {
  if (std::isalnum(c) && c < 0x80) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != 0;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

ParseOutcome invalid(int status, std::string error) {
  ParseOutcome o;
  o.kind = ParseOutcome::Kind::invalid;
  o.status = status;
  o.error = std::move(error);
  return o;
}

// Whether a comma-separated header value (Connection, Transfer-Encoding) lists `token`.
bool lists_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    if (ascii_iequals(trim_ows(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

const std::string* Request::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return &value;
  return nullptr;
}

const std::string* Request::query_value(std::string_view name) const {
  for (const auto& [key, value] : query)
    if (key == name) return &value;
  return nullptr;
}

std::optional<std::string> percent_decode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

ParseOutcome parse_request(std::string_view bytes, const HttpLimits& limits) {
  // 1. Empty lines before the request line are ignored (RFC 9112 2.2); they count as head.
  size_t start = 0;
  while (start + 1 < bytes.size() && bytes[start] == '\r' && bytes[start + 1] == '\n') start += 2;

  // 2. The head ends at the first empty line, within the bound.
  size_t head_end = bytes.find("\r\n\r\n", start);
  if (head_end == std::string_view::npos || head_end + 4 > limits.max_head) {
    size_t line_end = bytes.find("\r\n", start);
    if (line_end == std::string_view::npos ? bytes.size() >= limits.max_head
                                           : line_end + 2 > limits.max_head)
      return invalid(414, "request line longer than " + std::to_string(limits.max_head) + " bytes");
    if (bytes.size() >= limits.max_head)
      return invalid(431, "request head longer than " + std::to_string(limits.max_head) + " bytes");
    return {};
  }
  std::string_view head = bytes.substr(start, head_end + 2 - start);  // lines, each with CRLF

  // 3. The request line: method SP origin-form SP HTTP-version.
  ParseOutcome out;
  Request& r = out.request;
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  head.remove_prefix(eol + 2);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return invalid(400, "malformed request line");
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method)) return invalid(400, "malformed request method");
  if (target.empty() || target.front() != '/')
    return invalid(400, "request target is not an absolute path");
  for (unsigned char c : target)
    if (c <= 0x20 || c >= 0x7f) return invalid(400, "request target has a forbidden byte");
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      !std::isdigit(static_cast<unsigned char>(version[5])) ||
      !std::isdigit(static_cast<unsigned char>(version[7])))
    return invalid(400, "malformed HTTP version");
  if (version[5] != '1') return invalid(505, "HTTP version not supported");
  r.method = std::string(method);
  r.target = std::string(target);
  r.minor_version = version[7] - '0';

  // 4. Header fields: token ":" OWS value OWS; no obs-fold, no control bytes.
  while (!head.empty()) {
    eol = head.find("\r\n");
    line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    if (line.front() == ' ' || line.front() == '\t')
      return invalid(400, "obsolete header line folding");
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon)))
      return invalid(400, "malformed header field");
    std::string_view value = trim_ows(line.substr(colon + 1));
    for (unsigned char c : value)
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return invalid(400, "header field value has a control byte");
    if (r.headers.size() == limits.max_headers)
      return invalid(431, "more than " + std::to_string(limits.max_headers) + " header fields");
    r.headers.emplace_back(ascii_lower(line.substr(0, colon)), std::string(value));
  }

  // 5. Framing: Content-Length only (a single value, repeated identically at most).
  if (const std::string* te = r.header("transfer-encoding")) {
    if (lists_token(*te, "chunked"))
      return invalid(411, "chunked request bodies are not accepted: send Content-Length");
    return invalid(501, "transfer coding not implemented");
  }
  size_t length = 0;
  bool have_length = false;
  for (const auto& [name, value] : r.headers) {
    if (name != "content-length") continue;
    if (value.empty() || value.size() > 18) return invalid(400, "malformed Content-Length");
    size_t n = 0;
    for (char c : value) {
      if (c < '0' || c > '9') return invalid(400, "malformed Content-Length");
      n = n * 10 + static_cast<size_t>(c - '0');
    }
    if (have_length && n != length) return invalid(400, "conflicting Content-Length fields");
    length = n;
    have_length = true;
  }
  if (length > limits.max_body)
    return invalid(413, "request body larger than " + std::to_string(limits.max_body) + " bytes");
  size_t hosts = 0;
  for (const auto& h : r.headers) hosts += h.first == "host";
  if (hosts > 1 || (hosts == 0 && r.minor_version >= 1))
    return invalid(400, "missing or repeated Host header");

  // 6. The body.
  size_t body_start = head_end + 4;
  if (bytes.size() - body_start < length) {
    ParseOutcome more;
    more.head_done = true;
    const std::string* expect = r.header("expect");
    more.expect_continue = expect && ascii_iequals(*expect, "100-continue");
    return more;
  }
  r.body = std::string(bytes.substr(body_start, length));

  // 7. The path and the query's parameters.
  size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) {
    std::string_view query = target.substr(q + 1);
    size_t fragment = query.find('#');
    query = query.substr(0, fragment);
    while (!query.empty()) {
      size_t amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
      if (pair.empty()) continue;
      size_t eq = pair.find('=');
      auto key = percent_decode(pair.substr(0, eq));
      auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
      if (!key || !value) return invalid(400, "malformed percent escape in the query");
      r.query.emplace_back(std::move(*key), std::move(*value));
    }
  }
  out.kind = ParseOutcome::Kind::complete;
  out.consumed = body_start + length;
  return out;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 302:
      return "Found";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string serialize_response(const Response& response, bool close) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " ";
  out += reason_phrase(response.status);
  out += "\r\n";
  for (const auto& [name, value] : response.headers) {
    // A handler's header never splits the head: CR and LF are dropped.
    for (const std::string* s : {&name, &value}) {
      for (char c : *s)
        if (c != '\r' && c != '\n') out += c;
      out += s == &name ? ": " : "\r\n";
    }
  }
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
  out += response.body;
  return out;
}

bool keeps_alive(const Request& request) {
  const std::string* connection = request.header("connection");
  return request.minor_version >= 1 && !(connection && lists_token(*connection, "close"));
}

}  // namespace pith::fleet
