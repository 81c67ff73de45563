// rpm's SQLite backend (rpmdb.sqlite): read from memory through sqlite3_deserialize, and
// written (a subset of another rpmdb) for the images pith build makes.
#include <sqlite3.h>

#include <functional>
#include <memory>
#include <set>
#include <string>

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

// A database from an image, loaded into memory read-only with its work bounded.
struct UntrustedDb {
  std::string image;  // sqlite reads these bytes in place
  Budget budget{0};
  DbPtr db;
};

Result<DbPtr> open_memory_db() {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) return sqlite_error(raw, "opening an in-memory sqlite database");
  return db;
}

Result<std::unique_ptr<UntrustedDb>> open_untrusted(std::string_view bytes) {
  if (bytes.size() < 100) return make_error("sqlite rpmdb shorter than its 100-byte header");
  auto u = std::make_unique<UntrustedDb>();
  // Our own copy: it may need the WAL bytes patched.
  u->image = std::string(bytes);
  if (u->image[k_write_version_offset] == 2) u->image[k_write_version_offset] = 1;
  if (u->image[k_read_version_offset] == 2) u->image[k_read_version_offset] = 1;
  u->db = TRY(open_memory_db());
  sqlite3* db = u->db.get();
  // Defensive mode and an untrusted schema: the file comes from an image, not from us.
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  int rc = sqlite3_deserialize(db, "main", reinterpret_cast<unsigned char*>(u->image.data()),
                               sqlite3_int64(u->image.size()), sqlite3_int64(u->image.size()),
                               SQLITE_DESERIALIZE_READONLY);
  if (rc != SQLITE_OK) return sqlite_error(db, "loading the sqlite rpmdb");
  u->budget.remaining = 1000 + u->image.size() / 64;
  sqlite3_progress_handler(db, k_progress_steps, on_progress, &u->budget);
  return u;
}

// Whether `name` is a plain table: a view or virtual table of that name could do anything.
Result<bool> is_table(sqlite3* db, const char* name) {
  StmtPtr kind = TRY(prepare(db, "SELECT type FROM sqlite_master WHERE name = ?"));
  sqlite3_bind_text(kind.get(), 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step(kind.get()) != SQLITE_ROW) return false;
  auto* type = reinterpret_cast<const char*>(sqlite3_column_text(kind.get(), 0));
  return type && std::string_view(type) == "table";
}

// rpm's index tables as rpm 4.16 to 4.18 create them: name, key type, and which of the
// key and hnum indexes it has.
struct IndexTable {
  const char* name;
  const char* key_type;
  bool key_index;
  bool hnum_index;
};
constexpr IndexTable k_index_tables[] = {
    {"Name", "TEXT", true, false},           {"Basenames", "TEXT", true, true},
    {"Group", "TEXT", true, false},          {"Requirename", "TEXT", true, true},
    {"Providename", "TEXT", true, true},     {"Conflictname", "TEXT", true, true},
    {"Obsoletename", "TEXT", true, true},    {"Triggername", "TEXT", true, true},
    {"Dirnames", "TEXT", true, true},        {"Installtid", "BLOB", false, false},
    {"Sigmd5", "BLOB", false, false},        {"Sha1header", "TEXT", true, false},
    {"Filetriggername", "TEXT", true, true}, {"Transfiletriggername", "TEXT", true, true},
    {"Recommendname", "TEXT", true, true},   {"Suggestname", "TEXT", true, true},
    {"Supplementname", "TEXT", true, true},  {"Enhancename", "TEXT", true, true},
};

// rpm opens every index table when it opens the database and, read-only, cannot create one
// that is missing; so all of them are created, empty where nothing is copied.
std::string rpm_schema() {
  std::string sql =
      "CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL);\n";
  for (const IndexTable& t : k_index_tables) {
    std::string name = t.name;
    sql += "CREATE TABLE '" + name + "' (key '" + t.key_type +
           "' NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL, FOREIGN KEY (hnum) "
           "REFERENCES 'Packages'(hnum));\n";
    if (t.key_index) sql += "CREATE INDEX '" + name + "_key_idx' ON '" + name + "'(key ASC);\n";
    if (t.hnum_index) {
      sql += "CREATE INDEX '" + name + "_hnum_idx' ON '" + name + "'(hnum ASC);\n";
    }
  }
  return sql;
}

Result<void> exec(sqlite3* db, const std::string& sql, const std::string& what) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string cause = message ? message : "unknown error";
    sqlite3_free(message);
    return make_error(what + ": " + cause);
  }
  return {};
}

// Steps an INSERT whose values are bound, then resets it for the next row.
Result<void> step_insert(sqlite3* db, sqlite3_stmt* insert) {
  int rc = sqlite3_step(insert);
  sqlite3_reset(insert);
  sqlite3_clear_bindings(insert);
  if (rc != SQLITE_DONE) return sqlite_error(db, "writing the sqlite rpmdb");
  return {};
}

