// The fleet's tables, created and changed by numbered migrations applied once each.
#pragma once

#include "fleet/db.h"

namespace pith::fleet {

struct Migrated {
  int from = 0;  // the schema version found (0: none)
  int to = 0;    // the version now
};

// Applies the migrations the database lacks, each in its own transaction, under an advisory
// lock so that workers started together apply them once. Safe to run any number of times.
// A database newer than this pith (a later version) is an error: this pith would misread it.
Result<Migrated> migrate(Db& db);

// The schema version this pith reads and writes.
int schema_version();

// Fails unless the database is at schema_version() (workers and queries call it first).
Result<void> check_schema(Db& db);

}  // namespace pith::fleet
