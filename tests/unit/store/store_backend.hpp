// One store test suite, two backends: each test opens its store through a StoreBackend, which is
// SQLite in the test's own folder, or, when PICKVERIFY_TEST_POSTGRES holds a libpq conninfo, a
// fresh schema of that PostgreSQL database (ctest registers the [backend] tests a second time with
// a throw-away cluster: tests/support/pg_cluster.sh).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <pickverify/store.hpp>

#include "temp_dir.hpp"

namespace pickverify::test {

class StoreBackend {
public:
  StoreBackend();
  ~StoreBackend();
  StoreBackend(const StoreBackend&) = delete;
  StoreBackend& operator=(const StoreBackend&) = delete;

  // A new connection to this test's database each time, as another process would have.
  Result<std::unique_ptr<Store>> open() const;
  bool postgres() const { return !m_conninfo.empty(); }
  // The SQLite file, or the conninfo with this test's schema.
  std::string location() const;
  // Runs SQL behind the store's back (QA's or an attacker's access); "" or the database's error.
  std::string try_sql(const std::string& sql) const;
  const TempDir& dir() const { return m_dir; }

private:
  TempDir m_dir;
  std::string m_conninfo; // empty: SQLite
  std::string m_schema;
};

// PICKVERIFY_TEST_POSTGRES, or "" when the suite runs on SQLite.
std::string postgres_test_conninfo();

} // namespace pickverify::test
