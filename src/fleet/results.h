// An image's results as the database keeps them: inspect's JSON, lint's findings, both SBOMs,
// and the columns the inventory questions are asked of (sizes, packages, shells, errors).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fleet/db.h"
#include "fleet/queue.h"

namespace pith::fleet {

struct PackageRow {
  std::string type;
  std::string name;
  std::string version;
  std::string purl;
};

struct ImageRow {
  std::string os;
  std::string platform;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t content_size = 0;
  uint64_t files = 0;
  int shells = 0;
  int runtime_errors = 0;
  std::string inspect;   // pith inspect --json
  std::string findings;  // pith lint --json
  std::string sbom_spdx;
  std::string sbom_cyclonedx;
  std::vector<PackageRow> packages;
};

// Stores the results and marks the manifest done, in one transaction; false (nothing stored)
// when the claim was no longer this worker's.
Result<bool> complete(Db& db, const Claim& c, const std::string& worker, int analyzer,
                      const ImageRow& row);

}  // namespace pith::fleet
