#include "fleet/queue.h"

namespace pith::fleet {

std::string interval(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " milliseconds";
}

Result<bool> enqueue(Db& db, const Enqueued& e, int analyzer) {
  return db.transaction([&]() -> Result<bool> {
    // A manifest done by an older analyzer, or failed, goes back to the queue; queued, claimed
    // and up-to-date ones are left as they are.
    auto queued = TRY(db.exec(
        "INSERT INTO manifests (digest, source, registry_auth) VALUES ($1, $2, nullif($3, '')) "
        "ON CONFLICT (digest) DO UPDATE SET state = 'queued', attempts = 0, error = NULL, "
        "  ready_at = now(), queued_at = now(), registry_auth = excluded.registry_auth "
        "WHERE manifests.state = 'failed' OR (manifests.state = 'done' AND NOT EXISTS ("
        "  SELECT 1 FROM images i WHERE i.manifest = manifests.digest AND i.analyzer = $4))",
        {e.manifest, e.source, e.registry_auth, analyzer}));
    TRY(db.exec(
        "INSERT INTO refs (reference, repository, manifest) VALUES ($1, $2, $3) "
        "ON CONFLICT (reference) DO UPDATE SET manifest = excluded.manifest, seen_at = now()",
        {e.reference, e.repository, e.manifest}));
    return queued.affected() > 0;
  });
}

Result<std::optional<Claim>> claim_next(Db& db, const std::string& worker,
                                        const QueuePolicy& policy) {
  // One statement, one round trip. Claims whose lease ran out as often as attempts allow are
  // failed (swept), not taken again: a manifest that kills its workers must not kill them all in
  // turn. Then the next claim: a lease run out (oldest first), else the oldest ready manifest.
  // Each candidate is its own LIMIT 1 over its partial index (manifests_leases,
  // manifests_ready), so a claim costs the same with 10 or 10 million manifests queued; one
  // query with `OR` over both states sorted every queued row on each claim. The row is locked,
  // skipped by every other claimer, and updated at once.
  auto rows = TRY(db.exec(
      "WITH swept AS ("
      "  UPDATE manifests SET state = 'failed', worker = NULL, lease_until = NULL, "
      "    finished_at = now(), error = 'its worker stopped without finishing, ' || attempts || "
      "    ' times (the lease ran out)' "
      "  WHERE state = 'claimed' AND lease_until < now() AND attempts >= $3), "
      "expired AS ("
      "  SELECT digest FROM manifests "
      "  WHERE state = 'claimed' AND lease_until < now() AND attempts < $3 "
      "  ORDER BY lease_until LIMIT 1 FOR UPDATE SKIP LOCKED), "
      "queued AS ("
      "  SELECT digest FROM manifests WHERE state = 'queued' AND ready_at <= now() "
      "  ORDER BY ready_at LIMIT 1 FOR UPDATE SKIP LOCKED) "
      "UPDATE manifests m SET state = 'claimed', worker = $1, attempts = m.attempts + 1, "
      "  lease_until = now() + $2::interval, claimed_at = now() "
      "FROM (SELECT digest FROM expired UNION ALL SELECT digest FROM queued LIMIT 1) next "
      "WHERE m.digest = next.digest "
      "RETURNING m.digest, m.source, coalesce(m.registry_auth, ''), m.attempts",
      {worker, interval(policy.lease), policy.max_attempts}));
  if (rows.size() == 0) return std::optional<Claim>();
  return std::optional<Claim>(Claim{rows.text(0, 0), rows.text(0, 1), rows.text(0, 2),
                                    static_cast<int>(rows.integer(0, 3))});
}

Result<bool> work_outstanding(Db& db) {
  auto rows =
      TRY(db.exec("SELECT EXISTS (SELECT 1 FROM manifests WHERE state = 'queued') "
                  "    OR EXISTS (SELECT 1 FROM manifests WHERE state = 'claimed')"));
  return rows.text(0, 0) == "t";
}

Result<bool> defer(Db& db, const Claim& c, const std::string& worker,
                   std::chrono::milliseconds delay) {
  auto rows =
      TRY(db.exec("UPDATE manifests SET state = 'queued', worker = NULL, lease_until = NULL, "
                  "  attempts = attempts - 1, ready_at = now() + $3::interval "
                  "WHERE digest = $1 AND worker = $2 AND state = 'claimed'",
                  {c.digest, worker, interval(delay)}));
  return rows.affected() > 0;
}

Result<void> fail(Db& db, const Claim& c, const std::string& worker, const std::string& error,
                  const QueuePolicy& policy) {
  TRY(
      db.exec("UPDATE manifests SET worker = NULL, lease_until = NULL, error = $3, "
              "  state = CASE WHEN attempts >= $4 THEN 'failed' ELSE 'queued' END, "
              "  finished_at = CASE WHEN attempts >= $4 THEN now() END, "
              "  ready_at = now() + attempts * $5::interval "
              "WHERE digest = $1 AND worker = $2 AND state = 'claimed'",
              {c.digest, worker, error, policy.max_attempts, interval(policy.retry_after)}));
  return {};
}

Result<void> renew_leases(Db& db, const std::vector<std::string>& workers,
                          const QueuePolicy& policy) {
  Param list = Param::text_array(workers);
  TRY(
      db.exec("UPDATE manifests SET lease_until = now() + $2::interval "
              "WHERE state = 'claimed' AND worker = ANY ($1::text[])",
              {list, interval(policy.lease)}));
  TRY(
      db.exec("UPDATE layers SET lease_until = now() + $2::interval "
              "WHERE state = 'analyzing' AND worker = ANY ($1::text[])",
              {list, interval(policy.lease)}));
  return {};
}

}  // namespace pith::fleet
