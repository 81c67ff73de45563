// The work queue: one row per image manifest, claimed by competing workers with
// `FOR UPDATE SKIP LOCKED`, held under a lease that a live worker renews, taken back when the
// lease runs out, retried a bounded number of times, then recorded as failed with its error.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "fleet/db.h"

namespace pith::fleet {

struct QueuePolicy {
  std::chrono::seconds lease{300};       // a claim not renewed for this long is taken back
  int max_attempts = 3;                  // claims of one manifest before it is failed
  std::chrono::seconds retry_after{60};  // backoff after a failure, times the attempts made
};

// One image to enqueue: the reference as given and where its manifest is.
struct Enqueued {
  std::string reference;      // HOST/REPO:TAG or HOST/REPO@DIGEST
  std::string repository;     // HOST/REPO
  std::string manifest;       // the image manifest's digest (the platform's, for an index)
  std::string source;         // docker://HOST/REPO@MANIFEST
  std::string registry_auth;  // "" or an Authorization header value to read it with
};

// Adds the reference and queues its manifest unless that is queued, claimed, or done with
// this analyzer. A failed manifest is queued again (a new enqueue is a new request).
// Returns whether the manifest was (re)queued.
Result<bool> enqueue(Db& db, const Enqueued& e, int analyzer);

struct Claim {
  std::string digest;
  std::string source;
  std::string registry_auth;
  int attempts = 0;  // this claim included
};

// Claims the next ready manifest for `worker`, or nullopt when none is ready now. A claim
// whose lease ran out is claimable again; one that ran out max_attempts times is failed here.
Result<std::optional<Claim>> claim_next(Db& db, const std::string& worker,
                                        const QueuePolicy& policy);

// Whether anything is queued or claimed (a worker without --follow stops when not).
Result<bool> work_outstanding(Db& db);

// Gives the claim back without counting the attempt, to be claimed again after `delay` (its
// layers are being analysed by other workers). False when the claim was no longer ours.
Result<bool> defer(Db& db, const Claim& c, const std::string& worker,
                   std::chrono::milliseconds delay);

// Records a failure: queued again after the backoff, or failed for good after max_attempts.
Result<void> fail(Db& db, const Claim& c, const std::string& worker, const std::string& error,
                  const QueuePolicy& policy);

// Renews the leases of every claim (manifests and layers) the given workers hold.
Result<void> renew_leases(Db& db, const std::vector<std::string>& workers,
                          const QueuePolicy& policy);

// The lease as an SQL interval literal ("300 seconds").
std::string interval(std::chrono::milliseconds d);

}  // namespace pith::fleet
