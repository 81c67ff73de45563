// DaemonClient over libcurl (CURLOPT_UNIX_SOCKET_PATH). Downloads are pulled through the multi
// interface, so the daemon is read only as fast as pith consumes; uploads run curl on a thread
// that reads the body from a socket pair the producer writes into.
#include "transport/daemon_api.h"

#include <curl/curl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "util/file.h"

namespace pith::transport {

namespace {

// The host in the URL is a formality: the socket decides where the request goes.
constexpr std::string_view k_base_url = "http://localhost";
constexpr long k_connect_timeout_s = 10;
constexpr uint64_t k_max_error_body = 1 << 20;
constexpr size_t k_upload_buffer = 256 * 1024;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// Where a body being received goes: appended, failing the transfer beyond `limit`.
struct Collect {
  std::string data;
  uint64_t limit = 0;
};

size_t on_collect(char* p, size_t size, size_t n, void* user) {
  auto* c = static_cast<Collect*>(user);
  if (c->data.size() + n > c->limit) return 0;  // CURLE_WRITE_ERROR
  c->data.append(p, n);
  (void)size;
  return n;
}

Easy make_easy(const std::string& socket, const std::string& path, char* errbuf) {
  global_init();
  Easy e(curl_easy_init());
  if (!e) return e;
  std::string url = std::string(k_base_url) + path;
  curl_easy_setopt(e.get(), CURLOPT_UNIX_SOCKET_PATH, socket.c_str());
  curl_easy_setopt(e.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(e.get(), CURLOPT_CONNECTTIMEOUT, k_connect_timeout_s);
  curl_easy_setopt(e.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e.get(), CURLOPT_BUFFERSIZE, 256L * 1024);
  errbuf[0] = '\0';
  curl_easy_setopt(e.get(), CURLOPT_ERRORBUFFER, errbuf);
  return e;
}

std::string curl_detail(CURLcode code, const char* errbuf) {
  return errbuf[0] != '\0' ? std::string(errbuf) : std::string(curl_easy_strerror(code));
}

long response_code(CURL* e) {
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  return status;
}

// Why connecting to the socket fails, in errno's words (curl's message names no path).
std::string probe_socket(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) return "socket path too long";
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return errno_text(errno);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return errno_text(errno);
  return "";
}

bool is_connect_failure(int code) {
  return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST;
}

// A streamed GET body, pulled through curl's multi interface as the reader asks for bytes.
class GetStream final : public ByteSource {
 public:
  GetStream(Easy easy, std::unique_ptr<char[]> errbuf)
      : m_easy(std::move(easy)), m_errbuf(std::move(errbuf)), m_multi(curl_multi_init()) {
    curl_easy_setopt(m_easy.get(), CURLOPT_WRITEFUNCTION, &GetStream::on_data);
    curl_easy_setopt(m_easy.get(), CURLOPT_WRITEDATA, this);
    curl_multi_add_handle(m_multi, m_easy.get());
  }
  ~GetStream() override {
    curl_multi_remove_handle(m_multi, m_easy.get());
    curl_multi_cleanup(m_multi);
  }

  Result<size_t> read(std::span<std::byte> out) override {
    while (m_pos == m_buf.size()) {
      if (m_done) {
        if (m_result != CURLE_OK)
          return make_error("stream broke off: " + curl_detail(m_result, m_errbuf.get()));
        return size_t{0};
      }
      m_buf.clear();
      m_pos = 0;
      TRY(step());
    }
    size_t n = std::min(out.size(), m_buf.size() - m_pos);
    std::memcpy(out.data(), m_buf.data() + m_pos, n);
    m_pos += n;
    return n;
  }

  // Drives the transfer until the status line is in (or it ended).
  Result<long> status() {
    while (!m_done && response_code(m_easy.get()) == 0) TRY(step());
    return response_code(m_easy.get());
  }
  bool failed_early() const { return m_done && m_result != CURLE_OK; }
  CURLcode result() const { return m_result; }
  const char* errbuf() const { return m_errbuf.get(); }

 private:
  static size_t on_data(char* p, size_t size, size_t n, void* user) {
    static_cast<GetStream*>(user)->m_buf.append(p, size * n);
    return size * n;
  }

