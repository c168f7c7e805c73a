// Thin RAII layer over libpq with the same shape as sqlite_db.hpp (Db, Statement, Transaction), so
// the store's SQL logic runs unchanged on both backends. Internal to src/store; no libpq type leaks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/error.hpp>
#include <pickverify/expected.hpp>

#include "sql_query.hpp"

struct pg_conn;
struct pg_result;

namespace pickverify::store {

class PgDb;
class PgTransaction;

// A statement is parsed by the server when it first runs (one round trip: parse, bind, execute);
// its rows are then read from the fetched result. Placeholders are SQLite's: `?` numbers them in
// order, `?N` names parameter N; both become PostgreSQL's `$N`.
class PgStatement {
public:
  PgStatement() = default;
  PgStatement(PgDb& db, std::string sql, int parameter_count);
  PgStatement(PgStatement&& other) noexcept;
  PgStatement& operator=(PgStatement&& other) noexcept;
  PgStatement(const PgStatement&) = delete;
  PgStatement& operator=(const PgStatement&) = delete;
  ~PgStatement();

  // Binding is 1-based. Integers go as int8, text as text, blobs as bytea in binary, so any byte
  // of a blob survives. PostgreSQL text cannot hold a NUL byte: such a value fails the statement.
  PgStatement& bind(int index, std::int64_t value);
  PgStatement& bind_text(int index, std::string_view value);
  PgStatement& bind_blob(int index, std::string_view value);
  PgStatement& bind_null(int index);

  // true: a row is ready; false: done (the next step runs the statement again).
  Result<bool> step();
  // Calls visit for each row; stops early when it returns false, and returns its error when it gives one.
  Result<void> each_row(const std::function<Result<bool>()>& visit);
  template <typename Read> auto first_row(Read read) { return first_row_of(*this, read); }
  Result<void> run();
  void reset();

  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;
  std::string column_blob(int index) const;
  bool column_is_null(int index) const;

private:
  void clear_result();
  PgStatement& set(int index, std::optional<std::string> value, unsigned type, bool binary);

  PgDb* m_db = nullptr;
  std::string m_sql;
  std::vector<std::optional<std::string>> m_values;
  std::vector<unsigned> m_types;
  std::vector<int> m_binary;
  std::optional<Error> m_bind_error;
  pg_result* m_result = nullptr;
  int m_row = -1;
};

class PgDb {
public:
  using Statement = PgStatement;
  using Transaction = PgTransaction;

  // conninfo: a libpq connection string, "postgresql://…" or "host=… dbname=…". Connects now.
  static Result<std::unique_ptr<PgDb>> connect(const std::string& conninfo);
  ~PgDb();
  PgDb(const PgDb&) = delete;
  PgDb& operator=(const PgDb&) = delete;

  Result<PgStatement> prepare(std::string_view sql);
  // Runs one or more statements without parameters (DDL, BEGIN/COMMIT, SAVEPOINT).
  Result<void> exec(const std::string& sql);
  // Runs one statement without parameters and returns its command tag ("COMMIT", "ROLLBACK" …).
  Result<std::string> exec_tag(const std::string& sql);
  Result<std::int64_t> query_int(std::string_view sql) { return query_value<std::int64_t>(*this, sql); }
  Result<std::string> query_text(std::string_view sql) { return query_value<std::string>(*this, sql); }

  // "PostgreSQL db@host": where the database is, without any password, for messages.
  const std::string& where() const { return m_where; }
  // The error of a finished command (result may be null: the connection's own error).
  Error error_of(const pg_result* result, std::string_view context) const;
  pg_conn* handle() const { return m_conn; }

  // Before a command: a connection found lost (the server restarted, the primary failed over) is
  // opened again with the same parameters, so a multi-host conninfo with
  // target_session_attrs=read-write finds whichever server is the primary now. Never inside a
  // transaction: what it had done is gone with the old session, so that transaction fails and the
  // next one reconnects. The command that found the connection lost has failed already (its outcome
  // is the caller's error); nothing is ever sent twice.
  Result<void> ensure_connected();
  // How many times this connection was opened again (for tests and the operator's messages).
  int reconnects() const { return m_reconnects; }

private:
  friend class PgTransaction;
  PgDb(pg_conn* conn, std::string where) : m_conn(conn), m_where(std::move(where)) {}
  Result<void> apply_session_settings();
  void describe_server();
  pg_conn* m_conn = nullptr;
  std::string m_where;
  bool m_in_transaction = false;
  mutable bool m_lost = false; // a command failed as a lost connection does (error_of)
  int m_reconnects = 0;
};

// BEGIN … COMMIT; rolls back when it goes out of scope uncommitted. Like SQLite's BEGIN IMMEDIATE,
// begin() takes the database's write lock (a transaction-scoped advisory lock) before anything is
// read, so two processes cannot both read the journal head and then both append; readers are
// never blocked by it.
class PgTransaction {
public:
  static Result<PgTransaction> begin(PgDb& db);
  PgTransaction(PgTransaction&& other) noexcept : m_db(other.m_db) { other.m_db = nullptr; }
  PgTransaction& operator=(PgTransaction&&) = delete;
  PgTransaction(const PgTransaction&) = delete;
  ~PgTransaction();
  Result<void> commit();

private:
  explicit PgTransaction(PgDb& db) : m_db(&db) {}
  PgDb* m_db = nullptr;
};

// PostgreSQL text holds valid UTF-8 without NUL bytes (blobs hold anything); false otherwise.
bool pg_text_storable(std::string_view text);

// The advisory lock every pickverify writer takes: this class and the hash of the schema, so two
// pickverify databases in one PostgreSQL database (two schemas) do not wait on each other.
constexpr std::int32_t k_pg_write_lock_class = 0x70766679; // "pvfy"

} // namespace pickverify::store
