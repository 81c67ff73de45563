// The client's core: choosing http or https, the auth handshake, retries, manifests, and
// error messages that name the registry and repository (never a credential).
#include "registry/client.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "oci/media_types.h"

namespace pith::registry {

namespace {

// Docker Hub's API lives on another host than its name.
std::string api_host(const std::string& registry) {
  return registry == "docker.io" ? "registry-1.docker.io" : registry;
}

std::string accept_header() {
  return "Accept: " + std::string(oci::media::oci_manifest) + ", " +
         std::string(oci::media::oci_index) + ", " + std::string(oci::media::docker_manifest) +
         ", " + std::string(oci::media::docker_list);
}

std::string without_parameters(std::string media_type) {
  size_t semi = media_type.find(';');
  if (semi != std::string::npos) media_type.resize(semi);
  while (!media_type.empty() && media_type.back() == ' ') media_type.pop_back();
  return media_type;
}

// The registry's own explanation: {"errors":[{"code":..., "message":...}]}.
std::string registry_error_text(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("errors") || !j["errors"].is_array() ||
      j["errors"].empty())
    return "";
  const auto& e = j["errors"][0];
  if (!e.is_object()) return "";
  std::string message =
      e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : "";
  std::string code =
      e.contains("code") && e["code"].is_string() ? e["code"].get<std::string>() : "";
  if (code == "NAME_UNKNOWN") return "repository not found";
  if (code == "MANIFEST_UNKNOWN") return "manifest unknown (no such tag or digest)";
  if (code == "BLOB_UNKNOWN") return "blob unknown";
  std::string text = message.empty() ? code : message;
  if (text.size() > 200) text = text.substr(0, 200) + "...";
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return text;
}

// containers' certs.d directory for a registry, as skopeo and podman look for it when no
// --cert-dir is given (containers/image dockerCertDir): the first of these that exists.
std::string default_cert_dir(const std::string& host) {
  const char* home = std::getenv("HOME");
  std::vector<std::string> roots{"/etc/containers/certs.d", "/etc/docker/certs.d"};
  if (home && *home) roots.insert(roots.begin(), std::string(home) + "/.config/containers/certs.d");
  for (const auto& root : roots) {
    std::error_code ec;
    if (std::filesystem::is_directory(root + "/" + host, ec)) return root + "/" + host;
  }
  return "";
}

}  // namespace

std::string append_query(const std::string& url, const std::string& query) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + query;
}

std::string resolve_location(const std::string& base, const std::string& location) {
  if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0) return location;
  if (!location.empty() && location[0] == '/') return base + location;
  return base + "/" + location;
}

Client::Client(std::string registry, std::string repository, Access access, ClientOptions options)
    : m_registry(std::move(registry)),
      m_repository(std::move(repository)),
      m_access(access),
      m_options(std::move(options)) {
  if (m_options.credential) {
    m_credential = m_options.credential;
    m_credential_looked_up = true;
  }
}

Result<std::shared_ptr<Client>> Client::create(std::string registry, std::string repository,
                                               Access access, ClientOptions options) {
  if (options.tls.cert_dir.empty()) options.tls.cert_dir = default_cert_dir(api_host(registry));
  std::shared_ptr<Client> c(
      new Client(std::move(registry), std::move(repository), access, std::move(options)));
  c->m_http = TRY(Http::create(c->m_options.tls));
  return c;
}

Error Client::failure(const Response& r, const std::string& what) const {
  std::string prefix = describe() + ": " + what + ": ";
  if (r.status == 0) return make_error(prefix + r.error);
  if (r.status == 401 || r.status == 403) {
    bool had = false;
    {
      std::lock_guard lock(m_mutex);
      had = m_credential.has_value();
    }
    return make_error(
        prefix + (had ? "access denied (wrong user name or password, or no access to "
                        "this repository)"
                      : "authentication required (pith login " + m_registry + ", or --creds)"));
  }
  std::string text = registry_error_text(r.body);
  if (text.empty()) text = r.status == 404 ? "not found" : "unexpected answer";
  return make_error(prefix + text + " (HTTP " + std::to_string(r.status) + ")");
}

Result<std::optional<Credential>> Client::credential() {
  {
    std::lock_guard lock(m_mutex);
    if (m_credential_looked_up) return m_credential;
  }
  auto found = TRY(find_credential(m_registry, m_repository, m_options.authfile));
  std::lock_guard lock(m_mutex);
  m_credential = found;
  m_credential_looked_up = true;
  return m_credential;
}

