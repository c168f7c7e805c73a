#include "sqlite_db.hpp"

#include <pickverify/expected.hpp>

#include <cctype>
#include <system_error>
#include <utility>

#include <fmt/core.h>
#include <sqlite3.h>

namespace pickverify::store {

namespace {

Error error_for_code(int code, std::string_view what, const std::filesystem::path& path, std::string_view context)
{
  const std::string where = fmt::format("{}: {}", path.string(), context);
  switch (code & 0xff) {
  case SQLITE_NOTADB:
    return Error{ErrorType::corrupt, fmt::format("{}: the file is not a SQLite database ({}); point --data-dir at a "
                                                 "pickverify data folder or move the file away",
                                                 path.string(), what)};
  case SQLITE_CORRUPT:
    return Error{ErrorType::corrupt, fmt::format("{}: the database file is damaged ({})", where, what)};
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    return Error{ErrorType::io,
                 fmt::format("{}: the database stayed locked by another process for {} ms ({}, SQLite code {})", where,
                             k_busy_timeout_ms, what, code)};
  case SQLITE_CONSTRAINT:
    return Error{ErrorType::conflict, fmt::format("{}: {}", where, what)};
  case SQLITE_FULL:
    return Error{ErrorType::io, fmt::format("{}: the disk is full ({})", where, what)};
  case SQLITE_READONLY:
  case SQLITE_CANTOPEN:
  case SQLITE_IOERR:
  case SQLITE_PERM:
    return Error{ErrorType::io, fmt::format("{}: {}", where, what)};
  default:
    return Error{ErrorType::internal, fmt::format("{}: {}", where, what)};
  }
}

} // namespace

// --- Statement ----------------------------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_stmt(std::exchange(other.m_stmt, nullptr))
{
}

Statement& Statement::operator=(Statement&& other) noexcept
{
  if (this != &other) {
    sqlite3_finalize(m_stmt);
    m_db = std::exchange(other.m_db, nullptr);
    m_stmt = std::exchange(other.m_stmt, nullptr);
  }
  return *this;
}

Statement::~Statement()
{
  sqlite3_finalize(m_stmt);
}

Statement& Statement::bind(int index, std::int64_t value)
{
  sqlite3_bind_int64(m_stmt, index, value);
  return *this;
}

Statement& Statement::bind_text(int index, std::string_view value)
{
  // A non-null pointer even for "", so the value is an empty string and not NULL.
  sqlite3_bind_text64(m_stmt, index, value.empty() ? "" : value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view value)
{
  sqlite3_bind_blob64(m_stmt, index, value.empty() ? "" : value.data(), value.size(), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_null(int index)
{
  sqlite3_bind_null(m_stmt, index);
  return *this;
}

Result<void> Statement::each_row(const std::function<Result<bool>()>& visit)
{
  for (;;) {
    PV_TRY_ASSIGN(const bool row, step());
    if (!row) {
      return {};
    }
    auto more = visit();
    if (!more) {
      reset();
      return tl::unexpected(std::move(more.error()));
    }
    if (!*more) {
      return {};
    }
  }
}

Result<bool> Statement::step()
{
  const int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  const char* sql = sqlite3_sql(m_stmt);
  Error error = m_db->last_error(sql ? std::string_view(sql).substr(0, 60) : "statement");
  sqlite3_reset(m_stmt);
  return tl::unexpected(std::move(error));
}

Result<void> Statement::run()
{
  for (;;) {
    PV_TRY_ASSIGN(auto row, step());
    if (!row) {
      reset();
      return {};
    }
  }
}

void Statement::reset()
{
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
}

std::int64_t Statement::column_int(int index) const
{
  return sqlite3_column_int64(m_stmt, index);
}

std::string Statement::column_text(int index) const
{
  const auto* text = sqlite3_column_text(m_stmt, index);
  const int size = sqlite3_column_bytes(m_stmt, index);
  return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)) : std::string();
}

std::string Statement::column_blob(int index) const
{
  const void* blob = sqlite3_column_blob(m_stmt, index);
  const int size = sqlite3_column_bytes(m_stmt, index);
  return blob ? std::string(static_cast<const char*>(blob), static_cast<std::size_t>(size)) : std::string();
}

bool Statement::column_is_null(int index) const
{
  return sqlite3_column_type(m_stmt, index) == SQLITE_NULL;
}

// --- Db -----------------------------------------------------------------------------------------

Result<std::unique_ptr<Db>> Db::open(const std::filesystem::path& path)
{
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      return make_error(ErrorType::io,
                        fmt::format("{}: cannot create the folder: {}", path.parent_path().string(), ec.message()));
    }
  }
  sqlite3* handle = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &handle,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error error = error_for_code(rc, handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc), path, "open");
    sqlite3_close(handle);
    return tl::unexpected(std::move(error));
  }
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, k_busy_timeout_ms);
  return std::unique_ptr<Db>(new Db(handle, path));
}

