#include "fleet/harbor_backend.h"

#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fleet/enqueue.h"
#include "fleet/image_work.h"

namespace pith::fleet {

namespace {

// "https://core.harbor.domain[:port][/]" → "core.harbor.domain[:port]"; plain http only when
// TLS verification is off (the registry options say so).
Result<std::string> registry_host(const std::string& url) {
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  }
  while (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty() || rest.find('/') != std::string_view::npos)
    return make_error("registry url " + url + ": not https://HOST[:PORT]");
  return std::string(rest);
}

// A scan id: 128 random bits in hex, so that two scans of one artifact are two ids.
std::string new_scan_id() {
  std::random_device random;
  std::string out;
  for (int i = 0; i < 4; ++i) out += fmt::format("{:08x}", random());
  return out;
}

}  // namespace

DbScanBackend::DbScanBackend(std::string db_url, transport::RegistryOptions registry, int analyzer)
    : m_db_url(std::move(db_url)), m_registry(std::move(registry)), m_analyzer(analyzer) {}

template <class F>
auto DbScanBackend::with_db(F&& f) -> decltype(f(std::declval<Db&>())) {
  std::lock_guard lock(m_mutex);
  if (!m_db) m_db = std::make_unique<Db>(TRY(Db::connect(m_db_url)));
  auto r = f(*m_db);
  if (!r) m_db.reset();  // a lost connection is made again at the next request
  return r;
}

Result<std::string> DbScanBackend::submit(const ScanRequest& request) {
  std::string host = TRY(registry_host(request.registry_url));
  std::string reference =
      "docker://" + host + "/" + request.artifact.repository + "@" + request.artifact.digest;
  EnqueueOptions options;
  options.registry = m_registry;
  options.jobs = 1;
  options.registry_auth = request.authorization;
  if (!request.authorization.empty())
    options.registry.creds = TRY(creds_from_authorization(request.authorization));
  nlohmann::json artifact = {{"repository", request.artifact.repository},
                             {"digest", request.artifact.digest},
                             {"tag", request.artifact.tag},
                             {"mime_type", request.artifact.mime_type}};
  // The registry is read before the connection is taken: one slow registry does not hold up
  // the other requests.
  Resolved resolved = resolve_references({reference}, options);
  if (!resolved.errors.empty()) return make_error(resolved.errors.front());
  const Enqueued& image = resolved.images.front();
  return with_db([&](Db& db) -> Result<std::string> {
    TRY(enqueue(db, image, m_analyzer));
    std::string id = new_scan_id();
    TRY(db.exec("INSERT INTO scans (id, manifest, artifact) VALUES ($1, $2, $3)",
                {id, image.manifest, artifact.dump()}));
    return id;
  });
}

Result<std::optional<ScanStatus>> DbScanBackend::status(const std::string& id) {
  return with_db([&](Db& db) -> Result<std::optional<ScanStatus>> {
    auto rows =
        TRY(db.exec("SELECT m.state, coalesce(m.error, ''), s.artifact, "
                    "  coalesce(extract(epoch FROM m.finished_at)::bigint, 0) "
                    "FROM scans s JOIN manifests m ON m.digest = s.manifest WHERE s.id = $1",
                    {id}));
    if (rows.size() == 0) return std::optional<ScanStatus>();
    ScanStatus st;
    std::string state = rows.text(0, 0);
    st.state = state == "done"      ? ScanState::done
               : state == "failed"  ? ScanState::failed
               : state == "claimed" ? ScanState::running
                                    : ScanState::queued;
    st.error = rows.text(0, 1);
    auto a = nlohmann::json::parse(rows.text(0, 2), nullptr, false);
    if (a.is_object()) {
      st.artifact.repository = a.value("repository", "");
      st.artifact.digest = a.value("digest", "");
      st.artifact.tag = a.value("tag", "");
      st.artifact.mime_type = a.value("mime_type", "");
    }
    st.finished_at = rows.integer(0, 3);
    return std::optional(std::move(st));
  });
}

Result<std::string> DbScanBackend::sbom(const std::string& id, std::string_view sbom_media_type) {
  std::string column = sbom_media_type == k_cyclonedx_json ? "sbom_cyclonedx" : "sbom_spdx";
  return with_db([&](Db& db) -> Result<std::string> {
    auto rows = TRY(db.exec("SELECT i." + column +
                                " FROM scans s JOIN images i ON i.manifest = s.manifest "
                                "WHERE s.id = $1",
                            {id}));
    if (rows.size() == 0) return make_error("scan " + id + ": no results stored");
    return rows.text(0, 0);
  });
}

}  // namespace pith::fleet
