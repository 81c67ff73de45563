#include "fleet/results.h"

namespace pith::fleet {

Result<bool> complete(Db& db, const Claim& c, const std::string& worker, int analyzer,
                      const ImageRow& row) {
  return db.transaction([&]() -> Result<bool> {
    auto mine = TRY(db.exec(
        "UPDATE manifests SET state = 'done', worker = NULL, lease_until = NULL, error = NULL, "
        "  registry_auth = NULL, finished_at = now() "
        "WHERE digest = $1 AND worker = $2 AND state = 'claimed'",
        {c.digest, worker}));
    if (mine.affected() == 0) return false;
    TRY(db.exec("DELETE FROM images WHERE manifest = $1", {c.digest}));
    TRY(db.exec(
        "INSERT INTO images (manifest, analyzer, os, platform, compressed_size, "
        "  uncompressed_size, content_size, files, packages, shells, runtime_errors, inspect, "
        "  findings, sbom_spdx, sbom_cyclonedx) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        {c.digest, analyzer, row.os, row.platform, row.compressed_size, row.uncompressed_size,
         row.content_size, row.files, static_cast<int>(row.packages.size()), row.shells,
         row.runtime_errors, row.inspect, row.findings, row.sbom_spdx, row.sbom_cyclonedx}));
    if (!row.packages.empty()) {
      std::vector<std::string> types, names, versions, purls;
      for (const auto& p : row.packages) {
        types.push_back(p.type);
        names.push_back(p.name);
        versions.push_back(p.version);
        purls.push_back(p.purl);
      }
      TRY(
          db.exec("INSERT INTO image_packages (manifest, type, name, version, purl) "
                  "SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])",
                  {c.digest, Param::text_array(types), Param::text_array(names),
                   Param::text_array(versions), Param::text_array(purls)}));
    }
    return true;
  });
}

}  // namespace pith::fleet
