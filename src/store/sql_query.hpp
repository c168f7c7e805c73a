// What the two backends' connection classes (Db for SQLite, PgDb for PostgreSQL) share beyond their
// common interface: single-value queries written once for both. Internal to src/store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <pickverify/error.hpp>
#include <pickverify/expected.hpp>

namespace pickverify::store {

// Steps `stmt` once: no value when it gives no row, else what `read` makes of the row's columns; the
// statement is reset afterwards, ready to be bound and run again.
template <typename Statement, typename Read>
auto first_row_of(Statement& stmt, Read read) -> Result<std::optional<decltype(read())>>
{
  using Value = decltype(read());
  PV_TRY_ASSIGN(const bool row, stmt.step());
  if (!row) {
    return std::optional<Value>();
  }
  std::optional<Value> value(read());
  stmt.reset();
  return value;
}

// The first column of the first row of `sql` as T (std::int64_t or std::string); T{} when the query
// gives no row, such as "PRAGMA user_version" or "SELECT seq FROM journal_head".
template <typename T, typename Connection> Result<T> query_value(Connection& db, std::string_view sql)
{
  static_assert(std::is_same_v<T, std::int64_t> || std::is_same_v<T, std::string>,
                "query_value reads an integer or a text column");
  PV_TRY_ASSIGN(auto stmt, db.prepare(sql));
  PV_TRY_ASSIGN(auto value, stmt.first_row([&stmt]() -> T {
    if constexpr (std::is_same_v<T, std::string>) {
      return stmt.column_text(0);
    } else {
      return stmt.column_int(0);
    }
  }));
  return value ? std::move(*value) : T{};
}

} // namespace pickverify::store
