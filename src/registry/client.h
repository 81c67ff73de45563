// The OCI distribution API for one repository of one registry: manifests and blobs, read and
// written, with authentication (anonymous, Basic, Bearer tokens) and retries handled inside.
// A Client is shared by the threads that read layers in parallel; it is safe to use from many.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "oci/descriptor.h"
#include "registry/auth.h"
#include "registry/credentials.h"
#include "registry/http.h"
#include "registry/retry.h"
#include "util/byte_source.h"
#include "util/result.h"

namespace pith::registry {

struct ClientOptions {
  TlsOptions tls;
  std::optional<Credential> credential;  // given on the command line; else looked up
  std::string authfile;                  // --authfile ("" = the usual places)
  RetryPolicy retry;
  // Other repositories of the same registry to read from too (cross-repository mounts).
  std::vector<std::string> also_pull;
  // > 0: blobs larger than k_monolithic_limit go up in PATCH requests of this many bytes
  // (for registries or proxies that cap request bodies); 0: in one streamed PUT.
  uint64_t chunk_size = 0;
  // How the command spells its registry flags ("--", "--src-", "--dest-"), for the hints of
  // errors that a flag fixes (--tls-verify=false, --cert-dir).
  std::string flag_prefix = "--";
};

struct FetchedManifest {
  std::string bytes;
  std::string media_type;  // Content-Type, parameters dropped
  std::string digest;      // Docker-Content-Digest, "" if the registry sent none
};

// Blobs up to this size are read into memory and sent in one PUT, which is retried like any
// request; larger ones stream in one PUT (or in chunks, see ClientOptions::chunk_size), and a
// failed upload of those starts again from a freshly opened copy of the content.
inline constexpr uint64_t k_monolithic_limit = 32 << 20;

// Opens a blob's bytes from the start (a verified stream), once per upload attempt.
using ContentOpener = std::function<Result<std::unique_ptr<ByteSource>>()>;

class Client {
 public:
  static Result<std::shared_ptr<Client>> create(std::string registry, std::string repository,
                                                Access access, ClientOptions options);

  std::string describe() const { return m_registry + "/" + m_repository; }
  const std::string& registry() const { return m_registry; }
  const std::string& repository() const { return m_repository; }

  // Reaches the registry (GET /v2/, https unless verification is off) and authenticates if
  // it asks to; done once, at the first request. Called early, it makes a registry that cannot
  // be reached fail before anything else happens, with an error that names the host.
  Result<void> ensure_ready();
  // Reaches the registry and authenticates (what `pith login` checks).
  Result<void> check_access();

  // A manifest or index by tag or digest, in any of the types pith reads.
  Result<FetchedManifest> get_manifest(const std::string& reference);
  // The same, or nullopt when the registry answers 404 (no such tag or digest).
  Result<std::optional<FetchedManifest>> find_manifest(const std::string& reference);
  Result<bool> has_blob(const oci::Digest& digest);
  // The blob's bytes as stored (not verified here: callers wrap it in oci::verifying). A
  // dropped connection is resumed with a Range request where it broke off.
  Result<std::unique_ptr<ByteSource>> open_blob(const oci::Digest& digest, uint64_t size);

  enum class Uploaded { sent, mounted };
  // Uploads the blob `open` gives (exactly d.size bytes of d.digest). With `mount_from`, asks
  // the registry to link the blob from that repository first and sends bytes only if it
  // cannot. An upload that breaks off is started again (per the retry policy) with a fresh
  // stream from `open`.
  Result<Uploaded> upload_blob(const oci::Descriptor& d, const ContentOpener& open,
                               const std::string& mount_from = "");
  Result<void> put_manifest(const std::string& reference, const std::string& media_type,
                            const std::string& bytes);
  // put_manifest for a manifest with a `subject`: returns the answer's OCI-Subject header ("" if
  // absent), by which a registry with the referrers API says it indexed the subject.
  Result<std::string> put_manifest_with_subject(const std::string& reference,
                                                const std::string& media_type,
                                                const std::string& bytes);