  Result<void> step() {
    int running = 0;
    CURLMcode mc = curl_multi_perform(m_multi, &running);
    if (mc != CURLM_OK) return make_error(curl_multi_strerror(mc));
    if (running == 0) {
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(m_multi, &left))
        if (msg->msg == CURLMSG_DONE) m_result = msg->data.result;
      m_done = true;
      return {};
    }
    if (m_buf.size() == m_pos) curl_multi_poll(m_multi, nullptr, 0, 1000, nullptr);
    return {};
  }

  Easy m_easy;
  std::unique_ptr<char[]> m_errbuf;
  CURLM* m_multi;
  std::string m_buf;
  size_t m_pos = 0;
  bool m_done = false;
  CURLcode m_result = CURLE_OK;
};

// A POST body streamed through a socket pair into curl, which runs on its own thread.
class Upload final : public DaemonUpload {
 public:
  Upload(Easy easy, std::unique_ptr<char[]> errbuf, Slist headers, UniqueFd ours, UniqueFd theirs)
      : m_easy(std::move(easy)),
        m_errbuf(std::move(errbuf)),
        m_headers(std::move(headers)),
        m_ours(std::move(ours)),
        m_theirs(std::move(theirs)) {
    m_response.limit = k_max_error_body;
    curl_easy_setopt(m_easy.get(), CURLOPT_POST, 1L);
    curl_easy_setopt(m_easy.get(), CURLOPT_HTTPHEADER, m_headers.get());
    curl_easy_setopt(m_easy.get(), CURLOPT_READFUNCTION, &Upload::on_read);
    curl_easy_setopt(m_easy.get(), CURLOPT_READDATA, this);
    curl_easy_setopt(m_easy.get(), CURLOPT_WRITEFUNCTION, &on_collect);
    curl_easy_setopt(m_easy.get(), CURLOPT_WRITEDATA, &m_response);
    m_buf.reserve(k_upload_buffer);
    m_thread = std::thread([this] {
      m_result = curl_easy_perform(m_easy.get());
      m_theirs.reset();  // a producer still writing now gets EPIPE instead of blocking
    });
  }

  ~Upload() override {
    if (!m_thread.joinable()) return;
    m_abort = true;
    ::shutdown(m_ours.get(), SHUT_WR);
    m_thread.join();
  }

  Result<void> write(std::span<const std::byte> data) override {
    if (m_buf.size() + data.size() > k_upload_buffer) TRY(flush());
    if (data.size() >= k_upload_buffer) return send_all(data);
    m_buf.insert(m_buf.end(), data.begin(), data.end());
    return {};
  }

  Result<DaemonResponse> finish() override {
    if (!m_thread.joinable()) return make_error("upload already ended");
    TRY(flush());
    ::shutdown(m_ours.get(), SHUT_WR);
    m_thread.join();
    if (m_result != CURLE_OK)
      return make_error("upload failed: " + curl_detail(m_result, m_errbuf.get()));
    return DaemonResponse{response_code(m_easy.get()), std::move(m_response.data)};
  }

 private:
  static size_t on_read(char* p, size_t size, size_t n, void* user) {
    auto* self = static_cast<Upload*>(user);
    for (;;) {
      ssize_t got = ::recv(self->m_theirs.get(), p, size * n, 0);
      if (got > 0) return static_cast<size_t>(got);
      if (got == 0) return self->m_abort ? CURL_READFUNC_ABORT : 0;
      if (errno != EINTR) return CURL_READFUNC_ABORT;
    }
  }

  Result<void> flush() {
    TRY(send_all(m_buf));
    m_buf.clear();
    return {};
  }

  Result<void> send_all(std::span<const std::byte> data) {
    while (!data.empty()) {
      ssize_t n = ::send(m_ours.get(), data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int err = errno;
        if (m_thread.joinable()) m_thread.join();
        if (m_result != CURLE_OK)
          return make_error("upload failed: " + curl_detail(m_result, m_errbuf.get()));
        std::string msg = daemon_error_message(m_response.data);
        return make_error("the daemon stopped reading (" + errno_text(err) + ")" +
                          (msg.empty() ? "" : ": " + msg));
      }
      data = data.subspan(static_cast<size_t>(n));
    }
    return {};
  }

  Easy m_easy;
  std::unique_ptr<char[]> m_errbuf;
  Slist m_headers;
  UniqueFd m_ours;
  UniqueFd m_theirs;
  Collect m_response;
  std::vector<std::byte> m_buf;
  std::atomic<bool> m_abort{false};
  CURLcode m_result = CURLE_OK;
  std::thread m_thread;
};

}  // namespace

