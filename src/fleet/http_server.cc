// The HTTP/1.1 server of `pith fleet serve`: parse_request over bytes, then the sockets.
#include "fleet/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

#include "util/ascii.h"

namespace pith::fleet {

namespace {

constexpr size_t k_read_chunk = 16 * 1024;

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

Result<ListenAddress> parse_listen_address(std::string_view text) {
  auto bad = [&](const char* why) {
    return make_error("listen address '" + std::string(text) + "': " + why +
                      " (expected HOST:PORT, :PORT or [IPV6]:PORT)");
  };
  ListenAddress a;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return bad("malformed bracketed address");
    a.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("no port");
    a.host = std::string(text.substr(0, colon));
    if (a.host.find(':') != std::string::npos) return bad("an IPv6 address needs brackets");
    port = text.substr(colon + 1);
  }
  if (port.empty() || port.size() > 5) return bad("malformed port");
  unsigned n = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return bad("malformed port");
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  if (n > 65535) return bad("port out of range");
  a.port = static_cast<uint16_t>(n);
  return a;
}

// ---- the sockets ----

struct HttpServer::Shared {
  ServerOptions options;
  Handler handler;
  std::mutex mutex;
  std::condition_variable idle;
  std::set<int> connections;  // open sockets; shut for reading when the server stops
  bool stopping = false;
};

namespace {

std::string errno_text() {
  return std::strerror(errno);
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads what arrives within `wait`; 0 at EOF or on a timeout (`timed_out` says which), -1 on error.
ssize_t read_some(int fd, std::string& buffer, std::chrono::milliseconds wait, bool& timed_out) {
  timed_out = false;
  pollfd p{fd, POLLIN, 0};
  int ms = static_cast<int>(std::max<int64_t>(0, wait.count()));
  int rc;
  do rc = ::poll(&p, 1, ms);
  while (rc < 0 && errno == EINTR);
  if (rc == 0) {
    timed_out = true;
    return 0;
  }
  if (rc < 0) return -1;
  char chunk[k_read_chunk];
  ssize_t n;
  do n = ::recv(fd, chunk, sizeof chunk, 0);
  while (n < 0 && errno == EINTR);
  if (n > 0) buffer.append(chunk, static_cast<size_t>(n));
  return n;
}

// Ends a connection after its last answer: our side shut for writing, then what the client
// still sends read and dropped for a moment, so the close() that follows does not reset the
// answer away.
void linger(int fd) {
  ::shutdown(fd, SHUT_WR);
  std::string sink;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  for (size_t total = 0; total < 1024 * 1024;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    bool timed_out;
    sink.clear();
    if (read_some(fd, sink, left, timed_out) <= 0) break;
    total += sink.size();
  }
}

Response plain(int status, std::string text) {
  return Response{status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::move(text) + "\n"};
}

void serve_connection(const std::shared_ptr<HttpServer::Shared>& shared, int fd) {
  const ServerOptions& o = shared->options;
  timeval tv{static_cast<time_t>(o.idle_timeout.count() / 1000),
             static_cast<suseconds_t>((o.idle_timeout.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  std::string buffer;
  for (size_t served = 0;; ++served) {
    // 1. A whole request within the request timeout, no gap longer than the idle timeout.
    auto deadline = std::chrono::steady_clock::now() + o.request_timeout;
    bool continued = false;
    ParseOutcome in;
    for (;;) {
      in = parse_request(buffer, o.limits);
      if (in.kind != ParseOutcome::Kind::incomplete) break;
      if (in.expect_continue && !continued) {
        continued = true;
        if (!send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n")) return linger(fd);
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      bool timed_out;
      ssize_t n = read_some(fd, buffer, std::min(left, o.idle_timeout), timed_out);
      if (n > 0) continue;
      if (timed_out && !buffer.empty())
        send_all(fd, serialize_response(plain(408, "request not received in time"), true));
      return linger(fd);
    }
    if (in.kind == ParseOutcome::Kind::invalid) {
      send_all(fd, serialize_response(plain(in.status, in.error), true));
      return linger(fd);
    }

    // 2. The answer.
    const Request& request = in.request;
    Response response;
    try {
      response = shared->handler(request);
    } catch (const std::exception& e) {
      response = plain(500, std::string("internal error: ") + e.what());
    } catch (...) {
      response = plain(500, "internal error");
    }
    const std::string* connection = request.header("connection");
    bool close = request.minor_version == 0 || (connection && lists_token(*connection, "close")) ||
                 served + 1 >= o.max_requests_per_connection;
    {
      std::lock_guard lock(shared->mutex);
      close = close || shared->stopping;
    }
    std::string bytes = serialize_response(response, close);
    if (request.method == "HEAD") bytes.resize(bytes.size() - response.body.size());
    if (!send_all(fd, bytes) || close) return linger(fd);
    buffer.erase(0, in.consumed);
  }
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::listen(const ServerOptions& options,
                                                       Handler handler) {
  ListenAddress address = TRY(parse_listen_address(options.address));
  auto context = "listening on " + options.address;

  int fd = -1;
  std::string last_error = "no address";
  auto try_bind = [&](int family, const sockaddr* sa, socklen_t len) {
    int s = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
      last_error = errno_text();
      return false;
    }
    int one = 1, zero = 0;
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (family == AF_INET6 && address.host.empty())
      ::setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    if (::bind(s, sa, len) != 0 || ::listen(s, 128) != 0) {
      last_error = errno_text();
      ::close(s);
      return false;
    }
    fd = s;
    return true;
  };
  if (address.host.empty()) {
    sockaddr_in6 any6{};
    any6.sin6_family = AF_INET6;
    any6.sin6_addr = in6addr_any;
    any6.sin6_port = htons(address.port);
    if (!try_bind(AF_INET6, reinterpret_cast<sockaddr*>(&any6), sizeof any6)) {
      sockaddr_in any4{};
      any4.sin_family = AF_INET;
      any4.sin_addr.s_addr = htonl(INADDR_ANY);
      any4.sin_port = htons(address.port);
      try_bind(AF_INET, reinterpret_cast<sockaddr*>(&any4), sizeof any4);
    }
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    std::string port = std::to_string(address.port);
    if (int rc = ::getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found); rc != 0)
      return make_error(context + ": " + ::gai_strerror(rc));
    for (addrinfo* ai = found; ai && fd < 0; ai = ai->ai_next)
      try_bind(ai->ai_family, ai->ai_addr, ai->ai_addrlen);
    ::freeaddrinfo(found);
  }
  if (fd < 0) return make_error(context + ": " + last_error);

  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  uint16_t port = bound.ss_family == AF_INET6
                      ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                      : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    ::close(fd);
    return make_error(context + ": pipe: " + errno_text());
  }
  return std::unique_ptr<HttpServer>(
      new HttpServer(fd, wake[0], wake[1], port, options, std::move(handler)));
}

HttpServer::HttpServer(int listen_fd, int wake_read, int wake_write, uint16_t port,
                       ServerOptions options, Handler handler)
    : m_listen_fd(listen_fd),
      m_wake_read(wake_read),
      m_wake_write(wake_write),
      m_port(port),
      m_shared(std::make_shared<Shared>()) {
  m_shared->options = std::move(options);
  m_shared->handler = std::move(handler);
}

HttpServer::~HttpServer() {
  ::close(m_listen_fd);
  ::close(m_wake_read);
  ::close(m_wake_write);
}

void HttpServer::stop() {
  m_stop.store(true);
  char byte = 1;
  (void)!::write(m_wake_write, &byte, 1);
}

Result<void> HttpServer::serve() {
  Result<void> result;
  while (!m_stop.load()) {
    pollfd p[2] = {{m_listen_fd, POLLIN, 0}, {m_wake_read, POLLIN, 0}};
    if (::poll(p, 2, 1000) < 0) {
      if (errno == EINTR) continue;
      result = make_error("serving: poll: " + errno_text());
      break;
    }
    if (m_stop.load()) break;
    if (!(p[0].revents & POLLIN)) continue;
    int fd = ::accept4(m_listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      // Out of descriptors or a connection reset before accept: wait a little, go on.
      if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    {
      std::lock_guard lock(m_shared->mutex);
      if (m_shared->connections.size() >= m_shared->options.max_connections) {
        Response busy = plain(503, "too many connections");
        busy.headers.emplace_back("Retry-After", "1");
        timeval tv{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        send_all(fd, serialize_response(busy, true));
        ::close(fd);
        continue;
      }
      m_shared->connections.insert(fd);
    }
    std::thread([shared = m_shared, fd] {
      serve_connection(shared, fd);
      {
        // Out of the set before close(): accept may hand the number out again at once.
        std::lock_guard lock(shared->mutex);
        shared->connections.erase(fd);
      }
      ::close(fd);
      shared->idle.notify_all();
    }).detach();
  }

  // Idle connections wake at once (EOF); requests being handled are answered, then closed.
  std::unique_lock lock(m_shared->mutex);
  m_shared->stopping = true;
  for (int fd : m_shared->connections) ::shutdown(fd, SHUT_RD);
  m_shared->idle.wait(lock, [&] { return m_shared->connections.empty(); });
  return result;
}

namespace {
std::atomic<HttpServer*> g_signalled_server{nullptr};
void on_stop_signal(int) {
  if (HttpServer* s = g_signalled_server.load()) s->stop();
}
}  // namespace

Result<void> HttpServer::serve_until_signal() {
  struct sigaction action {
  }, old_int{}, old_term{};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  g_signalled_server.store(this);
  ::sigaction(SIGINT, &action, &old_int);
  ::sigaction(SIGTERM, &action, &old_term);
  Result<void> result = serve();
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  g_signalled_server.store(nullptr);
  return result;
}

}  // namespace pith::fleet