// Copies the rows of kept packages from the source's index table, if it has a usable one.
Result<void> copy_index(sqlite3* src, sqlite3* out, const IndexTable& t,
                        const std::set<sqlite3_int64>& kept, const RpmWarn& warn) {
  if (!TRY(is_table(src, t.name))) return {};
  std::string select = std::string("SELECT key, hnum, idx FROM '") + t.name + "' ORDER BY rowid";
  auto rows = prepare(src, select.c_str());
  if (!rows) {
    warn(std::string("index ") + t.name + " not copied: " + rows.error().message);
    return {};
  }
  std::string sql = std::string("INSERT INTO '") + t.name + "' (key, hnum, idx) VALUES (?, ?, ?)";
  StmtPtr insert = TRY(prepare(out, sql.c_str()));
  int rc = 0;
  while ((rc = sqlite3_step(rows->get())) == SQLITE_ROW) {
    sqlite3_int64 hnum = sqlite3_column_int64(rows->get(), 1);
    if (!kept.contains(hnum) || sqlite3_column_type(rows->get(), 0) == SQLITE_NULL) continue;
    sqlite3_bind_value(insert.get(), 1, sqlite3_column_value(rows->get(), 0));
    sqlite3_bind_int64(insert.get(), 2, hnum);
    sqlite3_bind_int64(insert.get(), 3, sqlite3_column_int64(rows->get(), 2));
    TRY(step_insert(out, insert.get()));
  }
  if (rc != SQLITE_DONE)
    warn(std::string("index ") + t.name + " cut short: " + sqlite3_errmsg(src));
  return {};
}

// Hands over each package's blob with its hnum, in hnum order (the order of rpm -qa).
using PackageRowVisitor = std::function<void(sqlite3_int64 hnum, std::string_view blob)>;
Result<void> walk_packages(sqlite3* db, const PackageRowVisitor& visit, const RpmWarn& warn) {
  if (!TRY(is_table(db, "Packages"))) {
    return make_error("sqlite database without a Packages table");
  }
  StmtPtr rows = TRY(prepare(db, "SELECT hnum, blob FROM Packages ORDER BY hnum"));
  int rc = 0;
  while ((rc = sqlite3_step(rows.get())) == SQLITE_ROW) {
    sqlite3_int64 hnum = sqlite3_column_int64(rows.get(), 0);
    if (sqlite3_column_type(rows.get(), 1) != SQLITE_BLOB) {
      warn("package " + std::to_string(hnum) + " skipped: its blob column is not a blob");
      continue;
    }
    const void* data = sqlite3_column_blob(rows.get(), 1);
    int size = sqlite3_column_bytes(rows.get(), 1);
    if (!data || size <= 0) {
      warn("package " + std::to_string(hnum) + " skipped: empty blob");
      continue;
    }
    visit(hnum, std::string_view(static_cast<const char*>(data), size_t(size)));
  }
  if (rc != SQLITE_DONE) return sqlite_error(db, "reading the Packages table");
  return {};
}

}  // namespace

Result<void> read_rpmdb_sqlite(std::string_view bytes, const RpmBlobVisitor& visit,
                               const RpmWarn& warn) {
  std::unique_ptr<UntrustedDb> u = TRY(open_untrusted(bytes));
  return walk_packages(
      u->db.get(), [&](sqlite3_int64, std::string_view blob) { visit(blob); }, warn);
}

Result<std::string> write_rpmdb_sqlite_subset(std::string_view source, const RpmKeep& keep,
                                              const RpmWarn& warn) {
  auto format = detect_rpmdb_format(source);
  if (!format) return make_error("not an rpm database");

  DbPtr out = TRY(open_memory_db());
  TRY(exec(out.get(), rpm_schema(), "creating the sqlite rpmdb"));
  TRY(exec(out.get(), "BEGIN", "writing the sqlite rpmdb"));
  StmtPtr insert = TRY(prepare(out.get(), "INSERT INTO Packages (hnum, blob) VALUES (?, ?)"));
  std::set<sqlite3_int64> kept;
  Result<void> status;  // the first failed insert
  auto add = [&](sqlite3_int64 hnum, std::string_view blob) {
    if (!status || !keep(blob)) return;
    sqlite3_bind_int64(insert.get(), 1, hnum);
    sqlite3_bind_blob64(insert.get(), 2, blob.data(), blob.size(), SQLITE_TRANSIENT);
    status = step_insert(out.get(), insert.get());
    kept.insert(hnum);
  };

  if (*format == RpmdbFormat::sqlite) {
    std::unique_ptr<UntrustedDb> u = TRY(open_untrusted(source));
    sqlite3* src = u->db.get();
    TRY(walk_packages(src, add, warn));
    TRY(std::move(status));
    for (const IndexTable& t : k_index_tables) TRY(copy_index(src, out.get(), t, kept, warn));
  } else {
    // rpm numbers packages from 1 in the other backends too.
    sqlite3_int64 next = 1;
    RpmBlobVisitor visit = [&](std::string_view blob) { add(next++, blob); };
    TRY(*format == RpmdbFormat::berkeley_db ? read_rpmdb_bdb(source, visit, warn)
                                            : read_rpmdb_ndb(source, visit, warn));
    TRY(std::move(status));
  }
  TRY(exec(out.get(), "COMMIT", "writing the sqlite rpmdb"));

  sqlite3_int64 size = 0;
  unsigned char* bytes = sqlite3_serialize(out.get(), "main", &size, 0);
  if (!bytes) return make_error("serializing the sqlite rpmdb: out of memory");
  std::string image(reinterpret_cast<const char*>(bytes), size_t(size));
  sqlite3_free(bytes);
  return image;
}

}  // namespace pith::catalog
