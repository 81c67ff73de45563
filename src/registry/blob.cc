// Blobs over the distribution API: streamed reads that resume where a connection broke off,
// and uploads (cross-repository mount, one PUT, or chunks that are each retried).
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

// Fills `buf` from `src` up to its capacity or the end of the stream.
Result<size_t> fill(ByteSource& src, std::string& buf, size_t capacity) {
  buf.resize(capacity);
  size_t got = 0;
  while (got < capacity) {
    size_t n = TRY(src.read(std::as_writable_bytes(std::span(buf.data() + got, capacity - got))));
    if (n == 0) break;
    got += n;
  }
  buf.resize(got);
  return got;
}

}  // namespace

Result<std::unique_ptr<ByteSource>> Client::open_blob(const oci::Digest& digest, uint64_t size) {
  TRY(ensure_ready());
  return std::unique_ptr<ByteSource>(std::make_unique<BlobReader>(*this, digest, size));
}

Result<Client::Uploaded> Client::upload_blob(const oci::Descriptor& d, ByteSource& content,
                                             const std::string& mount_from) {
  std::string what = "blob " + d.digest.str();
  std::string start = url("/v2/" + m_repository + "/blobs/uploads/");
  if (!mount_from.empty() && mount_from != m_repository)
    start += "?mount=" + percent_encode(d.digest.str()) + "&from=" + percent_encode(mount_from);
  Response r = TRY(send(Request{"POST", start, {"Content-Length: 0"}, "", true}));
  if (r.status == 201) return Uploaded::mounted;
  if (r.status != 202) return failure(r, "starting the upload of " + what);
  std::string location = resolve_location(m_base, r.header("location"));
  // An upload abandoned half-way is cancelled, so the registry frees its space.
  struct Cancel {
    Client& c;
    std::string* loc;
    bool armed = true;
    ~Cancel() {
      if (armed) (void)c.send(Request{"DELETE", *loc, {}, "", true});
    }
  } cancel{*this, &location};

  std::string buf;
  if (d.size <= k_monolithic_limit) {
    TRY(fill(content, buf, d.size + 1));
    if (buf.size() != d.size)
      return make_error(describe() + ": " + what + ": size differs from its descriptor");
    // The verifying stream checks the digest only once it has seen its end.
    std::byte end[1];
    if (TRY(content.read(end)) != 0) return make_error(describe() + ": " + what + ": too long");
  } else {
    // One streamed PATCH: the bytes go out as they are read and verified, with no copy held
    // (registries re-read what they have on every chunk of a chunked upload, so many small
    // PATCHes cost more than they save). It cannot be replayed, so it is not retried.
    Request patch{"PATCH", location, {}, "", true};
    patch.upload = &content;
    patch.upload_size = d.size;
    auto stream = TRY(open_stream(patch).wrap(describe() + ": uploading " + what));
    Response head;
    head.status = stream->status();
    head.headers = stream->headers();
    head.body = TRY(read_all(*stream, 1 << 20));
    if (head.status != 202) return failure(head, "uploading " + what);
    location = resolve_location(m_base, head.header("location"));
    // The last read above saw the stream's end, so the digest has been verified.
    std::byte end[1];
    if (TRY(content.read(end)) != 0) return make_error(describe() + ": " + what + ": too long");
  }
  r = TRY(send(Request{
      "PUT", append_query(location, "digest=" + percent_encode(d.digest.str())), {}, buf, true}));
  if (r.status != 201 && r.status != 204) return failure(r, "finishing the upload of " + what);
  cancel.armed = false;
  return Uploaded::sent;
}

}  // namespace pith::registry
