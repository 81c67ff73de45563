// The HTTP/1.1 request parser over bytes, and the server over real sockets: bounds, framing,
// keep-alive, timeouts, the connection bound and stopping.
#include "fleet/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace pith::fleet {
namespace {

using Kind = ParseOutcome::Kind;

TEST(HttpRequestParser, CompleteRequest) {
  std::string raw =
      "\r\nPOST /api/v1/scan?a=1&b=x%2By+z&flag HTTP/1.1\r\nHost: h\r\nX-Thing:  v a \r\n"
      "Content-Length: 5\r\n\r\nhelloGET";
  ParseOutcome p = parse_request(raw);
  ASSERT_EQ(p.kind, Kind::complete) << p.error;
  const Request& r = p.request;
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/api/v1/scan");
  EXPECT_EQ(r.target, "/api/v1/scan?a=1&b=x%2By+z&flag");
  EXPECT_EQ(*r.query_value("b"), "x+y+z");
  EXPECT_EQ(*r.query_value("flag"), "");
  EXPECT_EQ(r.query_value("c"), nullptr);
  EXPECT_EQ(*r.header("x-thing"), "v a");
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(p.consumed, raw.size() - 3);  // "GET" begins the next request
}

TEST(HttpRequestParser, Incomplete) {
  std::string raw = "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nab";
  for (size_t n = 0; n < raw.size(); ++n)
    EXPECT_EQ(parse_request(raw.substr(0, n)).kind, Kind::incomplete) << n;
  ParseOutcome body = parse_request(raw);
  EXPECT_TRUE(body.head_done);
  EXPECT_FALSE(body.expect_continue);
  EXPECT_TRUE(parse_request("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\n"
                            "Content-Length: 1\r\n\r\n")
                  .expect_continue);
}

TEST(HttpRequestParser, Refusals) {
  struct Case {
    std::string raw;
    int status;
  };
  HttpLimits small;
  const Case cases[] = {
      {"GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", 411},
      {"GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
      {"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000000\r\n\r\n", 413},
      {"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\n\r\n", 400},  // no Host
      {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505},
      {"GET / HTTX/1.1\r\nHost: h\r\n\r\n", 400},
      {"GET http://x/ HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nX: a\x01\r\n\r\n", 400},
      {"GET /?a=%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"GET /" + std::string(20000, 'a') + " HTTP/1.1\r\n", 414},
      {"GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(20000, 'a'), 431},
  };
  for (const Case& c : cases) {
    ParseOutcome p = parse_request(c.raw, small);
    EXPECT_EQ(p.kind, Kind::invalid) << c.raw.substr(0, 80);
    EXPECT_EQ(p.status, c.status) << c.raw.substr(0, 80) << ": " << p.error;
  }
  std::string many = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 101; ++i) many += "X: y\r\n";
  EXPECT_EQ(parse_request(many + "\r\n").status, 431);
  EXPECT_EQ(parse_request("GET / HTTP/1.0\r\n\r\n").kind, Kind::complete);  // 1.0: no Host
}

TEST(HttpResponse, Serialized) {
  Response r{404, {{"Content-Type", "text/plain"}, {"X-Bad", "a\r\nInjected: 1"}}, "no"};
  EXPECT_EQ(serialize_response(r, true),
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nX-Bad: aInjected: 1\r\n"
            "Content-Length: 2\r\nConnection: close\r\n\r\nno");
}

TEST(HttpListenAddress, Forms) {
  auto a = parse_listen_address("127.0.0.1:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  EXPECT_EQ(parse_listen_address(":9")->host, "");
  EXPECT_EQ(parse_listen_address("[::1]:80")->host, "::1");
  for (const char* bad : {"8080", "::1:80", "[::1]80", "h:", "h:65536", "h:8x"})
    EXPECT_FALSE(parse_listen_address(bad)) << bad;
  EXPECT_EQ(parse_listen_address("h:x").error().message,
            "listen address 'h:x': malformed port (expected HOST:PORT, :PORT or [IPV6]:PORT)");
}

// A server on a free port answering "<method> <path> <body>" in its own thread.
class HttpServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}) {
    options.address = "127.0.0.1:0";
    auto s = HttpServer::listen(options, [this](const Request& r) {
      if (r.path == "/slow") std::this_thread::sleep_for(std::chrono::milliseconds(300));
      if (r.path == "/throw") throw std::runtime_error("boom");
      ++m_handled;
      return Response{
          200, {{"Content-Type", "text/plain"}}, r.method + " " + r.path + " " + r.body};
    });
    ASSERT_TRUE(s) << s.error().message;
    m_server = std::move(*s);
    m_thread = std::thread([this] { m_served = m_server->serve().ok(); });
  }
  void TearDown() override {
    if (!m_server) return;
    m_server->stop();
    m_thread.join();
    EXPECT_TRUE(m_served);
  }
  int connect_client() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(m_server->port());
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return fd;
  }
  // Reads until EOF or `wait` passes.
  static std::string read_all(int fd, std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    std::string out;
    char buf[4096];
    auto until = std::chrono::steady_clock::now() + wait;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      pollfd p{fd, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  std::string exchange(const std::string& raw) {
    int fd = connect_client();
    EXPECT_EQ(::send(fd, raw.data(), raw.size(), MSG_NOSIGNAL), static_cast<ssize_t>(raw.size()));
    std::string out = read_all(fd);
    ::close(fd);
    return out;
  }

  std::unique_ptr<HttpServer> m_server;
  std::thread m_thread;
  bool m_served = false;
  std::atomic<int> m_handled{0};
};

TEST_F(HttpServerTest, AnswersAndCloses) {
  start();
  EXPECT_EQ(exchange("POST /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\nContent-Length: 3\r\n"
                     "\r\nabc"),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n"
            "Connection: close\r\n\r\nPOST /x abc");
}

TEST_F(HttpServerTest, KeepAliveAndPipelining) {
  start();
  std::string out = exchange(
      "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n"
      "Connection: close\r\n\r\n");
  EXPECT_NE(out.find("\r\n\r\nGET /a "), std::string::npos) << out;
  EXPECT_NE(out.find("\r\n\r\nGET /b "), std::string::npos) << out;
  EXPECT_EQ(m_handled.load(), 2);
}

TEST_F(HttpServerTest, RefusalsAreAnswered) {
  start();
  EXPECT_EQ(exchange("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"
                     "0\r\n\r\n")
                .substr(0, 28),
            "HTTP/1.1 411 Length Required");
  std::string big = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000000\r\n\r\n";
  EXPECT_EQ(exchange(big).substr(0, 12), "HTTP/1.1 413");
  EXPECT_EQ(exchange("GET /throw HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").substr(0, 12),
            "HTTP/1.1 500");
  EXPECT_EQ(exchange("HEAD /x HTTP/1.0\r\n\r\n"),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n"
            "Connection: close\r\n\r\n");
}

TEST_F(HttpServerTest, ExpectContinue) {
  start();
  int fd = connect_client();
  std::string head =
      "PUT /c HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n"
      "Connection: close\r\n\r\n";
  ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  EXPECT_EQ(read_all(fd, std::chrono::milliseconds(500)), "HTTP/1.1 100 Continue\r\n\r\n");
  ::send(fd, "ok", 2, MSG_NOSIGNAL);
  EXPECT_NE(read_all(fd).find("PUT /c ok"), std::string::npos);
  ::close(fd);
}

TEST_F(HttpServerTest, SlowClientTimesOut) {
  ServerOptions o;
  o.idle_timeout = std::chrono::milliseconds(200);
  o.request_timeout = std::chrono::milliseconds(600);
  start(o);
  // Idle after connecting: closed without an answer.
  int idle = connect_client();
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(read_all(idle), "");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  ::close(idle);
  // A byte every 100 ms never finishes a head: 408 by the request deadline.
  int slow = connect_client();
  std::string head = "GET / HTTP/1.1\r\nHost: h\r\nX: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  std::string answer;
  for (char c : head) {
    if (::send(slow, &c, 1, MSG_NOSIGNAL) != 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    pollfd p{slow, POLLIN, 0};
    if (::poll(&p, 1, 0) > 0) break;
  }
  answer = read_all(slow);
  EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 408") << answer;
  ::close(slow);
}

TEST_F(HttpServerTest, ConnectionBound) {
  ServerOptions o;
  o.max_connections = 1;
  start(o);
  int first = connect_client();
  ::send(first, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n", 31, MSG_NOSIGNAL);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(exchange("GET / HTTP/1.1\r\nHost: h\r\n\r\n").substr(0, 12), "HTTP/1.1 503");
  ::close(first);
}

TEST_F(HttpServerTest, StopWaitsForRequestsInFlight) {
  start();
  int busy = connect_client();
  ::send(busy, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n", 31, MSG_NOSIGNAL);
  int idle = connect_client();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto t0 = std::chrono::steady_clock::now();
  m_server->stop();
  m_thread.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  // The request in flight was answered (and the connection closed); the idle one closed.
  std::string answer = read_all(busy);
  EXPECT_EQ(answer.substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_NE(answer.find("Connection: close"), std::string::npos);
  EXPECT_EQ(read_all(idle), "");
  ::close(busy);
  ::close(idle);
  m_server.reset();
}

TEST(HttpServerListen, BadAddressAndBusyPort) {
  auto at = [](std::string address) {
    ServerOptions o;
    o.address = std::move(address);
    return o;
  };
  EXPECT_FALSE(HttpServer::listen(at("nonsense"), nullptr));
  auto first = HttpServer::listen(at("127.0.0.1:0"), nullptr);
  ASSERT_TRUE(first);
  auto second = HttpServer::listen(at("127.0.0.1:" + std::to_string((*first)->port())), nullptr);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("listening on 127.0.0.1:"), std::string::npos);
  auto v6 = HttpServer::listen(at("[::1]:0"), nullptr);
  if (v6) {
    EXPECT_NE((*v6)->port(), 0);
  }
}

}  // namespace
}  // namespace pith::fleet
