// Harbor's scans on the fleet's database: a scan request is an enqueue (its id a row of
// `scans`), its state the manifest's, its report the SBOM a worker stored.
#pragma once

#include <memory>
#include <mutex>

#include "fleet/db.h"
#include "fleet/harbor.h"
#include "transport/registry_options.h"

namespace pith::fleet {

class DbScanBackend final : public ScanBackend {
 public:
  // `registry`: TLS settings for Harbor's registry (its credentials come with each request).
  DbScanBackend(std::string db_url, transport::RegistryOptions registry, int analyzer);

  Result<std::string> submit(const ScanRequest& request) override;
  Result<std::optional<ScanStatus>> status(const std::string& id) override;
  Result<std::string> sbom(const std::string& id, std::string_view sbom_media_type) override;

 private:
  // One connection, shared by the server's threads one at a time.
  template <class F>
  auto with_db(F&& f) -> decltype(f(std::declval<Db&>()));

  std::string m_db_url;
  transport::RegistryOptions m_registry;
  int m_analyzer;
  std::mutex m_mutex;
  std::unique_ptr<Db> m_db;
};

}  // namespace pith::fleet
