#include "pg_db.hpp"

#include <pickverify/expected.hpp>
#include <pickverify/text.hpp>

#include <cstdlib>
#include <utility>

#include <fmt/core.h>
#include <libpq-fe.h>

namespace pickverify::store {

namespace {

// Type OIDs of the parameters we send (pg_type.h is a server header; these never change).
constexpr Oid k_int8_oid = 20;
constexpr Oid k_text_oid = 25;
constexpr Oid k_bytea_oid = 17;

ErrorType type_of_sqlstate(std::string_view state)
{
  if (state.size() != 5) {
    return ErrorType::io; // no SQLSTATE: the connection failed
  }
  const std::string_view klass = state.substr(0, 2);
  if (klass == "23" || state == "P0001") {
    return ErrorType::conflict; // a constraint, or our append-only guard's RAISE
  }
  if (klass == "08" || klass == "53" || klass == "57" || klass == "58" || klass == "40" || klass == "55") {
    return ErrorType::io; // connection, resources, shutdown, lock timeouts, serialization
  }
  if (klass == "22") {
    return ErrorType::invalid_input; // data: invalid UTF-8, out of range
  }
  return ErrorType::internal;
}

std::string first_line(const char* message)
{
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  if (auto newline = text.find('\n'); newline != std::string::npos) {
    text.resize(newline);
  }
  return text;
}

// SQLite's placeholders (`?` in order, `?N` by number) as PostgreSQL's `$N`, outside quotes.
std::pair<std::string, int> translate_placeholders(std::string_view sql)
{
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 0;
  int highest = 0;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote) {
      out.push_back(c);
      if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out.push_back(c);
      continue;
    }
    if (c != '?') {
      out.push_back(c);
      continue;
    }
    int number = 0;
    std::size_t digits = i + 1;
    while (digits < sql.size() && sql[digits] >= '0' && sql[digits] <= '9') {
      number = number * 10 + (sql[digits] - '0');
      ++digits;
    }
    if (digits == i + 1) {
      number = ++next;
    } else {
      i = digits - 1;
    }
    highest = std::max(highest, number);
    out += fmt::format("${}", number);
  }
  return {out, highest};
}

} // namespace

bool pg_text_storable(std::string_view text)
{
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == 0) {
      return false;
    }
    std::size_t length = 1;
    std::uint32_t code = byte;
    if (byte >= 0x80) {
      if (byte >= 0xc2 && byte <= 0xdf) {
        length = 2;
        code = byte & 0x1f;
      } else if (byte >= 0xe0 && byte <= 0xef) {
        length = 3;
        code = byte & 0x0f;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        length = 4;
        code = byte & 0x07;
      } else {
        return false;
      }
      if (i + length > text.size()) {
        return false;
      }
      for (std::size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[i + k]);
        if ((next & 0xc0) != 0x80) {
          return false;
        }
        code = (code << 6) | (next & 0x3f);
      }
      const bool overlong = (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
      if (overlong || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        return false;
      }
    }
    i += length;
  }
  return true;
}

// --- PgStatement --------------------------------------------------------------------------------

PgStatement::PgStatement(PgDb& db, std::string sql, int parameter_count)
    : m_db(&db), m_sql(std::move(sql)), m_values(static_cast<std::size_t>(parameter_count)),
      m_types(static_cast<std::size_t>(parameter_count), k_text_oid),
      m_binary(static_cast<std::size_t>(parameter_count), 0)
{
}

