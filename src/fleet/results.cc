#include "fleet/results.h"

namespace pith::fleet {

Result<bool> complete(Db& db, const Claim& c, const std::string& worker, int analyzer,
                      const ImageRow& row) {
  std::vector<std::string> types, names, versions, purls;
  for (const auto& p : row.packages) {
    types.push_back(p.type);
    names.push_back(p.name);
    versions.push_back(p.version);
    purls.push_back(p.purl);
  }
  // One statement (atomic, one round trip instead of six): the manifest marked done if the
  // claim is still ours; only then its results stored, replacing an earlier analyzer's (the
  // row upserted, its packages deleted and inserted: the DELETE sees only the rows that were
  // there before the statement).
  auto rows = TRY(db.exec(
      "WITH mine AS ("
      "  UPDATE manifests SET state = 'done', worker = NULL, lease_until = NULL, error = NULL, "
      "    registry_auth = NULL, finished_at = now() "
      "  WHERE digest = $1 AND worker = $2 AND state = 'claimed' RETURNING digest), "
      "image AS ("
      "  INSERT INTO images (manifest, analyzer, os, platform, compressed_size, "
      "    uncompressed_size, content_size, files, packages, shells, runtime_errors, inspect, "
      "    findings, sbom_spdx, sbom_cyclonedx) "
      "  SELECT digest, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16 FROM mine "
      "  ON CONFLICT (manifest) DO UPDATE SET analyzer = excluded.analyzer, os = excluded.os, "
      "    platform = excluded.platform, compressed_size = excluded.compressed_size, "
      "    uncompressed_size = excluded.uncompressed_size, "
      "    content_size = excluded.content_size, files = excluded.files, "
      "    packages = excluded.packages, shells = excluded.shells, "
      "    runtime_errors = excluded.runtime_errors, inspect = excluded.inspect, "
      "    findings = excluded.findings, sbom_spdx = excluded.sbom_spdx, "
      "    sbom_cyclonedx = excluded.sbom_cyclonedx, analyzed_at = now() "
      "  RETURNING manifest), "
      "old_packages AS (DELETE FROM image_packages WHERE manifest IN (SELECT digest FROM mine)), "
      "new_packages AS ("
      "  INSERT INTO image_packages (manifest, type, name, version, purl) "
      "  SELECT image.manifest, p.* "
      "  FROM image, unnest($17::text[], $18::text[], $19::text[], $20::text[]) p) "
      "SELECT count(*) FROM mine",
      {c.digest,
       worker,
       analyzer,
       row.os,
       row.platform,
       row.compressed_size,
       row.uncompressed_size,
       row.content_size,
       row.files,
       static_cast<int>(row.packages.size()),
       row.shells,
       row.runtime_errors,
       row.inspect,
       row.findings,
       row.sbom_spdx,
       row.sbom_cyclonedx,
       Param::text_array(types),
       Param::text_array(names),
       Param::text_array(versions),
       Param::text_array(purls)}));
  return rows.integer(0, 0) > 0;
}

}  // namespace pith::fleet