std::string daemon_error_message(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object()) {
    auto m = j.find("message");
    if (m != j.end() && m->is_string()) return m->get<std::string>();
  }
  std::string text(body.substr(0, body.find('\n')));
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.pop_back();
  if (text.size() > 300) text = text.substr(0, 300) + "...";
  return text;
}

Result<void> check_load_response(std::string_view body) {
  size_t pos = 0;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    std::string_view line = body.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? body.size() : nl + 1;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    auto detail = j.find("errorDetail");
    if (detail != j.end() && detail->is_object()) {
      auto m = detail->find("message");
      if (m != detail->end() && m->is_string()) return make_error(m->get<std::string>());
    }
    auto e = j.find("error");
    if (e != j.end() && e->is_string()) return make_error(e->get<std::string>());
  }
  return {};
}

std::string url_path_escape(std::string_view name) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || std::string_view("-._~/:@").find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += '%';
      out += k_hex[u >> 4];
      out += k_hex[u & 15];
    }
  }
  return out;
}

DaemonClient::DaemonClient(std::string socket, std::string engine, std::string hint)
    : m_socket(std::move(socket)), m_engine(std::move(engine)), m_hint(std::move(hint)) {}

Error DaemonClient::transport_error(const std::string& what, int curl_code,
                                    const std::string& detail) const {
  if (is_connect_failure(curl_code)) {
    std::string why = probe_socket(m_socket);
    return make_error("cannot reach " + m_engine + " at " + m_socket + " (" +
                      (why.empty() ? detail : why) + "); " + m_hint);
  }
  return make_error(what + ": " + detail);
}

Result<DaemonResponse> DaemonClient::get(const std::string& path, uint64_t limit) const {
  auto errbuf = std::make_unique<char[]>(CURL_ERROR_SIZE);
  Easy e = make_easy(m_socket, path, errbuf.get());
  if (!e) return make_error("cannot start an HTTP request");
  Collect body{"", limit};
  curl_easy_setopt(e.get(), CURLOPT_WRITEFUNCTION, &on_collect);
  curl_easy_setopt(e.get(), CURLOPT_WRITEDATA, &body);
  CURLcode rc = curl_easy_perform(e.get());
  if (rc == CURLE_WRITE_ERROR)
    return make_error("GET " + path + ": answer larger than " + std::to_string(limit) + " bytes");
  if (rc != CURLE_OK) return transport_error("GET " + path, rc, curl_detail(rc, errbuf.get()));
  return DaemonResponse{response_code(e.get()), std::move(body.data)};
}

Result<std::unique_ptr<ByteSource>> DaemonClient::get_stream(const std::string& path) const {
  auto errbuf = std::make_unique<char[]>(CURL_ERROR_SIZE);
  Easy e = make_easy(m_socket, path, errbuf.get());
  if (!e) return make_error("cannot start an HTTP request");
  auto stream = std::make_unique<GetStream>(std::move(e), std::move(errbuf));
  long status = TRY(stream->status());
  if (stream->failed_early())
    return transport_error("GET " + path, stream->result(),
                           curl_detail(stream->result(), stream->errbuf()));
  if (status != 200) {
    std::string body = TRY(read_all(*stream, k_max_error_body).wrap("GET " + path));
    return make_error(daemon_error_message(body));
  }
  return std::unique_ptr<ByteSource>(std::move(stream));
}

Result<std::unique_ptr<DaemonUpload>> DaemonClient::post_stream(
    const std::string& path, const std::string& content_type) const {
  // Nothing answering is reported now, not after the caller has produced the whole body.
  if (std::string why = probe_socket(m_socket); !why.empty())
    return make_error("cannot reach " + m_engine + " at " + m_socket + " (" + why + "); " + m_hint);
  auto errbuf = std::make_unique<char[]>(CURL_ERROR_SIZE);
  Easy e = make_easy(m_socket, path, errbuf.get());
  if (!e) return make_error("cannot start an HTTP request");
  Slist headers;
  for (std::string h : {"Content-Type: " + content_type, std::string("Transfer-Encoding: chunked"),
                        std::string("Expect:")})
    headers.reset(curl_slist_append(headers.release(), h.c_str()));
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    return make_error("socketpair: " + errno_text(errno));
  return std::unique_ptr<DaemonUpload>(std::make_unique<Upload>(
      std::move(e), std::move(errbuf), std::move(headers), UniqueFd(fds[0]), UniqueFd(fds[1])));
}

}  // namespace pith::transport