PgStatement::PgStatement(PgStatement&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_sql(std::move(other.m_sql)), m_values(std::move(other.m_values)),
      m_types(std::move(other.m_types)), m_binary(std::move(other.m_binary)),
      m_bind_error(std::move(other.m_bind_error)), m_result(std::exchange(other.m_result, nullptr)),
      m_row(std::exchange(other.m_row, -1))
{
}

PgStatement& PgStatement::operator=(PgStatement&& other) noexcept
{
  if (this != &other) {
    clear_result();
    m_db = std::exchange(other.m_db, nullptr);
    m_sql = std::move(other.m_sql);
    m_values = std::move(other.m_values);
    m_types = std::move(other.m_types);
    m_binary = std::move(other.m_binary);
    m_bind_error = std::move(other.m_bind_error);
    m_result = std::exchange(other.m_result, nullptr);
    m_row = std::exchange(other.m_row, -1);
  }
  return *this;
}

PgStatement::~PgStatement()
{
  clear_result();
}

void PgStatement::clear_result()
{
  if (m_result) {
    PQclear(m_result);
    m_result = nullptr;
  }
  m_row = -1;
}

PgStatement& PgStatement::set(int index, std::optional<std::string> value, unsigned type, bool binary)
{
  if (index < 1 || static_cast<std::size_t>(index) > m_values.size()) {
    m_bind_error = Error{ErrorType::internal, fmt::format("{}: parameter {} does not exist in: {}", m_db->where(),
                                                          index, m_sql.substr(0, 60))};
    return *this;
  }
  const auto at = static_cast<std::size_t>(index - 1);
  m_values[at] = std::move(value);
  m_types[at] = type;
  m_binary[at] = binary ? 1 : 0;
  return *this;
}

PgStatement& PgStatement::bind(int index, std::int64_t value)
{
  return set(index, std::to_string(value), k_int8_oid, false);
}

PgStatement& PgStatement::bind_text(int index, std::string_view value)
{
  if (value.find('\0') != std::string_view::npos) {
    m_bind_error = Error{ErrorType::invalid_input,
                         fmt::format("{}: a text value holds a NUL byte, which PostgreSQL cannot store ({})",
                                     m_db->where(), m_sql.substr(0, 60))};
  }
  return set(index, std::string(value), k_text_oid, false);
}

PgStatement& PgStatement::bind_blob(int index, std::string_view value)
{
  return set(index, std::string(value), k_bytea_oid, true);
}

PgStatement& PgStatement::bind_null(int index)
{
  // Untyped (oid 0): the server takes the column's type, so a NULL fits a BIGINT column as well as TEXT.
  return set(index, std::nullopt, 0, false);
}

Result<bool> PgStatement::step()
{
  if (!m_result) {
    if (m_bind_error) {
      Error error = std::move(*m_bind_error);
      m_bind_error.reset();
      return tl::unexpected(std::move(error));
    }
    PV_TRY(m_db->ensure_connected());
    std::vector<const char*> values(m_values.size());
    std::vector<int> lengths(m_values.size());
    for (std::size_t i = 0; i < m_values.size(); ++i) {
      values[i] = m_values[i] ? m_values[i]->c_str() : nullptr;
      lengths[i] = m_values[i] ? static_cast<int>(m_values[i]->size()) : 0;
    }
    PGresult* result = PQexecParams(m_db->handle(), m_sql.c_str(), static_cast<int>(m_values.size()), m_types.data(),
                                    values.data(), lengths.data(), m_binary.data(), 0);
    const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      Error error = m_db->error_of(result, std::string_view(m_sql).substr(0, 60));
      PQclear(result);
      return tl::unexpected(std::move(error));
    }
    m_result = result;
    m_row = -1;
  }
  ++m_row;
  if (m_row < PQntuples(m_result)) {
    return true;
  }
  clear_result();
  return false;
}

Result<void> PgStatement::each_row(const std::function<Result<bool>()>& visit)
{
  for (;;) {
    PV_TRY_ASSIGN(const bool row, step());
    if (!row) {
      return {};
    }
    auto more = visit();
    if (!more || !*more) {
      clear_result();
      return more ? Result<void>() : tl::unexpected(std::move(more.error()));
    }
  }
}

Result<void> PgStatement::run()
{
  PV_TRY(step());
  reset();
  return {};
}

void PgStatement::reset()
{
  clear_result();
  m_bind_error.reset();
  for (auto& value : m_values) {
    value.reset();
  }
  // A parameter the SQL does not use (read_journal's filters) still needs a type: text.
  std::fill(m_types.begin(), m_types.end(), k_text_oid);
  std::fill(m_binary.begin(), m_binary.end(), 0);
}

std::int64_t PgStatement::column_int(int index) const
{
  if (!m_result || PQgetisnull(m_result, m_row, index)) {
    return 0;
  }
  return std::strtoll(PQgetvalue(m_result, m_row, index), nullptr, 10);
}

std::string PgStatement::column_text(int index) const
{
  if (!m_result) {
    return {};
  }
  return std::string(PQgetvalue(m_result, m_row, index), static_cast<std::size_t>(PQgetlength(m_result, m_row, index)));
}

std::string PgStatement::column_blob(int index) const
{
  // Text-format results show bytea as "\x" and two hex digits per byte.
  const std::string text = column_text(index);
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x') {
    return text;
  }
  std::string bytes;
  bytes.reserve((text.size() - 2) / 2);
  for (std::size_t i = 2; i + 1 < text.size(); i += 2) {
    bytes.push_back(static_cast<char>(text::hex_digit_value(text[i]) * 16 + text::hex_digit_value(text[i + 1])));
  }
  return bytes;
}

bool PgStatement::column_is_null(int index) const
{
  return !m_result || PQgetisnull(m_result, m_row, index);
}

// --- PgDb ---------------------------------------------------------------------------------------

