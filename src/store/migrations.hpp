// Versioned schema migrations, kept in code and applied at open. PRAGMA user_version holds the
// version a database is at.
#pragma once

#include <pickverify/error.hpp>

#include "sqlite_db.hpp"

namespace pickverify::store {

// The newest schema this build knows. Raise it only by appending a migration.
constexpr int k_schema_version = 6;

// Brings the database up to k_schema_version in one transaction: either every pending migration
// is applied or none is. Refuses a database newer than this build, and a SQLite file that holds
// somebody else's tables.
Result<void> migrate(Db& db);

} // namespace pickverify::store