std::string Client::auth_header() {
  std::lock_guard lock(m_mutex);
  return m_auth;
}

Result<void> Client::ensure_ready() {
  {
    std::lock_guard lock(m_mutex);
    if (m_ready) return {};
  }
  std::lock_guard ready_lock(m_ready_mutex);
  {
    std::lock_guard lock(m_mutex);
    if (m_ready) return {};  // another thread got there first
  }
  // Ping /v2/: it tells whether the registry speaks https (or only http, allowed when
  // verification is off) and which authentication it wants.
  std::vector<std::string> schemes{"https"};
  if (!m_options.tls.verify) schemes.push_back("http");
  Response ping;
  std::string base;
  for (size_t i = 0; i < schemes.size(); ++i) {
    base = schemes[i] + "://" + api_host(m_registry);
    bool last = i + 1 == schemes.size();
    for (int attempt = 1;; ++attempt) {
      ping = m_http->perform(Request{"GET", base + "/v2/", {}, "", true});
      // https failing where http is allowed next: no point retrying, try http.
      if (ping.status == 0 && !last) break;
      // A certificate refused once is refused again; so is https by a plain HTTP server.
      if (ping.failure == TransportFailure::unknown_ca) break;
      if (ping.failure == TransportFailure::tls_handshake) {
        // Is it plain HTTP? Asked in the clear, but with no credential.
        Response plain = m_http->perform(
            Request{"GET", "http://" + api_host(m_registry) + "/v2/", {}, "", false}, 64 << 10);
        if (plain.status != 0) return plain_http_refused();
      }
      auto delay = retry_delay({attempt, ping.status, ping.header("retry-after")}, m_options.retry);
      if (!delay) break;
      std::this_thread::sleep_for(*delay);
    }
    if (ping.status != 0) break;
  }
  if (ping.status == 0) return unreachable(ping);
  {
    std::lock_guard lock(m_mutex);
    m_base = base;
  }
  if (ping.status == 401) TRY(authenticate(ping.header("www-authenticate")));
  std::lock_guard lock(m_mutex);
  m_ready = true;
  return {};
}

Error Client::plain_http_refused() const {
  return make_error(api_host(m_registry) +
                    ": the registry gave an HTTP response to an HTTPS request (it speaks plain "
                    "HTTP); to allow plain HTTP, pass " +
                    m_options.flag_prefix + "tls-verify=false");
}

Error Client::unreachable(const Response& ping) const {
  std::string host = api_host(m_registry);
  if (ping.failure == TransportFailure::unknown_ca)
    return make_error(host +
                      ": the registry's TLS certificate is signed by an unknown authority (" +
                      ping.error + "); give its CA with " + m_options.flag_prefix +
                      "cert-dir DIR (a directory holding it as ca.crt), or put it in "
                      "/etc/containers/certs.d/" +
                      host + "/ca.crt");
  return make_error(describe() + ": cannot reach the registry: " + ping.error);
}

