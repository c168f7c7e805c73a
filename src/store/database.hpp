// Opening the pickverify database file, shared by the journal store and the user store.
#pragma once

#include <filesystem>
#include <memory>

#include <pickverify/error.hpp>

#include "sqlite_db.hpp"

namespace pickverify::store {

// Read-write: creates the file and its folder, WAL, synchronous=FULL, foreign keys, busy_timeout,
// migrations applied. A database newer than this build, a file that is not a SQLite database and
// another application's database are refused (ErrorType::corrupt).
Result<std::unique_ptr<Db>> open_database(const std::filesystem::path& path);

// Read-only: never writes the file, never switches its journal mode, applies no migration; a
// schema older or newer than this build is refused. For audits of archived copies.
Result<std::unique_ptr<Db>> open_database_read_only(const std::filesystem::path& path);

} // namespace pickverify::store
