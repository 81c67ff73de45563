// rpm's SQLite backend (rpmdb.sqlite), read from memory through sqlite3_deserialize.
#include <sqlite3.h>

#include <memory>

#include "catalog/rpmdb.h"

namespace pith::catalog {
namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// Header bytes 18 and 19: file format write/read versions; 2 means WAL mode, which an
// in-memory database cannot open. The WAL file itself is not ours to see, so the main file
// is read as a rollback-journal database (what rpm has checkpointed into it).
constexpr size_t k_write_version_offset = 18;
constexpr size_t k_read_version_offset = 19;

// Bounds the work a hostile file can cause: the progress handler runs every k_progress_steps
// virtual machine instructions and aborts the query once the budget is used up.
constexpr int k_progress_steps = 10000;

struct Budget {
  uint64_t remaining;
};

int on_progress(void* p) {
  auto* budget = static_cast<Budget*>(p);
  if (budget->remaining == 0) return 1;
  --budget->remaining;
  return 0;
}

Error sqlite_error(sqlite3* db, const std::string& what) {
  return make_error(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

// Prepares `sql`; the caller steps it.
Result<StmtPtr> prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
    sqlite3_finalize(raw);
    return sqlite_error(db, "reading the sqlite rpmdb");
  }
  return StmtPtr(raw);
}

}  // namespace

Result<void> read_rpmdb_sqlite(std::string_view bytes, const RpmBlobVisitor& visit,
                               const RpmWarn& warn) {
  if (bytes.size() < 100) return make_error("sqlite rpmdb shorter than its 100-byte header");
  // Our own copy: sqlite reads it in place (read-only) and it may need the WAL bytes patched.
  std::string image(bytes);
  if (image[k_write_version_offset] == 2) image[k_write_version_offset] = 1;
  if (image[k_read_version_offset] == 2) image[k_read_version_offset] = 1;

  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) return sqlite_error(raw, "opening an in-memory sqlite database");
  // Defensive mode and an untrusted schema: the file comes from an image, not from us.
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  rc = sqlite3_deserialize(db.get(), "main", reinterpret_cast<unsigned char*>(image.data()),
                           sqlite3_int64(image.size()), sqlite3_int64(image.size()),
                           SQLITE_DESERIALIZE_READONLY);
  if (rc != SQLITE_OK) return sqlite_error(db.get(), "loading the sqlite rpmdb");
  Budget budget{1000 + image.size() / 64};
  sqlite3_progress_handler(db.get(), k_progress_steps, on_progress, &budget);

  // A view or virtual table called Packages could do anything; rpm's is a plain table.
  {
    StmtPtr kind = TRY(prepare(db.get(), "SELECT type FROM sqlite_master WHERE name = 'Packages'"));
    if (sqlite3_step(kind.get()) != SQLITE_ROW) {
      return sqlite_error(db.get(), "sqlite database without a Packages table");
    }
    auto* type = reinterpret_cast<const char*>(sqlite3_column_text(kind.get(), 0));
    if (!type || std::string_view(type) != "table") {
      return make_error("sqlite rpmdb: Packages is not a table");
    }
  }

  // rpm -qa walks the table in hnum (primary key) order.
  StmtPtr rows = TRY(prepare(db.get(), "SELECT hnum, blob FROM Packages ORDER BY hnum"));
  while ((rc = sqlite3_step(rows.get())) == SQLITE_ROW) {
    if (sqlite3_column_type(rows.get(), 1) != SQLITE_BLOB) {
      warn("package " + std::to_string(sqlite3_column_int64(rows.get(), 0)) +
           " skipped: its blob column is not a blob");
      continue;
    }
    const void* data = sqlite3_column_blob(rows.get(), 1);
    int size = sqlite3_column_bytes(rows.get(), 1);
    if (!data || size <= 0) {
      warn("package " + std::to_string(sqlite3_column_int64(rows.get(), 0)) +
           " skipped: empty blob");
      continue;
    }
    visit(std::string_view(static_cast<const char*>(data), size_t(size)));
  }
  if (rc != SQLITE_DONE) return sqlite_error(db.get(), "reading the Packages table");
  return {};
}

}  // namespace pith::catalog