Result<void> Client::authenticate(const std::string& challenge_header) {
  auto challenges = parse_www_authenticate(challenge_header);
  const Challenge* bearer = nullptr;
  const Challenge* basic = nullptr;
  for (const auto& c : challenges) {
    if (c.scheme == "bearer" && !bearer) bearer = &c;
    if (c.scheme == "basic" && !basic) basic = &c;
  }
  auto cred = TRY(credential());
  if (bearer) {
    // No repository (pith login): a token without scopes proves the credentials.
    std::vector<std::string> scopes;
    if (m_access == Access::catalog) {
      scopes.push_back("registry:catalog:*");
    } else if (!m_repository.empty()) {
      scopes.push_back(repository_scope(m_repository, m_access));
    }
    for (const auto& other : m_options.also_pull)
      if (other != m_repository) scopes.push_back(repository_scope(other, Access::pull));
    // An identity token is an OAuth2 refresh token: traded in a form POSTed to the realm
    // (docker/distribution's fetchTokenWithOAuth), never sent as Basic. A user name and
    // password go as Basic on the GET.
    bool identity = cred && cred->is_identity_token();
    std::string form;
    Request req{"GET", "", {}, "", true};
    if (identity) {
      form = refresh_token_form(cred->password, bearer->param("service"), scopes);
      req.method = "POST";
      req.url = TRY(token_realm(*bearer).wrap(describe()));
      req.headers.push_back("Content-Type: application/x-www-form-urlencoded");
      req.body = form;
    } else {
      req.url = TRY(token_url(*bearer, scopes).wrap(describe()));
      if (cred && !cred->username.empty())
        req.headers.push_back("Authorization: Basic " +
                              base64_encode(cred->username + ":" + cred->password));
    }
    Response r;
    for (int attempt = 1;; ++attempt) {
      r = m_http->perform(req);
      auto delay = retry_delay({attempt, r.status, r.header("retry-after")}, m_options.retry);
      if (!delay) break;
      std::this_thread::sleep_for(*delay);
    }
    if (r.status != 200) {
      if (r.status == 0) return failure(r, "token server");
      // No fallback to the GET flow for an identity token (it has no password to send).
      if (identity && r.status == 404)
        return make_error(describe() +
                          ": token server: it does not take identity tokens (HTTP 404 to the "
                          "OAuth2 POST); log in with a user name and password instead");
      if (identity && (r.status == 400 || r.status == 401 || r.status == 403)) {
        std::string code = oauth_error(r.body);
        return make_error(describe() + ": token server: identity token refused (" +
                          (code.empty() ? "" : code + ", ") + "HTTP " + std::to_string(r.status) +
                          "); it may have expired or been revoked: log in again");
      }
      Response denied;
      denied.status = r.status == 401 || r.status == 403 ? 401 : r.status;
      denied.body = r.body;
      return failure(denied, "token server");
    }
    Token t = TRY(parse_token_response(r.body).wrap(describe()));
    auto lifetime = token_lifetime(t, std::chrono::system_clock::now());
    std::lock_guard lock(m_mutex);
    m_challenge = challenge_header;
    m_auth = "Authorization: Bearer " + t.value;
    // Refreshed a little before it runs out.
    m_auth_expires = std::chrono::steady_clock::now() + lifetime - std::chrono::seconds(5);
    // A server that rotates identity tokens wants the new one next time (kept for this run
    // only: pith never rewrites the credential file).
    if (identity && !t.refresh_token.empty() && m_credential)
      m_credential->password = t.refresh_token;
    return {};
  }
  if (basic || challenges.empty()) {
    if (!cred) {
      Response r;
      r.status = 401;
      return failure(r, "registry");
    }
    if (cred->is_identity_token())
      return make_error(describe() +
                        ": the registry asks for Basic authentication, which an identity token "
                        "cannot give; log in with a user name and password instead");
    std::lock_guard lock(m_mutex);
    m_auth = "Authorization: Basic " + base64_encode(cred->username + ":" + cred->password);
    return {};
  }
  return make_error(describe() + ": unsupported authentication scheme \"" + challenges[0].scheme +
                    "\"");
}

Result<void> Client::check_access() {
  TRY(ensure_ready());
  // /v2/ with what we have must now pass; a repository request checks the token's scope.
  Response r = TRY(send(Request{"GET", "/v2/", {}, "", true}));
  if (r.status != 200) return failure(r, "login");
  return {};
}

Result<void> Client::authorize(Request& req) {
  bool expired = false;
  std::string challenge;
  {
    std::lock_guard lock(m_mutex);
    expired = std::chrono::steady_clock::now() >= m_auth_expires;
    challenge = m_challenge;
  }
  if (expired) TRY(authenticate(challenge));  // a token is reused until it runs out
  std::string auth = auth_header();
  if (!auth.empty()) req.headers.push_back(auth);
  return {};
}

Result<Response> Client::send(Request r, size_t body_limit) {
  TRY(ensure_ready());
  if (!r.url.empty() && r.url[0] == '/') r.url = m_base + r.url;
  bool refreshed = false;
  for (int attempt = 1;; ++attempt) {
    Request req = r;
    TRY(authorize(req));
    Response resp = m_http->perform(req, body_limit);
    if (resp.status == 401 && !refreshed) {
      // A token may have expired or lack a scope: get a new one once.
      refreshed = true;
      TRY(authenticate(resp.header("www-authenticate")));
      --attempt;
      continue;
    }
    auto delay = retry_delay({attempt, resp.status, resp.header("retry-after")}, m_options.retry);
    if (!delay) return resp;
    std::this_thread::sleep_for(*delay);
  }
}

