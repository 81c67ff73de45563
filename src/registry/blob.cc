// Blob reads over the distribution API: streamed, resumed with a Range request where a
// connection broke off.
#include <algorithm>
#include <thread>

#include "registry/client.h"

namespace pith::registry {

namespace {

constexpr int k_max_resumes = 8;  // in a row without progress

class BlobReader final : public ByteSource {
 public:
  BlobReader(Client& client, oci::Digest digest, uint64_t size)
      : m_client(client), m_digest(std::move(digest)), m_size(size) {}

  Result<size_t> read(std::span<std::byte> out) override {
    while (true) {
      if (!m_stream) TRY(open());
      if (m_skip > 0) {
        // The server ignored Range and sent the blob from its start: drop what we have.
        std::byte junk[64 * 1024];
        auto n = m_stream->read(std::span(junk, std::min<uint64_t>(sizeof junk, m_skip)));
        if (n && *n > 0) {
          m_skip -= *n;
          continue;
        }
        TRY(broken(n ? "connection closed" : n.error().message));
        continue;
      }
      auto n = m_stream->read(out);
      if (n && (*n > 0 || m_offset >= m_size)) {
        m_offset += *n;
        if (*n > 0) m_failures = 0;
        return n;
      }
      // Ended early or broke: resume from here.
      TRY(broken(n ? "connection closed early" : n.error().message));
    }
  }

 private:
  std::string what() const { return m_client.describe() + ": blob " + m_digest.str(); }

  Result<void> open() {
    Request r{"GET",
              m_client.url("/v2/" + m_client.repository() + "/blobs/" + m_digest.str()),
              {},
              "",
              true};
    if (m_offset > 0) r.headers.push_back("Range: bytes=" + std::to_string(m_offset) + "-");
    auto stream = m_client.open_stream(std::move(r));
    if (!stream) {
      TRY(broken(stream.error().message));
      return open();
    }
    long status = (*stream)->status();
    if (status == 200 || status == 206) {
      m_skip = status == 200 ? m_offset : 0;
      m_stream = std::move(*stream);
      return {};
    }
    if (status == 404) return make_error(what() + ": not found in the registry (HTTP 404)");
    if (status == 401 || status == 403) return make_error(what() + ": access denied");
    return make_error(what() + ": unexpected answer (HTTP " + std::to_string(status) + ")");
  }

  // A broken transfer: wait a little and resume, unless it keeps breaking without progress.
  Result<void> broken(const std::string& cause) {
    m_stream.reset();
    if (++m_failures > k_max_resumes)
      return make_error(what() + ": transfer failed after " + std::to_string(m_offset) +
                        " bytes: " + cause);
    auto delay = m_client.retry_policy().first_delay * (1 << std::min(m_failures - 1, 5));
    std::this_thread::sleep_for(std::min(delay, m_client.retry_policy().max_delay));
    return {};
  }

  Client& m_client;
  oci::Digest m_digest;
  uint64_t m_size;
  uint64_t m_offset = 0;
  uint64_t m_skip = 0;
  int m_failures = 0;
  std::unique_ptr<HttpStream> m_stream;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> Client::open_blob(const oci::Digest& digest, uint64_t size) {
  TRY(ensure_ready());
  return std::unique_ptr<ByteSource>(std::make_unique<BlobReader>(*this, digest, size));
}

}  // namespace pith::registry
