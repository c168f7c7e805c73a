// Versioned schema migrations for the PostgreSQL store: the same sequence as migrations.hpp's
// SQLite one, version for version, in PostgreSQL's dialect. Table pickverify_schema holds the
// version a database (its schema, in PostgreSQL's sense: the first one on search_path) is at.
#pragma once

#include <pickverify/error.hpp>

#include "pg_db.hpp"

namespace pickverify::store {

// Brings the database up to k_schema_version in one transaction, under the writers' lock, so
// several processes may open a new database at once. Refuses a database newer than this build and
// a schema that holds somebody else's tables.
Result<void> migrate_postgres(PgDb& db);

// The version the database is at; 0 when it has no pickverify tables yet.
Result<int> postgres_schema_version(PgDb& db);

} // namespace pickverify::store
