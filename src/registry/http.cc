// libcurl behind Http and HttpStream. Each stream runs its own easy handle on a multi handle
// taken from a pool, so a body is pulled only as fast as the reader consumes it (the transfer
// pauses when the reader falls behind) and connections stay open for the next request.
#include "registry/http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "util/ascii.h"
#include "util/file.h"

namespace pith::registry {

namespace {

constexpr size_t k_pause_above = 8 << 20;  // buffered but unread body bytes
constexpr const char* k_system_cas = "/etc/ssl/certs/ca-certificates.crt";

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return std::string(s);
}

struct GlobalInit {
  GlobalInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

}  // namespace

struct Http::Locks {
  std::mutex data[CURL_LOCK_DATA_LAST];
  std::mutex pool_mutex;
  std::vector<CURLM*> pool;  // idle multi handles, each with its own open connections
};

std::string Response::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

std::string HttpStream::header(const std::string& lower_name) const {
  auto it = m_headers.find(lower_name);
  return it == m_headers.end() ? "" : it->second;
}

Result<std::unique_ptr<Http>> Http::create(const TlsOptions& tls) {
  static GlobalInit init;
  std::unique_ptr<Http> http(new Http());
  http->m_tls = tls;
  http->m_locks = std::make_unique<Locks>();
  if (!tls.cert_dir.empty()) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(tls.cert_dir, ec))
      return make_error(tls.cert_dir + ": certificate directory not found");
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(tls.cert_dir, ec))
      names.push_back(e.path().string());
    std::sort(names.begin(), names.end());
    std::string cas;
    for (const auto& n : names) {
      if (n.ends_with(".crt")) {
        cas += TRY(read_file(n, 16 << 20));
        cas += "\n";
      } else if (n.ends_with(".cert") && http->m_client_cert.empty()) {
        std::string key = n.substr(0, n.size() - 5) + ".key";
        if (!fs::exists(key, ec))
          return make_error(n + ": client certificate without its key " + key);
        http->m_client_cert = n;
        http->m_client_key = key;
      }
    }
    if (!cas.empty()) {
      // Added to the system's CAs, as containers' certs.d does, not instead of them.
      auto system = read_file(k_system_cas, 16 << 20);
      http->m_ca_blob = (system ? *system + "\n" : std::string()) + cas;
    }
  }
  CURLSH* share = curl_share_init();
  curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  curl_share_setopt(share, CURLSHOPT_USERDATA, http->m_locks.get());
  curl_share_setopt(
      share, CURLSHOPT_LOCKFUNC, +[](CURL*, curl_lock_data d, curl_lock_access, void* p) {
        static_cast<Locks*>(p)->data[d].lock();
      });
  curl_share_setopt(
      share, CURLSHOPT_UNLOCKFUNC,
      +[](CURL*, curl_lock_data d, void* p) { static_cast<Locks*>(p)->data[d].unlock(); });
  http->m_share = share;
  return http;
}

Http::~Http() {
  for (CURLM* m : m_locks->pool) curl_multi_cleanup(m);
  if (m_share) curl_share_cleanup(static_cast<CURLSH*>(m_share));
}

void Http::configure(void* handle) const {
  CURL* e = static_cast<CURL*>(handle);
  curl_easy_setopt(e, CURLOPT_SHARE, static_cast<CURLSH*>(m_share));
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "pith/0.1");
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 30L);
  // A transfer that moves nothing for a minute is dead (then retried or resumed).
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 512L * 1024);
  if (!m_tls.verify) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!m_ca_blob.empty()) {
    curl_blob blob{const_cast<char*>(m_ca_blob.data()), m_ca_blob.size(), CURL_BLOB_NOCOPY};
    curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
  }
  if (!m_client_cert.empty()) {
    curl_easy_setopt(e, CURLOPT_SSLCERT, m_client_cert.c_str());
    curl_easy_setopt(e, CURLOPT_SSLKEY, m_client_key.c_str());
  }
}

