// libpq (fleet's PostgreSQL connection, fleet/db.cc), loaded on first use.
#include <libpq-fe.h>

#include "dynlib/loader.h"

namespace {

const pith::dynlib::Library& libpq() {
  static const pith::dynlib::Library library("libpq.so.5");
  return library;
}

}  // namespace

extern "C" {

PGconn* PQconnectdb(const char* conninfo) {
  static auto* const real = PITH_DYNLIB_REAL(libpq(), PQconnectdb);
  return real(conninfo);
}

void PQfinish(PGconn* conn) {
  static auto* const real = PITH_DYNLIB_REAL(libpq(), PQfinish);
  real(conn);
}

ConnStatusType PQstatus(const PGconn* conn) {
  static auto* const real = PITH_DYNLIB_REAL(libpq(), PQstatus);
  return real(conn);
}

char* PQerrorMessage(const PGconn* conn) {
  static auto* const real = PITH_DYNLIB_REAL(libpq(), PQerrorMessage);
  return real(conn);
}

PQnoticeProcessor PQsetNoticeProcessor(PGconn* conn, PQnoticeProcessor proc, void* arg) {
  static auto* const real = PITH_DYNLIB_REAL(libpq(), PQsetNoticeProcessor);
  return real(conn, proc, arg);
}

PGresult* PQexec(PGconn* conn, const char* query) {
  static auto* const real = PITH_DYNLIB_REAL(libpq(), PQexec);
  return real(conn, query);
}

PGresult* PQprepare(PGconn* conn, const char* name, const char* query, int n_params,
                    const Oid* param_types) {
  static auto* const real = PITH_DYNLIB_REAL(libpq(), PQprepare);
  return real(conn, name, query, n_params, param_types);
}

PGresult* PQexecPrepared(PGconn* conn, const char* name, int n_params, const char* const* values,
                         const int* lengths, const int* formats, int result_format) {
  static auto* const real = PITH_DYNLIB_REAL(libpq(), PQexecPrepared);
  return real(conn, name, n_params, values, lengths, formats, result_format);
}

ExecStatusType PQresultStatus(const PGresult* res) {
  static auto* const real = PITH_DYNLIB_REAL(libpq(), PQresultStatus);
  return real(res);
}

char* PQresultErrorField(const PGresult* res, int field_code) {
  static auto* const real = PITH_DYNLIB_REAL(libpq(), PQresultErrorField);
  return real(res, field_code);
}

int PQntuples(const PGresult* res) {
  static auto* const real = PITH_DYNLIB_REAL(libpq(), PQntuples);
  return real(res);
}

char* PQcmdTuples(PGresult* res) {
  static auto* const real = PITH_DYNLIB_REAL(libpq(), PQcmdTuples);
  return real(res);
}

char* PQgetvalue(const PGresult* res, int tup_num, int field_num) {
  static auto* const real = PITH_DYNLIB_REAL(libpq(), PQgetvalue);
  return real(res, tup_num, field_num);
}

int PQgetlength(const PGresult* res, int tup_num, int field_num) {
  static auto* const real = PITH_DYNLIB_REAL(libpq(), PQgetlength);
  return real(res, tup_num, field_num);
}

int PQgetisnull(const PGresult* res, int tup_num, int field_num) {
  static auto* const real = PITH_DYNLIB_REAL(libpq(), PQgetisnull);
  return real(res, tup_num, field_num);
}

void PQclear(PGresult* res) {
  static auto* const real = PITH_DYNLIB_REAL(libpq(), PQclear);
  real(res);
}

unsigned char* PQunescapeBytea(const unsigned char* text, size_t* length) {
  static auto* const real = PITH_DYNLIB_REAL(libpq(), PQunescapeBytea);
  return real(text, length);
}

void PQfreemem(void* ptr) {
  static auto* const real = PITH_DYNLIB_REAL(libpq(), PQfreemem);
  real(ptr);
}

}  // extern "C"
