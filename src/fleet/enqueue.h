// `pith fleet enqueue`: references expanded (a repository to its tags, a registry to its
// catalog), each resolved to the manifest a worker will read (an index to the platform's),
// and queued by that manifest's digest.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fleet/db.h"
#include "fleet/queue.h"
#include "oci/descriptor.h"
#include "transport/registry_options.h"

namespace pith::fleet {

struct EnqueueOptions {
  transport::RegistryOptions registry;
  std::optional<oci::Platform> platform;  // of an index; the host's when unset
  unsigned jobs = 8;                      // registry reads at once
  int analyzer = 0;
  std::string registry_auth;  // an Authorization header the workers read these images with
};

struct EnqueueStats {
  uint64_t references = 0;          // resolved and recorded
  uint64_t queued = 0;              // manifests (re)queued
  std::vector<std::string> errors;  // references that could not be resolved, with why
};

// "docker://HOST/REPO:TAG" or "@DIGEST" as it is; "docker://HOST/REPO" (no tag) is every tag
// of the repository.
Result<std::vector<std::string>> expand_reference(const std::string& reference,
                                                  const transport::RegistryOptions& registry);

// Every tag of every repository the registry's catalog lists ("docker://HOST").
Result<std::vector<std::string>> catalog_references(const std::string& registry_reference,
                                                    const transport::RegistryOptions& registry);

// Each reference resolved to its image manifest (options.jobs at a time), nothing recorded.
struct Resolved {
  std::vector<Enqueued> images;
  std::vector<std::string> errors;  // references that could not be read, with why
};
Resolved resolve_references(const std::vector<std::string>& references,
                            const EnqueueOptions& options);

// resolve_references, then each image recorded and queued (fleet/queue.h's enqueue).
Result<EnqueueStats> enqueue_references(Db& db, const std::vector<std::string>& references,
                                        const EnqueueOptions& options);

}  // namespace pith::fleet