Result<std::unique_ptr<HttpStream>> Http::open(Request r) {
  std::unique_ptr<HttpStream> s(new HttpStream(std::move(r)));
  TRY(s->start(*this));
  return s;
}

Response Http::perform(const Request& r, size_t body_limit) {
  Response out;
  std::unique_ptr<HttpStream> stream(new HttpStream(r));
  if (auto started = stream->start(*this); !started) {
    out.error = started.error().message;
    out.failure = stream->m_failure;
    return out;
  }
  auto body = read_all(*stream, body_limit);
  if (!body) {
    out.error = body.error().message;
    out.failure = stream->m_failure;
    return out;
  }
  out.status = stream->status();
  out.headers = stream->headers();
  out.body = std::move(*body);
  char* url = nullptr;
  curl_easy_getinfo(static_cast<CURL*>(stream->m_easy), CURLINFO_EFFECTIVE_URL, &url);
  if (url) out.effective_url = url;
  return out;
}

// ---------------------------------------------------------------------------------------

size_t HttpStream::on_header(char* data, size_t size, size_t n, void* p) {
  auto* self = static_cast<HttpStream*>(p);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new answer (after a redirect or 100 Continue): its headers replace the last ones.
    self->m_headers.clear();
    size_t sp = line.find(' ');
    if (sp != std::string_view::npos)
      self->m_status = std::atol(std::string(line.substr(sp + 1, 3)).c_str());
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name = ascii_lower(trim(line.substr(0, colon)));
    std::string value = trim(line.substr(colon + 1));
    auto [it, inserted] = self->m_headers.emplace(name, value);
    // Repeated headers are joined, as HTTP allows (WWW-Authenticate may come twice).
    if (!inserted) it->second += ", " + value;
  }
  return size * n;
}

size_t HttpStream::on_body(char* data, size_t size, size_t n, void* p) {
  auto* self = static_cast<HttpStream*>(p);
  if (self->m_buf.size() - self->m_buf_pos > k_pause_above) {
    self->m_paused = true;
    return CURL_WRITEFUNC_PAUSE;
  }
  self->m_buf.append(data, size * n);
  self->m_got_body = true;
  return size * n;
}

size_t HttpStream::on_upload(char* data, size_t size, size_t n, void* p) {
  auto* self = static_cast<HttpStream*>(p);
  auto got = self->m_request.upload->read(std::as_writable_bytes(std::span(data, size * n)));
  if (!got) {
    self->m_upload_error = got.error().message;
    return CURL_READFUNC_ABORT;
  }
  return *got;
}

Result<void> HttpStream::start(Http& http) {
  CURL* e = curl_easy_init();
  if (!e) return make_error("cannot start an HTTP request");
  m_easy = e;
  http.configure(e);
  curl_easy_setopt(e, CURLOPT_URL, m_request.url.c_str());
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, m_request.follow_redirects ? 1L : 0L);
  curl_slist* headers = nullptr;
  bool has_type = false;
  for (const auto& h : m_request.headers) {
    headers = curl_slist_append(headers, h.c_str());
    has_type = has_type || ascii_lower(h).rfind("content-type:", 0) == 0;
  }
  headers = curl_slist_append(headers, "Expect:");
  const std::string& m = m_request.method;
  if (m == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (m_request.upload) {
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m.c_str());
    curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(m_request.upload_size));
    curl_easy_setopt(e, CURLOPT_READFUNCTION, &HttpStream::on_upload);
    curl_easy_setopt(e, CURLOPT_READDATA, this);
    curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, 2L * 1024 * 1024);
    if (!has_type) headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
  } else if (m == "PUT" || m == "POST" || m == "PATCH") {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, m_request.body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(m_request.body.size()));
    if (!has_type) headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
  } else if (m != "GET") {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m.c_str());
  }
  m_header_list = headers;
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &HttpStream::on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &HttpStream::on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
  m_error_detail.assign(CURL_ERROR_SIZE, '\0');
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, m_error_detail.data());
  auto* pool = http.m_locks.get();
  m_pool = pool;
  {
    std::lock_guard lock(pool->pool_mutex);
    if (!pool->pool.empty()) {
      m_multi = pool->pool.back();
      pool->pool.pop_back();
    }
  }
  if (!m_multi) m_multi = curl_multi_init();
  curl_multi_add_handle(static_cast<CURLM*>(m_multi), e);
  // The answer's headers are in once body bytes arrive or the transfer ends.
  while (!m_got_body && !m_done) TRY(pump());
  if (!m_upload_error.empty()) return make_error(m_upload_error);
  if (m_status == 0) return make_error(m_error.empty() ? "no answer" : m_error);
  return {};
}