Result<std::unique_ptr<PgDb>> PgDb::connect(const std::string& conninfo)
{
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (!conn) {
    return make_error(ErrorType::io, "PostgreSQL: out of memory while connecting");
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    Error error{ErrorType::io, fmt::format("PostgreSQL: cannot connect: {}", first_line(PQerrorMessage(conn)))};
    PQfinish(conn);
    return tl::unexpected(std::move(error));
  }
  // Our own messages come back as they are; the server's notices stay out of stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  auto made = std::unique_ptr<PgDb>(new PgDb(conn, {}));
  made->describe_server();
  PV_TRY(made->apply_session_settings());
  return made;
}

void PgDb::describe_server()
{
  const char* host = PQhost(m_conn);
  const char* db = PQdb(m_conn);
  m_where = fmt::format("PostgreSQL {}@{}", db ? db : "?", host ? host : "?");
}

Result<void> PgDb::apply_session_settings()
{
  // UTC, so that no server setting changes what a timestamp means; text in UTF-8.
  return exec("SET TIME ZONE 'UTC'; SET client_encoding = 'UTF8'");
}

Result<void> PgDb::ensure_connected()
{
  if (PQstatus(m_conn) == CONNECTION_OK && !m_lost) {
    return {};
  }
  if (m_in_transaction) {
    return make_error(ErrorType::io, fmt::format("{}: the connection to the database was lost during a transaction; "
                                                 "nothing of it was kept",
                                                 m_where));
  }
  PQreset(m_conn);
  if (PQstatus(m_conn) != CONNECTION_OK) {
    return make_error(ErrorType::io, fmt::format("{}: the connection to the database is lost and cannot be opened "
                                                 "again yet: {}",
                                                 m_where, first_line(PQerrorMessage(m_conn))));
  }
  m_lost = false;
  ++m_reconnects;
  describe_server();
  return apply_session_settings();
}

PgDb::~PgDb()
{
  PQfinish(m_conn);
}

Result<PgStatement> PgDb::prepare(std::string_view sql)
{
  auto [translated, parameters] = translate_placeholders(sql);
  return PgStatement(*this, std::move(translated), parameters);
}

Result<void> PgDb::exec(const std::string& sql)
{
  PV_TRY(exec_tag(sql));
  return {};
}

Result<std::string> PgDb::exec_tag(const std::string& sql)
{
  PV_TRY(ensure_connected());
  PGresult* result = PQexec(m_conn, sql.c_str());
  const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    Error error = error_of(result, std::string_view(sql).substr(0, 60));
    PQclear(result);
    return tl::unexpected(std::move(error));
  }
  std::string tag = PQcmdStatus(result);
  PQclear(result);
  return tag;
}

Error PgDb::error_of(const pg_result* result, std::string_view context) const
{
  if (PQstatus(m_conn) != CONNECTION_OK) {
    return Error{ErrorType::io, fmt::format("{}: {}: the connection to the database is lost: {}", m_where, context,
                                            first_line(PQerrorMessage(m_conn)))};
  }
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string_view sqlstate = state ? state : "";
  // libpq may not have seen the end of the connection yet (a write to a closed socket, the server's
  // "terminating connection" notice read as this command's error): a connection error, a server
  // shutting down or starting up, or an error without SQLSTATE (libpq's own), means the next command
  // opens the connection again.
  if (sqlstate.size() != 5 || sqlstate.substr(0, 2) == "08" || sqlstate == "57P01" || sqlstate == "57P02" ||
      sqlstate == "57P03") {
    m_lost = true;
  }
  const char* message = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const std::string what = message ? std::string(message) : first_line(PQerrorMessage(m_conn));
  return Error{type_of_sqlstate(state ? state : ""), fmt::format("{}: {}: {}", m_where, context, what)};
}

// --- PgTransaction ------------------------------------------------------------------------------

Result<PgTransaction> PgTransaction::begin(PgDb& db)
{
  auto begun = db.exec(
      fmt::format("BEGIN; SELECT pg_advisory_xact_lock({}, hashtext(current_schema()))", k_pg_write_lock_class));
  if (!begun) {
    (void)db.exec("ROLLBACK");
    return tl::unexpected(begun.error());
  }
  db.m_in_transaction = true;
  return PgTransaction(db);
}

PgTransaction::~PgTransaction()
{
  if (m_db) {
    (void)m_db->exec("ROLLBACK");
    m_db->m_in_transaction = false;
  }
}

Result<void> PgTransaction::commit()
{
  PgDb* db = std::exchange(m_db, nullptr);
  auto committed = db->exec_tag("COMMIT");
  if (!committed) {
    (void)db->exec("ROLLBACK");
    db->m_in_transaction = false;
    return tl::unexpected(committed.error());
  }
  db->m_in_transaction = false;
  // COMMIT of a transaction that an earlier error aborted succeeds as a ROLLBACK: nothing was written.
  if (*committed != "COMMIT") {
    return make_error(ErrorType::io, fmt::format("{}: the transaction was rolled back after an error; nothing "
                                                 "was written",
                                                 db->where()));
  }
  return {};
}

} // namespace pickverify::store
