// Thin RAII layer over the SQLite C API: a connection, prepared statements and transactions whose
// failures come back as pickverify::Error values. Internal to src/store.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <pickverify/error.hpp>
#include <pickverify/expected.hpp>

#include "sql_query.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace pickverify::store {

// Wait this long for another connection (another station process) to finish its write.
constexpr int k_busy_timeout_ms = 5000;

class Db;
class Transaction;

class Statement {
public:
  Statement() = default;
  Statement(Db& db, sqlite3_stmt* stmt) : m_db(&db), m_stmt(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binding is 1-based, as in SQLite. Text and blobs are copied (SQLITE_TRANSIENT), so any byte,
  // NUL included, survives.
  Statement& bind(int index, std::int64_t value);
  Statement& bind_text(int index, std::string_view value);
  Statement& bind_blob(int index, std::string_view value);
  Statement& bind_null(int index);

  // true: a row is ready; false: done. Errors carry the statement's SQL for context.
  Result<bool> step();
  // Steps through the result rows, calling visit for each (it reads the columns of this statement);
  // stops early when visit returns false, and returns visit's error when it gives one.
  Result<void> each_row(const std::function<Result<bool>()>& visit);
  // Steps once: no value when the statement gives no row, else what `read` makes of the row's columns.
  template <typename Read> auto first_row(Read read) { return first_row_of(*this, read); }
  // Runs a statement that returns no rows (or whose rows are ignored) to completion.
  Result<void> run();
  void reset();

  std::int64_t column_int(int index) const;
  std::string column_text(int index) const; // bytes exactly as stored, NUL included
  std::string column_blob(int index) const;
  bool column_is_null(int index) const;

private:
  Db* m_db = nullptr;
  sqlite3_stmt* m_stmt = nullptr;
};

class Db {
public:
  // The store's logic is written once for SQLite and PostgreSQL (sql_store.cpp); these name a
  // backend's statement and transaction types.
  using Statement = pickverify::store::Statement;
  using Transaction = pickverify::store::Transaction;

  // Opens or creates the file. Nothing is read yet: SQLite opens lazily, so a file that is not a
  // database is only noticed by the first statement.
  static Result<std::unique_ptr<Db>> open(const std::filesystem::path& path);
  // Opens an existing file without ever writing to it or creating anything beside it (an archived
  // copy, a read-only mount). immutable: also assume nobody else writes it (no locks, no -shm), for
  // a WAL database in a folder that cannot be written.
  static Result<std::unique_ptr<Db>> open_read_only(const std::filesystem::path& path, bool immutable);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Result<Statement> prepare(std::string_view sql);
  // Runs one or more statements without results (DDL, PRAGMA assignments, BEGIN/COMMIT).
  Result<void> exec(const std::string& sql);
  // A single-value query such as "PRAGMA user_version".
  Result<std::int64_t> query_int(std::string_view sql) { return query_value<std::int64_t>(*this, sql); }
  Result<std::string> query_text(std::string_view sql) { return query_value<std::string>(*this, sql); }

  // The last statement failed because another connection held a lock SQLite would not wait for.
  bool last_error_was_busy() const;

  // The connection's last error as an Error, worded for a person; context names what we were doing.
  Error last_error(std::string_view context) const;
  const std::filesystem::path& path() const { return m_path; }

private:
  Db(sqlite3* handle, std::filesystem::path path) : m_handle(handle), m_path(std::move(path)) {}
  friend class pickverify::store::Statement;
  sqlite3* m_handle = nullptr;
  std::filesystem::path m_path;
};

// BEGIN IMMEDIATE … COMMIT; rolls back when it goes out of scope uncommitted. IMMEDIATE takes the
// write lock up front, so two processes cannot both read the journal head and then both append.
class Transaction {
public:
  static Result<Transaction> begin(Db& db);
  Transaction(Transaction&& other) noexcept : m_db(other.m_db) { other.m_db = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Result<void> commit();

private:
  explicit Transaction(Db& db) : m_db(&db) {}
  Db* m_db = nullptr;
};

} // namespace pickverify::store