HttpStream::~HttpStream() {
  if (m_multi && m_easy) curl_multi_remove_handle(static_cast<CURLM*>(m_multi), m_easy);
  if (m_easy) curl_easy_cleanup(static_cast<CURL*>(m_easy));
  if (m_header_list) curl_slist_free_all(static_cast<curl_slist*>(m_header_list));
  if (m_multi) {
    auto* pool = static_cast<Http::Locks*>(m_pool);
    std::lock_guard lock(pool->pool_mutex);
    pool->pool.push_back(static_cast<CURLM*>(m_multi));
  }
}

Result<void> HttpStream::pump() {
  CURLM* multi = static_cast<CURLM*>(m_multi);
  size_t before = m_buf.size();
  int running = 0;
  CURLMcode mc = curl_multi_perform(multi, &running);
  if (mc != CURLM_OK) return make_error(std::string("HTTP: ") + curl_multi_strerror(mc));
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    m_done = true;
    if (msg->data.result != CURLE_OK) record_failure(msg->data.result);
  }
  if (!m_done && running == 0) m_done = true;
  if (!m_done && m_buf.size() == before && !m_paused)
    curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  return {};
}

void HttpStream::record_failure(int curl_code) {
  auto code = static_cast<CURLcode>(curl_code);
  m_error = curl_easy_strerror(code);
  m_failure = TransportFailure::other;
  if (code != CURLE_SSL_CONNECT_ERROR && code != CURLE_PEER_FAILED_VERIFICATION) return;
  // TLS failures in OpenSSL's words ("SSL certificate problem: self-signed certificate"),
  // where curl's own would only say "SSL peer certificate or SSH remote key was not OK".
  std::string detail = m_error_detail.c_str();  // up to its terminating NUL
  if (!detail.empty()) m_error = detail;
  m_failure = TransportFailure::tls_handshake;
  if (code == CURLE_PEER_FAILED_VERIFICATION) {
    // OpenSSL's X509_V_ERR_*: an issuer that is missing or self-signed, that is, a CA not
    // among the trusted ones (an expired certificate or a wrong host name is another matter).
    long verify = 0;
    curl_easy_getinfo(static_cast<CURL*>(m_easy), CURLINFO_SSL_VERIFYRESULT, &verify);
    m_failure = verify == 2 || (verify >= 18 && verify <= 21) ? TransportFailure::unknown_ca
                                                              : TransportFailure::other;
  }
}

Result<size_t> HttpStream::read(std::span<std::byte> out) {
  while (m_buf_pos == m_buf.size()) {
    m_buf.clear();
    m_buf_pos = 0;
    if (m_paused) {
      m_paused = false;
      curl_easy_pause(static_cast<CURL*>(m_easy), CURLPAUSE_CONT);
      continue;
    }
    if (m_done) {
      if (!m_error.empty()) return make_error(m_error);
      return size_t{0};
    }
    TRY(pump());
  }
  size_t n = std::min(out.size(), m_buf.size() - m_buf_pos);
  std::memcpy(out.data(), m_buf.data() + m_buf_pos, n);
  m_buf_pos += n;
  return n;
}

}  // namespace pith::registry
