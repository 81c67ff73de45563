// The layer index: one row per (diff_id, analyzer version). The worker that inserts a row owns
// that layer's analysis and publishes it once the blob it read matched the diff_id; the others
// read what it published. A dead owner's lease runs out and its claim is taken back.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "fleet/db.h"
#include "fleet/queue.h"

namespace pith::fleet {

struct LayerClaims {
  std::set<std::string> mine;                   // this worker analyses them
  std::set<std::string> pending;                // other workers are analysing them (live leases)
  std::set<std::string> done;                   // published
  std::map<std::string, std::string> analyses;  // the published analyses of `done`
};

// Claims each diff_id not yet analysed (inserted, or taken back from an expired lease) and
// sorts the rest into pending and done, reading the analyses of those done (one round trip).
Result<LayerClaims> claim_layers(Db& db, const std::vector<std::string>& diff_ids, int analyzer,
                                 const std::string& worker, const QueuePolicy& policy);

// Publishes analyses (diff_id, analysis) in one statement; how many were still ours (a claim
// taken back meanwhile is published by the worker that took it).
Result<size_t> publish_layers(Db& db,
                              const std::vector<std::pair<std::string, std::string>>& analyses,
                              int analyzer, const std::string& worker);

// Gives claims up (a blob did not match its diff_id, or could not be read): nothing was
// published, and another image's copy of each layer may be analysed instead.
Result<void> release_layers(Db& db, const std::vector<std::string>& diff_ids, int analyzer,
                            const std::string& worker);

}  // namespace pith::fleet
