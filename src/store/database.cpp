#include "database.hpp"

#include <pickverify/expected.hpp>

#include <chrono>
#include <thread>

#include <fmt/core.h>

#include "migrations.hpp"

namespace pickverify::store {

Result<std::unique_ptr<Db>> open_database(const std::filesystem::path& path)
{
  PV_TRY_ASSIGN(auto db, Db::open(path));
  // WAL: readers never block the station that appends. It must be set outside a transaction and
  // is the first statement that reads the file, so a file that is not a database fails here.
  // Switching a new file to WAL needs an exclusive lock, and SQLite answers BUSY at once, without
  // its busy handler, when another process opens the same new file at that moment: retry here.
  auto mode = db->query_text("PRAGMA journal_mode = WAL");
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(k_busy_timeout_ms);
  while (!mode && db->last_error_was_busy() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    mode = db->query_text("PRAGMA journal_mode = WAL");
  }
  PV_TRY(mode, "switch to WAL mode");
  if (*mode != "wal") {
    return make_error(ErrorType::io,
                      fmt::format("{}: the database cannot use WAL mode (journal_mode is {})", path.string(), *mode));
  }
  for (const char* pragma : {"PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON"}) {
    PV_TRY(db->exec(pragma));
  }
  PV_TRY(migrate(*db));
  return db;
}

Result<std::unique_ptr<Db>> open_database_read_only(const std::filesystem::path& path)
{
  // First as an ordinary reader, which sees rows a live station has in its WAL; a WAL database in
  // a folder nobody may write (an archive, a read-only mount) cannot be read that way, so then as
  // an immutable file.
  auto db = Db::open_read_only(path, false);
  Result<std::int64_t> version = db ? (*db)->query_int("PRAGMA user_version") : Result<std::int64_t>(0);
  if (!db || !version) {
    db = Db::open_read_only(path, true);
    PV_TRY(db);
    version = (*db)->query_int("PRAGMA user_version");
    PV_TRY(version, "read the schema version");
  }
  if (*version < 2 || *version > k_schema_version) {
    return make_error(ErrorType::corrupt,
                      fmt::format("{}: database schema version {}; this pickverify reads versions 2 to {} read-only",
                                  path.string(), *version, k_schema_version));
  }
  return db;
}

} // namespace pickverify::store
