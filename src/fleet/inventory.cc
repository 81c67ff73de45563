#include "fleet/inventory.h"

#include <algorithm>

#include <fmt/format.h>

#include "report/render.h"

namespace pith::fleet {

namespace {

// Rows of (reference, then the named columns) as JSON objects; integer columns by name.
nlohmann::json objects(const Rows& rows, const std::vector<std::string>& names,
                       const std::vector<std::string>& integers = {}) {
  nlohmann::json out = nlohmann::json::array();
  for (int r = 0; r < rows.size(); ++r) {
    nlohmann::json o = nlohmann::json::object();
    for (size_t c = 0; c < names.size(); ++c) {
      int col = static_cast<int>(c);
      bool integer = std::find(integers.begin(), integers.end(), names[c]) != integers.end();
      if (integer) {
        o[names[c]] = rows.integer(r, col);
      } else {
        o[names[c]] = rows.text(r, col);
      }
    }
    out.push_back(std::move(o));
  }
  return out;
}

constexpr std::string_view k_reference = "'docker://' || r.reference";

}  // namespace

Result<nlohmann::json> queue_status(Db& db) {
  auto states = TRY(db.exec(
      "SELECT count(*) FILTER (WHERE state = 'queued'), count(*) FILTER (WHERE state = 'claimed'), "
      "  count(*) FILTER (WHERE state = 'done'), count(*) FILTER (WHERE state = 'failed'), "
      "  count(*) FILTER (WHERE state = 'done' AND finished_at > now() - interval '1 minute'), "
      "  coalesce(extract(epoch FROM max(finished_at) FILTER (WHERE state = 'done') - "
      "    min(claimed_at) FILTER (WHERE state = 'done')), 0) "
      "FROM manifests"));
  auto refs = TRY(db.exec("SELECT count(*), count(DISTINCT repository) FROM refs"));
  auto layers = TRY(db.exec(
      "SELECT count(*) FILTER (WHERE state = 'done'), count(*) FILTER (WHERE state = 'analyzing'), "
      "  coalesce(sum(analyses), 0), coalesce(sum(octet_length(analysis)), 0) FROM layers"));
  nlohmann::json s;
  s["manifests"] = {{"queued", states.integer(0, 0)},
                    {"claimed", states.integer(0, 1)},
                    {"done", states.integer(0, 2)},
                    {"failed", states.integer(0, 3)}};
  s["references"] = refs.integer(0, 0);
  s["repositories"] = refs.integer(0, 1);
  s["layers"] = {{"analysed", layers.integer(0, 0)},
                 {"analysing", layers.integer(0, 1)},
                 {"analyses", layers.integer(0, 2)},
                 {"stored_bytes", layers.integer(0, 3)}};
  double span = std::strtod(states.text(0, 5).c_str(), nullptr);
  s["images_per_second"] = {
      {"last_minute", static_cast<double>(states.integer(0, 4)) / 60.0},
      {"overall", span > 0 ? static_cast<double>(states.integer(0, 2)) / span : 0.0}};
  return s;
}

std::string render_status(const nlohmann::json& s) {
  const auto& m = s["manifests"];
  const auto& l = s["layers"];
  return fmt::format(
      "images     {} queued, {} claimed, {} done, {} failed\n"
      "references {} in {} repositories\n"
      "layers     {} analysed ({} analyses, {} stored), {} being analysed\n"
      "throughput {:.1f} images/s over the last minute, {:.1f} overall\n",
      m["queued"].get<long long>(), m["claimed"].get<long long>(), m["done"].get<long long>(),
      m["failed"].get<long long>(), s["references"].get<long long>(),
      s["repositories"].get<long long>(), l["analysed"].get<long long>(),
      l["analyses"].get<long long>(), report::human_size(l["stored_bytes"].get<uint64_t>()),
      l["analysing"].get<long long>(), s["images_per_second"]["last_minute"].get<double>(),
      s["images_per_second"]["overall"].get<double>());
}

Result<nlohmann::json> images_with_package(Db& db, const std::string& name,
                                           const std::optional<std::string>& version) {
  auto rows = TRY(db.exec("SELECT DISTINCT " + std::string(k_reference) +
                              ", r.manifest, p.type, p.name, p.version, p.purl "
                              "FROM image_packages p JOIN refs r ON r.manifest = p.manifest "
                              "WHERE p.name = $1 AND ($2::text IS NULL OR p.version = $2) "
                              "ORDER BY 1, p.type, p.version, p.purl",
                          {name, version ? Param(*version) : Param(std::nullopt)}));
  return objects(rows, {"reference", "manifest", "type", "name", "version", "purl"});
}

Result<nlohmann::json> largest_images(Db& db, int limit) {
  // The images first (ties by digest), then every reference of each.
  auto rows = TRY(
      db.exec("WITH top AS (SELECT * FROM images ORDER BY compressed_size DESC, manifest LIMIT $1) "
              "SELECT " +
                  std::string(k_reference) +
                  ", r.manifest, i.compressed_size, i.uncompressed_size, i.files, i.packages "
                  "FROM top i JOIN refs r ON r.manifest = i.manifest "
                  "ORDER BY i.compressed_size DESC, i.manifest, 1",
              {limit}));
  return objects(
      rows, {"reference", "manifest", "compressed_size", "uncompressed_size", "files", "packages"},
      {"compressed_size", "uncompressed_size", "files", "packages"});
}

Result<nlohmann::json> images_with_shells(Db& db) {
  auto rows = TRY(db.exec("SELECT " + std::string(k_reference) +
                          ", r.manifest, i.shells FROM images i JOIN refs r ON r.manifest = "
                          "i.manifest WHERE i.shells > 0 ORDER BY 1"));
  return objects(rows, {"reference", "manifest", "shells"}, {"shells"});
}

Result<nlohmann::json> images_with_runtime_errors(Db& db) {
  auto rows = TRY(db.exec("SELECT " + std::string(k_reference) +
                          ", r.manifest, i.runtime_errors FROM images i JOIN refs r ON "
                          "r.manifest = i.manifest WHERE i.runtime_errors > 0 ORDER BY 1"));
  return objects(rows, {"reference", "manifest", "runtime_errors"}, {"runtime_errors"});
}

Result<nlohmann::json> failed_images(Db& db) {
  auto rows = TRY(db.exec("SELECT " + std::string(k_reference) +
                          ", r.manifest, m.attempts, coalesce(m.error, '') FROM manifests m JOIN "
                          "refs r ON r.manifest = m.digest WHERE m.state = 'failed' ORDER BY 1"));
  return objects(rows, {"reference", "manifest", "attempts", "error"}, {"attempts"});
}

Result<nlohmann::json> repository_summary(Db& db) {
  // Sizes and counts over each repository's distinct images (two tags of one image count once).
  auto rows = TRY(db.exec(
      "WITH refs_per AS (SELECT repository, count(*) AS refs FROM refs GROUP BY repository), "
      "  images_per AS (SELECT DISTINCT repository, manifest FROM refs) "
      "SELECT x.repository, p.refs, count(*), count(*) FILTER (WHERE m.state = 'done'), "
      "  count(*) FILTER (WHERE m.state = 'failed'), coalesce(sum(i.compressed_size), 0), "
      "  coalesce(max(i.compressed_size), 0), coalesce(round(avg(i.packages)), 0), "
      "  count(*) FILTER (WHERE i.shells > 0), count(*) FILTER (WHERE i.runtime_errors > 0) "
      "FROM images_per x JOIN refs_per p USING (repository) "
      "JOIN manifests m ON m.digest = x.manifest LEFT JOIN images i ON i.manifest = x.manifest "
      "GROUP BY x.repository, p.refs ORDER BY x.repository"));
  std::vector<std::string> names = {"repository",  "references",         "images",  "done",
                                    "failed",      "compressed_size",    "largest", "packages",
                                    "with_shells", "with_runtime_errors"};
  return objects(rows, names, std::vector<std::string>(names.begin() + 1, names.end()));
}

std::string render_summary(const nlohmann::json& summary) {
  std::string out =
      fmt::format("{:<40} {:>5} {:>6} {:>6} {:>10} {:>10} {:>8} {:>6} {:>6}\n", "REPOSITORY",
                  "REFS", "IMAGES", "FAILED", "SIZE", "LARGEST", "PACKAGES", "SHELLS", "ERRORS");
  for (const auto& r : summary)
    out += fmt::format("{:<40} {:>5} {:>6} {:>6} {:>10} {:>10} {:>8} {:>6} {:>6}\n",
                       r["repository"].get<std::string>(), r["references"].get<long long>(),
                       r["images"].get<long long>(), r["failed"].get<long long>(),
                       report::human_size(r["compressed_size"].get<uint64_t>()),
                       report::human_size(r["largest"].get<uint64_t>()),
                       r["packages"].get<long long>(), r["with_shells"].get<long long>(),
                       r["with_runtime_errors"].get<long long>());
  return out;
}

}  // namespace pith::fleet
