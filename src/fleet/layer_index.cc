#include "fleet/layer_index.h"

#include <map>

namespace pith::fleet {

Result<LayerClaims> claim_layers(Db& db, const std::vector<std::string>& diff_ids, int analyzer,
                                 const std::string& worker, const QueuePolicy& policy) {
  Param ids = Param::text_array(diff_ids);
  LayerClaims out;
  // Inserted by us, or taken back from a worker whose lease ran out: ours to analyse.
  auto inserted = TRY(db.exec(
      "INSERT INTO layers (diff_id, analyzer, state, worker, lease_until) "
      "SELECT DISTINCT unnest($1::text[]), $2::integer, 'analyzing', $3, now() + $4::interval "
      "ON CONFLICT (diff_id, analyzer) DO UPDATE SET worker = excluded.worker, "
      "  lease_until = excluded.lease_until "
      "WHERE layers.state = 'analyzing' AND layers.lease_until < now() "
      "RETURNING diff_id",
      {ids, analyzer, worker, interval(policy.lease)}));
  for (int i = 0; i < inserted.size(); ++i) out.mine.insert(inserted.text(i, 0));
  auto others = TRY(db.exec(
      "SELECT diff_id, state FROM layers WHERE diff_id = ANY ($1::text[]) AND analyzer = $2",
      {ids, analyzer}));
  for (int i = 0; i < others.size(); ++i) {
    std::string id = others.text(i, 0);
    if (out.mine.contains(id)) continue;
    (others.text(i, 1) == "done" ? out.done : out.pending).insert(id);
  }
  // A row deleted between the two statements (its owner released it) is claimed next time.
  for (const auto& id : diff_ids)
    if (!out.mine.contains(id) && !out.done.contains(id)) out.pending.insert(id);
  return out;
}

Result<bool> publish_layer(Db& db, const std::string& diff_id, int analyzer,
                           const std::string& worker, std::string analysis) {
  auto rows =
      TRY(db.exec("UPDATE layers SET state = 'done', analysis = $4, analyses = analyses + 1, "
                  "  analyzed_at = now(), worker = NULL, lease_until = NULL "
                  "WHERE diff_id = $1 AND analyzer = $2 AND worker = $3 AND state = 'analyzing'",
                  {diff_id, analyzer, worker, Param::bytes(std::move(analysis))}));
  return rows.affected() > 0;
}

Result<void> release_layer(Db& db, const std::string& diff_id, int analyzer,
                           const std::string& worker) {
  TRY(
      db.exec("DELETE FROM layers WHERE diff_id = $1 AND analyzer = $2 AND worker = $3 "
              "AND state = 'analyzing'",
              {diff_id, analyzer, worker}));
  return {};
}

Result<std::optional<std::vector<std::string>>> load_layers(
    Db& db, const std::vector<std::string>& diff_ids, int analyzer) {
  auto rows = TRY(db.exec(
      "SELECT diff_id, analysis FROM layers WHERE diff_id = ANY ($1::text[]) AND analyzer = $2 "
      "AND state = 'done'",
      {Param::text_array(diff_ids), analyzer}));
  std::map<std::string, std::string> by_id;
  for (int i = 0; i < rows.size(); ++i) by_id[rows.text(i, 0)] = TRY(rows.bytes(i, 1));
  std::vector<std::string> out;
  for (const auto& id : diff_ids) {
    auto it = by_id.find(id);
    if (it == by_id.end()) return std::optional<std::vector<std::string>>();
    out.push_back(it->second);  // an image may list one layer twice
  }
  return std::optional(std::move(out));
}

}  // namespace pith::fleet
