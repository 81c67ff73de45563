// libsqlite3 (rpm's SQLite package database, catalog/rpmdb_sqlite.cc), loaded on first use.
#include <sqlite3.h>

#include <cstdarg>
#include <string>

#include "dynlib/loader.h"

namespace {

const pith::dynlib::Library& libsqlite() {
  static const pith::dynlib::Library library("libsqlite3.so.0");
  return library;
}

}  // namespace

extern "C" {

int sqlite3_open(const char* filename, sqlite3** db) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_open);
  return real(filename, db);
}

int sqlite3_open_v2(const char* filename, sqlite3** db, int flags, const char* vfs) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_open_v2);
  return real(filename, db, flags, vfs);
}

int sqlite3_close(sqlite3* db) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_close);
  return real(db);
}

// A variadic function cannot pass its own arguments on, so this reads them as SQLite does:
// SQLITE_DBCONFIG_MAINDBNAME takes a string and SQLITE_DBCONFIG_LOOKASIDE three arguments (pith
// uses neither); every other op of sqlite3.h up to SQLITE_DBCONFIG_MAX takes an int (on, off or
// -1 to leave it) and an int* (the state after, or null). An op this does not know would be read
// wrong, so it ends the process instead.
static_assert(SQLITE_DBCONFIG_MAX == 1017,
              "a newer sqlite3.h: check that its new SQLITE_DBCONFIG_ ops take (int, int*)");
int sqlite3_db_config(sqlite3* db, int op, ...) {
  if (op < SQLITE_DBCONFIG_ENABLE_FKEY || op > SQLITE_DBCONFIG_MAX)
    pith::dynlib::fail("sqlite3_db_config: op " + std::to_string(op) +
                       " is not forwarded by dynlib/sqlite.cc");
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_db_config);
  va_list args;
  va_start(args, op);
  int value = va_arg(args, int);
  int* state = va_arg(args, int*);
  va_end(args);
  return real(db, op, value, state);
}

int sqlite3_deserialize(sqlite3* db, const char* schema, unsigned char* data, sqlite3_int64 size,
                        sqlite3_int64 buffer_size, unsigned flags) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_deserialize);
  return real(db, schema, data, size, buffer_size, flags);
}

unsigned char* sqlite3_serialize(sqlite3* db, const char* schema, sqlite3_int64* size,
                                 unsigned int flags) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_serialize);
  return real(db, schema, size, flags);
}

void sqlite3_progress_handler(sqlite3* db, int steps, int (*handler)(void*), void* arg) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_progress_handler);
  real(db, steps, handler, arg);
}

const char* sqlite3_errmsg(sqlite3* db) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_errmsg);
  return real(db);
}

int sqlite3_exec(sqlite3* db, const char* sql, int (*callback)(void*, int, char**, char**),
                 void* arg, char** error) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_exec);
  return real(db, sql, callback, arg, error);
}

void sqlite3_free(void* p) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_free);
  real(p);
}

int sqlite3_prepare_v2(sqlite3* db, const char* sql, int n_bytes, sqlite3_stmt** statement,
                       const char** tail) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_prepare_v2);
  return real(db, sql, n_bytes, statement, tail);
}

int sqlite3_bind_blob64(sqlite3_stmt* statement, int index, const void* data, sqlite3_uint64 size,
                        void (*destructor)(void*)) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_bind_blob64);
  return real(statement, index, data, size, destructor);
}

int sqlite3_bind_int64(sqlite3_stmt* statement, int index, sqlite3_int64 value) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_bind_int64);
  return real(statement, index, value);
}

int sqlite3_bind_text(sqlite3_stmt* statement, int index, const char* text, int size,
                      void (*destructor)(void*)) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_bind_text);
  return real(statement, index, text, size, destructor);
}

int sqlite3_bind_value(sqlite3_stmt* statement, int index, const sqlite3_value* value) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_bind_value);
  return real(statement, index, value);
}

int sqlite3_clear_bindings(sqlite3_stmt* statement) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_clear_bindings);
  return real(statement);
}

int sqlite3_step(sqlite3_stmt* statement) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_step);
  return real(statement);
}

int sqlite3_reset(sqlite3_stmt* statement) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_reset);
  return real(statement);
}

int sqlite3_finalize(sqlite3_stmt* statement) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_finalize);
  return real(statement);
}

int sqlite3_column_type(sqlite3_stmt* statement, int column) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_column_type);
  return real(statement, column);
}

const void* sqlite3_column_blob(sqlite3_stmt* statement, int column) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_column_blob);
  return real(statement, column);
}

int sqlite3_column_bytes(sqlite3_stmt* statement, int column) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_column_bytes);
  return real(statement, column);
}

sqlite3_int64 sqlite3_column_int64(sqlite3_stmt* statement, int column) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_column_int64);
  return real(statement, column);
}

const unsigned char* sqlite3_column_text(sqlite3_stmt* statement, int column) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_column_text);
  return real(statement, column);
}

sqlite3_value* sqlite3_column_value(sqlite3_stmt* statement, int column) {
  static auto* const real = PITH_DYNLIB_REAL(libsqlite(), sqlite3_column_value);
  return real(statement, column);
}

}  // extern "C"
