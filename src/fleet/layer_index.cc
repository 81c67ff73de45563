#include "fleet/layer_index.h"

namespace pith::fleet {

Result<LayerClaims> claim_layers(Db& db, const std::vector<std::string>& diff_ids, int analyzer,
                                 const std::string& worker, const QueuePolicy& policy) {
  Param ids = Param::text_array(diff_ids);
  LayerClaims out;
  // One statement, one round trip. Inserted by us, or taken back from a worker whose lease
  // ran out: ours to analyse ("mine"). The others' rows as they were when the statement began
  // (a row another worker inserted meanwhile is in neither part: pending, below).
  auto rows = TRY(db.exec(
      "WITH claimed AS ("
      "  INSERT INTO layers (diff_id, analyzer, state, worker, lease_until) "
      "  SELECT DISTINCT unnest($1::text[]), $2::integer, 'analyzing', $3, now() + $4::interval "
      "  ON CONFLICT (diff_id, analyzer) DO UPDATE SET worker = excluded.worker, "
      "    lease_until = excluded.lease_until "
      "  WHERE layers.state = 'analyzing' AND layers.lease_until < now() "
      "  RETURNING diff_id) "
      "SELECT diff_id, 'mine', NULL::bytea FROM claimed "
      "UNION ALL "
      "SELECT diff_id, state, analysis FROM layers "
      "WHERE diff_id = ANY ($1::text[]) AND analyzer = $2 "
      "  AND diff_id NOT IN (SELECT diff_id FROM claimed)",
      {ids, analyzer, worker, interval(policy.lease)}));
  for (int i = 0; i < rows.size(); ++i) {
    std::string id = rows.text(i, 0), state = rows.text(i, 1);
    (state == "mine" ? out.mine : state == "done" ? out.done : out.pending).insert(id);
    if (state == "done") out.analyses[id] = TRY(rows.bytes(i, 2));
  }
  // Any other diff_id (inserted by another worker while this statement ran, or released by its
  // owner) is pending: claimed or read next time.
  for (const auto& id : diff_ids)
    if (!out.mine.contains(id) && !out.done.contains(id)) out.pending.insert(id);
  return out;
}

Result<size_t> publish_layers(Db& db,
                              const std::vector<std::pair<std::string, std::string>>& analyses,
                              int analyzer, const std::string& worker) {
  if (analyses.empty()) return size_t{0};
  // The analyses travel as binary parameters, two per layer: ($3, $4), ($5, $6), ...
  std::string values;
  std::vector<Param> params = {analyzer, worker};
  for (const auto& [diff_id, analysis] : analyses) {
    size_t n = params.size();
    values += (values.empty() ? "($" : ", ($") + std::to_string(n + 1) + "::text, $" +
              std::to_string(n + 2) + "::bytea)";
    params.push_back(diff_id);
    params.push_back(Param::bytes(analysis));
  }
  auto rows = TRY(db.exec(
      "UPDATE layers l SET state = 'done', analysis = a.analysis, analyses = l.analyses + 1, "
      "  analyzed_at = now(), worker = NULL, lease_until = NULL "
      "FROM (VALUES " +
          values +
          ") a (diff_id, analysis) "
          "WHERE l.diff_id = a.diff_id AND l.analyzer = $1::integer AND l.worker = $2 "
          "  AND l.state = 'analyzing'",
      params));
  return static_cast<size_t>(rows.affected());
}

Result<void> release_layers(Db& db, const std::vector<std::string>& diff_ids, int analyzer,
                            const std::string& worker) {
  TRY(db.exec(
      "DELETE FROM layers WHERE diff_id = ANY ($1::text[]) AND analyzer = $2 AND worker = $3 "
      "AND state = 'analyzing'",
      {Param::text_array(diff_ids), analyzer, worker}));
  return {};
}

}  // namespace pith::fleet