  // One page of GET /v2/<name>/referrers/<digest> (referrers.cc).
  struct ReferrersPage {
    std::string body;             // an image index
    std::string filters_applied;  // the OCI-Filters-Applied header ("artifactType" if filtered)
    std::string next;             // the path of the next page (Link rel="next"), "" if none
  };
  // `path` is "/v2/<name>/referrers/<digest>[?artifactType=...]" or a page's `next`. nullopt:
  // the registry answered 404, i.e. it has no referrers API (the spec forbids a 404 otherwise).
  Result<std::optional<ReferrersPage>> get_referrers_page(const std::string& path);

  // One page of a listing (listing.cc): GET `path` ("/v2/_catalog?n=...", a tags list, or a
  // page's `next`), answered 200; `what` names it in errors.
  struct ListingPage {
    std::string body;
    std::string next;  // the path of the next page (Link rel="next"), "" if none
  };
  Result<ListingPage> get_listing_page(const std::string& path, const std::string& what);

  // For BlobReader: a GET of `url` that is authenticated and retried; the answer may still
  // be an error status (the caller reports it).
  Result<std::unique_ptr<HttpStream>> open_stream(Request r);
  // Requests name registry paths ("/v2/..."); the scheme and host are added once known.
  static std::string url(const std::string& path) { return path; }
  const RetryPolicy& retry_policy() const { return m_options.retry; }

 private:
  Client(std::string registry, std::string repository, Access access, ClientOptions options);
  // Why /v2/ got no answer, with the flag or file that fixes it when a setting is the cause.
  Error unreachable(const Response& ping) const;
  Error plain_http_refused() const;
  // Gets fresh authorization after a 401 (or at first use), from `challenge_header`.
  Result<void> authenticate(const std::string& challenge_header);
  Result<std::optional<Credential>> credential();
  std::string auth_header();
  // Adds the Authorization header to `req`, first getting a new token if the one held has run
  // out (a long push must not send its next blob with an expired token: a streamed upload
  // answered 401 cannot be sent again).
  Result<void> authorize(Request& req);
  // Sends with authorization, refreshing it once on 401 and retrying per the policy.
  Result<Response> send(Request r, size_t body_limit = 4 << 20);
  Error failure(const Response& r, const std::string& what) const;

  // One upload session (upload.cc): how it ended, and whether a new session may succeed.
  struct Session {
    Result<void> result;
    bool retryable = false;
  };
  // POSTs a new session (mounting from `mount_from` if given): its location, "" if mounted.
  Result<std::string> start_upload(const oci::Descriptor& d, const std::string& mount_from);
  Session upload_whole(const std::string& location, const oci::Descriptor& d, ByteSource& content);
  Session upload_streamed(const std::string& location, const oci::Descriptor& d,
                          ByteSource& content);
  Session upload_chunks(std::string location, const oci::Descriptor& d, ByteSource& content);
  // The finishing PUT ?digest=, with the last bytes (or all of them) as its body.
  Result<void> finish_upload(const std::string& location, const oci::Descriptor& d,
                             std::string_view body = {});
  Error not_found(const std::string& reference);
  Result<Response> send_manifest(const std::string& reference, const std::string& media_type,
                                 const std::string& bytes);

  std::string m_registry;
  std::string m_repository;
  Access m_access;
  ClientOptions m_options;
  std::unique_ptr<Http> m_http;
  std::string m_base;  // "https://host[:port]" once ready

  // One thread pings and authenticates first; the others wait for it (m_base is then set once,
  // before anyone reads it).
  std::mutex m_ready_mutex;
  mutable std::mutex m_mutex;  // guards what follows
  bool m_ready = false;
  std::string m_auth;  // the Authorization header line, "" for anonymous
  std::chrono::steady_clock::time_point m_auth_expires =
      std::chrono::steady_clock::time_point::max();
  std::string m_challenge;  // the last WWW-Authenticate seen
  bool m_credential_looked_up = false;
  std::optional<Credential> m_credential;
};

// Adds a path to a Location header that may be relative and may already carry a query.
std::string resolve_location(const std::string& base, const std::string& location);
std::string append_query(const std::string& url, const std::string& query);

}  // namespace pith::registry
