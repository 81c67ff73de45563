// HTTP over libcurl for the registry client: one shared connection cache (keep-alive across
// requests and threads), TLS verified against the system CAs or a certs.d-style directory,
// redirects followed, and response bodies pulled as a ByteSource (nothing is buffered whole).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/byte_source.h"
#include "util/result.h"

namespace pith::registry {

struct TlsOptions {
  bool verify = true;    // false: any certificate, and plain HTTP is allowed
  std::string cert_dir;  // "": the system CAs; else *.crt are CAs, *.cert/*.key a client pair
};

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string_view body;             // sent for PUT, POST and PATCH (owned by the caller)
  bool follow_redirects = true;
  // Instead of `body`: `upload_size` bytes streamed from `upload` as curl sends them (such a
  // request cannot be replayed, so it is never retried).
  ByteSource* upload = nullptr;
  uint64_t upload_size = 0;
};

// Why a request got no HTTP answer, where the cause is one a message can say how to fix.
enum class TransportFailure {
  none,
  tls_handshake,  // the TLS handshake broke off (a server that speaks plain HTTP, for one)
  unknown_ca,     // the server's certificate chain ends at a CA that is not trusted
  other,
};

struct Response {
  long status = 0;                             // 0: no HTTP answer (see `error`)
  std::map<std::string, std::string> headers;  // lower-case names of the final answer
  std::string body;
  std::string error;  // the transport failure when status is 0
  TransportFailure failure = TransportFailure::none;
  std::string effective_url;
  std::string header(const std::string& lower_name) const;
};

class Http;

// One request whose answer body is read as a stream. The status and headers are known once
// open() returns; read() then yields the body and fails if the connection breaks.
class HttpStream final : public ByteSource {
 public:
  ~HttpStream() override;
  long status() const { return m_status; }
  const std::map<std::string, std::string>& headers() const { return m_headers; }
  std::string header(const std::string& lower_name) const;
  Result<size_t> read(std::span<std::byte> out) override;

 private:
  friend class Http;
  explicit HttpStream(Request r) : m_request(std::move(r)) {}
  Result<void> start(Http& http);
  // Drives the transfer until body bytes are buffered or it ends.
  Result<void> pump();
  // Records why the transfer ended without an answer.
  void record_failure(int curl_code);
  static size_t on_header(char* data, size_t size, size_t n, void* self);
  static size_t on_body(char* data, size_t size, size_t n, void* self);
  static size_t on_upload(char* data, size_t size, size_t n, void* self);

  Request m_request;
  void* m_easy = nullptr;
  void* m_multi = nullptr;
  void* m_header_list = nullptr;
  void* m_pool = nullptr;  // Http::Locks: where m_multi goes back to
  long m_status = 0;
  std::map<std::string, std::string> m_headers;
  std::string m_buf;
  size_t m_buf_pos = 0;
  bool m_paused = false;
  bool m_done = false;
  bool m_got_body = false;
  std::string m_error;
  std::string m_error_detail;  // curl's error buffer: the cause in its own words
  TransportFailure m_failure = TransportFailure::none;
  std::string m_upload_error;  // why the upload source failed, if it did
};

class Http {
 public:
  static Result<std::unique_ptr<Http>> create(const TlsOptions& tls);
  ~Http();
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;

  // Sends a request and reads the whole answer (bodies beyond `body_limit` fail the call with
  // status 0). Transport failures come back as status 0 with `error` set, for retrying.
  Response perform(const Request& r, size_t body_limit = 4 << 20);
  // Sends a request and returns once the answer's headers are in. A transport failure before
  // that is an error.
  Result<std::unique_ptr<HttpStream>> open(Request r);

  const TlsOptions& tls() const { return m_tls; }

 private:
  friend class HttpStream;
  Http() = default;
  void configure(void* easy) const;

  TlsOptions m_tls;
  void* m_share = nullptr;
  std::string m_ca_blob;  // system bundle + cert_dir CAs, when cert_dir has any
  std::string m_client_cert;
  std::string m_client_key;
  struct Locks;
  std::unique_ptr<Locks> m_locks;
};

}  // namespace pith::registry
