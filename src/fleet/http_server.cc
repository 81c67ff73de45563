// The HTTP/1.1 server of `pith fleet serve`: the listening socket, the connections' threads.
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
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

namespace pith::fleet {

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

constexpr size_t k_read_chunk = 16 * 1024;

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
    bool close = !keeps_alive(request) || served + 1 >= o.max_requests_per_connection;
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
