#include "fleet/db.h"

#include <libpq-fe.h>

#include <cstdlib>

namespace pith::fleet {

namespace {

// libpq's messages end with a newline and may span lines; pith's errors are one line.
std::string one_line(const char* message) {
  std::string out = message ? message : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  for (char& c : out)
    if (c == '\n' || c == '\t') c = ' ';
  return out;
}

void ignore_notice(void*, const char*) {}  // "relation already exists, skipping" and the like

}  // namespace

Rows::Rows(pg_result* r) : m_result(r) {}
Rows::~Rows() {
  if (m_result) PQclear(m_result);
}
Rows::Rows(Rows&& o) noexcept : m_result(o.m_result) {
  o.m_result = nullptr;
}

int Rows::size() const {
  return PQntuples(m_result);
}
bool Rows::null(int row, int col) const {
  return PQgetisnull(m_result, row, col) != 0;
}
std::string Rows::text(int row, int col) const {
  return std::string(PQgetvalue(m_result, row, col),
                     static_cast<size_t>(PQgetlength(m_result, row, col)));
}
long long Rows::integer(int row, int col) const {
  return null(row, col) ? 0 : std::strtoll(PQgetvalue(m_result, row, col), nullptr, 10);
}
Result<std::string> Rows::bytes(int row, int col) const {
  size_t n = 0;
  unsigned char* raw =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(m_result, row, col)), &n);
  if (raw == nullptr) return make_error("a bytea column could not be decoded");
  std::string out(reinterpret_cast<const char*>(raw), n);
  PQfreemem(raw);
  return out;
}
long long Rows::affected() const {
  return std::strtoll(PQcmdTuples(m_result), nullptr, 10);
}

Result<Db> Db::connect(const std::string& url) {
  pg_conn* c = PQconnectdb(url.c_str());
  if (c == nullptr) return make_error("PostgreSQL: out of memory");
  if (PQstatus(c) != CONNECTION_OK) {
    std::string why = one_line(PQerrorMessage(c));
    PQfinish(c);
    return make_error("PostgreSQL: " + why);
  }
  PQsetNoticeProcessor(c, ignore_notice, nullptr);
  return Db(c);
}

Db::~Db() {
  if (m_conn) PQfinish(m_conn);
}
Db::Db(Db&& o) noexcept : m_conn(o.m_conn), m_prepared(std::move(o.m_prepared)) {
  o.m_conn = nullptr;
}
Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    if (m_conn) PQfinish(m_conn);
    m_conn = o.m_conn;
    m_prepared = std::move(o.m_prepared);
    o.m_conn = nullptr;
  }
  return *this;
}

Result<std::string> Db::prepared(const std::string& sql, int params) {
  auto it = m_prepared.find(sql);
  if (it != m_prepared.end()) return it->second;
  std::string name = "pith_" + std::to_string(m_prepared.size() + 1);
  pg_result* raw = PQprepare(m_conn, name.c_str(), sql.c_str(), params, nullptr);
  bool ok = raw && PQresultStatus(raw) == PGRES_COMMAND_OK;
  std::string why;
  if (!ok) {
    const char* primary = raw ? PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    why = one_line(primary ? primary : PQerrorMessage(m_conn));
  }
  if (raw) PQclear(raw);
  if (!ok) return make_error("PostgreSQL: " + why);
  m_prepared.emplace(sql, name);
  return name;
}

Result<Rows> Db::exec(std::string_view sql, const std::vector<Param>& params) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  for (const auto& p : params) {
    values.push_back(p.text ? p.text->data() : nullptr);
    lengths.push_back(p.text ? static_cast<int>(p.text->size()) : 0);
    formats.push_back(p.binary ? 1 : 0);
  }
  std::string statement(sql);
  // Without parameters, the simple protocol: a migration is several statements in one text.
  pg_result* raw = nullptr;
  if (params.empty()) {
    raw = PQexec(m_conn, statement.c_str());
  } else {
    std::string name = TRY(prepared(statement, static_cast<int>(params.size())));
    raw = PQexecPrepared(m_conn, name.c_str(), static_cast<int>(params.size()), values.data(),
                         lengths.data(), formats.data(), 0);
  }
  // No result at all is libpq's out-of-memory or a lost connection: the connection says which.
  ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Rows(raw);
  const char* primary = raw ? PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = one_line(primary ? primary : PQerrorMessage(m_conn));
  if (state) message += " (SQLSTATE " + std::string(state) + ")";
  if (raw) PQclear(raw);
  return make_error("PostgreSQL: " + message);
}

}  // namespace pith::fleet