Result<std::unique_ptr<Db>> Db::open_read_only(const std::filesystem::path& path, bool immutable)
{
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return make_error(ErrorType::not_found, fmt::format("{}: no such database file", path.string()));
  }
  // A URI, so the file name may hold any character: percent-encode everything but the safe ones.
  std::string uri = "file:";
  for (const unsigned char c : path.string()) {
    if (std::isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_') {
      uri.push_back(static_cast<char>(c));
    } else {
      uri += fmt::format("%{:02X}", c);
    }
  }
  uri += immutable ? "?mode=ro&immutable=1" : "?mode=ro";
  sqlite3* handle = nullptr;
  const int rc =
      sqlite3_open_v2(uri.c_str(), &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error error = error_for_code(rc, handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc), path, "open read-only");
    sqlite3_close(handle);
    return tl::unexpected(std::move(error));
  }
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, k_busy_timeout_ms);
  return std::unique_ptr<Db>(new Db(handle, path));
}

Db::~Db()
{
  // Statements are owned by their users and finalized before the Db goes away; close_v2 defers the
  // close until they are, should one outlive it.
  sqlite3_close_v2(m_handle);
}

Result<Statement> Db::prepare(std::string_view sql)
{
  sqlite3_stmt* stmt = nullptr;
  const int rc =
      sqlite3_prepare_v3(m_handle, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return tl::unexpected(last_error(sql.substr(0, 60)));
  }
  return Statement(*this, stmt);
}

Result<void> Db::exec(const std::string& sql)
{
  char* message = nullptr;
  const int rc = sqlite3_exec(m_handle, sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    Error error = error_for_code(sqlite3_extended_errcode(m_handle), message ? message : sqlite3_errstr(rc), m_path,
                                 std::string_view(sql).substr(0, 60));
    sqlite3_free(message);
    return tl::unexpected(std::move(error));
  }
  return {};
}

bool Db::last_error_was_busy() const
{
  const int code = sqlite3_extended_errcode(m_handle) & 0xff;
  return code == SQLITE_BUSY || code == SQLITE_LOCKED;
}

Error Db::last_error(std::string_view context) const
{
  return error_for_code(sqlite3_extended_errcode(m_handle), sqlite3_errmsg(m_handle), m_path, context);
}

// --- Transaction --------------------------------------------------------------------------------

Result<Transaction> Transaction::begin(Db& db)
{
  PV_TRY(db.exec("BEGIN IMMEDIATE"));
  return Transaction(db);
}

Transaction::~Transaction()
{
  if (m_db) {
    (void)m_db->exec("ROLLBACK");
  }
}

Result<void> Transaction::commit()
{
  Db* db = std::exchange(m_db, nullptr);
  auto committed = db->exec("COMMIT");
  if (!committed) {
    (void)db->exec("ROLLBACK");
    return committed;
  }
  return {};
}

} // namespace pickverify::store
