// A connection to PostgreSQL through libpq: statements with text parameters (bytea as binary),
// results read as text, transactions. The only state of `pith fleet` lives behind it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/result.h"

struct pg_conn;
struct pg_result;

namespace pith::fleet {

// A parameter: text (PostgreSQL casts it to the column's type), NULL, or bytes sent as bytea.
struct Param {
  std::optional<std::string> text;
  bool binary = false;

  Param(std::string s) : text(std::move(s)) {}
  Param(const char* s) : text(std::string(s)) {}
  Param(std::string_view s) : text(std::string(s)) {}
  Param(long long v) : text(std::to_string(v)) {}
  Param(int v) : text(std::to_string(v)) {}
  Param(unsigned long v) : text(std::to_string(v)) {}
  Param(unsigned long long v) : text(std::to_string(v)) {}
  Param(std::nullopt_t) {}
  // A text[] literal: {"a","b"} with quotes and backslashes escaped.
  static Param text_array(const std::vector<std::string>& items) {
    std::string out = "{";
    for (const auto& item : items) {
      out += out.size() > 1 ? ",\"" : "\"";
      for (char c : item) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += '"';
    }
    return Param(out + "}");
  }
  static Param bytes(std::string b) {
    Param p(std::move(b));
    p.binary = true;
    return p;
  }
};

// A statement's rows (text format); columns by index.
class Rows {
 public:
  explicit Rows(pg_result* r);
  ~Rows();
  Rows(Rows&& o) noexcept;
  Rows& operator=(Rows&&) = delete;
  Rows(const Rows&) = delete;

  int size() const;
  bool null(int row, int col) const;
  std::string text(int row, int col) const;   // "" for NULL
  long long integer(int row, int col) const;  // 0 for NULL
  // A bytea column (sent as hex text) decoded.
  Result<std::string> bytes(int row, int col) const;
  // Rows an INSERT, UPDATE or DELETE touched.
  long long affected() const;

 private:
  pg_result* m_result;
};

class Db {
 public:
  // url: a postgresql:// URI or libpq's "key=value" form; the password from the URL,
  // PGPASSWORD or ~/.pgpass as libpq reads them.
  static Result<Db> connect(const std::string& url);
  ~Db();
  Db(Db&& o) noexcept;
  Db& operator=(Db&& o) noexcept;
  Db(const Db&) = delete;

  Result<Rows> exec(std::string_view sql, const std::vector<Param>& params = {});
  // Runs `body` in a transaction: committed when it succeeds, rolled back otherwise.
  template <class F>
  auto transaction(F&& body) -> decltype(body()) {
    TRY(exec("BEGIN"));
    auto r = body();
    if (!r) {
      (void)exec("ROLLBACK");
      return r;
    }
    TRY(exec("COMMIT"));
    return r;
  }

 private:
  explicit Db(pg_conn* c) : m_conn(c) {}
  // Statements with parameters are prepared once per connection, by their text: planning was
  // a quarter of a worker's time (bench/fleet). Behind pgbouncer in transaction mode this
  // needs pgbouncer 1.21+ with max_prepared_statements set.
  Result<std::string> prepared(const std::string& sql, int params);

  pg_conn* m_conn = nullptr;
  std::unordered_map<std::string, std::string> m_prepared;  // text → statement name
};

}  // namespace pith::fleet