Result<std::unique_ptr<HttpStream>> Client::open_stream(Request r) {
  TRY(ensure_ready());
  if (!r.url.empty() && r.url[0] == '/') r.url = m_base + r.url;
  bool refreshed = false;
  for (int attempt = 1;; ++attempt) {
    Request req = r;
    TRY(authorize(req));
    auto stream = m_http->open(req);
    if (r.upload) {
      // A streamed upload has consumed its source: it is tried once.
      if (!stream) return make_error(describe() + ": " + stream.error().message);
      return std::move(*stream);
    }
    Response head;
    if (stream) {
      head.status = (*stream)->status();
      head.headers = (*stream)->headers();
    } else {
      head.error = stream.error().message;
    }
    if (head.status == 401 && !refreshed) {
      refreshed = true;
      TRY(authenticate(head.header("www-authenticate")));
      --attempt;
      continue;
    }
    auto delay = retry_delay({attempt, head.status, head.header("retry-after")}, m_options.retry);
    if (!delay) {
      if (!stream) return failure(head, "GET " + r.url.substr(m_base.size()));
      return std::move(*stream);
    }
    std::this_thread::sleep_for(*delay);
  }
}

Result<FetchedManifest> Client::get_manifest(const std::string& reference) {
  auto found = TRY(find_manifest(reference));
  if (!found) return not_found(reference);
  return std::move(*found);
}

Result<std::optional<FetchedManifest>> Client::find_manifest(const std::string& reference) {
  std::string what = (reference.find(':') == std::string::npos ? "tag " : "manifest ") + reference;
  Response r = TRY(send(Request{
      "GET", url("/v2/" + m_repository + "/manifests/" + reference), {accept_header()}, "", true}));
  if (r.status == 404) return std::optional<FetchedManifest>();
  if (r.status != 200) return failure(r, what);
  return std::optional<FetchedManifest>(
      FetchedManifest{std::move(r.body), without_parameters(r.header("content-type")),
                      r.header("docker-content-digest")});
}

Error Client::not_found(const std::string& reference) {
  // Registries answer an unknown repository like an unknown tag; the tag list tells which.
  auto tags = send(Request{"GET", "/v2/" + m_repository + "/tags/list?n=20", {}, "", true});
  if (tags && tags->status == 404) return make_error(describe() + ": repository not found");
  std::vector<std::string> names;
  if (tags && tags->status == 200) {
    auto j = nlohmann::json::parse(tags->body, nullptr, false);
    if (j.is_object() && j.contains("tags") && j["tags"].is_array())
      for (const auto& t : j["tags"])
        if (t.is_string()) names.push_back(t.get<std::string>());
  }
  std::sort(names.begin(), names.end());
  std::string list;
  for (const auto& n : names)
    if (list.size() < 200) list += (list.empty() ? "" : ", ") + n;
  bool is_digest = reference.find(':') != std::string::npos;
  return make_error(describe() + ": " + (is_digest ? "manifest " : "tag ") + reference +
                    " not found" + (list.empty() ? "" : " (tags: " + list + ")"));
}

Result<Response> Client::send_manifest(const std::string& reference, const std::string& media_type,
                                       const std::string& bytes) {
  Response r = TRY(send(Request{"PUT",
                                url("/v2/" + m_repository + "/manifests/" + reference),
                                {"Content-Type: " + media_type},
                                bytes,
                                true}));
  if (r.status != 201 && r.status != 200) return failure(r, "writing manifest " + reference);
  return r;
}

Result<void> Client::put_manifest(const std::string& reference, const std::string& media_type,
                                  const std::string& bytes) {
  TRY(send_manifest(reference, media_type, bytes));
  return {};
}

Result<std::string> Client::put_manifest_with_subject(const std::string& reference,
                                                      const std::string& media_type,
                                                      const std::string& bytes) {
  Response r = TRY(send_manifest(reference, media_type, bytes));
  return r.header("oci-subject");
}

Result<bool> Client::has_blob(const oci::Digest& digest) {
  Response r = TRY(
      send(Request{"HEAD", url("/v2/" + m_repository + "/blobs/" + digest.str()), {}, "", true}));
  if (r.status == 200) return true;
  if (r.status == 404) return false;
  return failure(r, "blob " + digest.str());
}

}  // namespace pith::registry
