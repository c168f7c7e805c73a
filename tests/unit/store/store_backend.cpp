#include "store_backend.hpp"

#include <atomic>
#include <cstdlib>
#include <random>

#include <catch2/catch.hpp>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

namespace pickverify::test {

namespace {

// Runs SQL on a fresh connection; "" when it succeeded, else the server's message.
std::string pg_exec(const std::string& conninfo, const std::string& sql)
{
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string error = PQerrorMessage(conn);
    PQfinish(conn);
    FAIL("PostgreSQL test database " << conninfo << ": " << error);
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  PGresult* result = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(result);
  std::string error = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ? "" : PQresultErrorMessage(result);
  PQclear(result);
  PQfinish(conn);
  return error;
}

std::string with_schema(const std::string& conninfo, const std::string& schema)
{
  const bool uri = conninfo.rfind("postgresql://", 0) == 0 || conninfo.rfind("postgres://", 0) == 0;
  if (uri) {
    return conninfo + (conninfo.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
  }
  return conninfo + " options='-csearch_path=" + schema + "'";
}

} // namespace

std::string postgres_test_conninfo()
{
  const char* conninfo = std::getenv("PICKVERIFY_TEST_POSTGRES");
  return conninfo ? conninfo : "";
}

StoreBackend::StoreBackend() : m_conninfo(postgres_test_conninfo())
{
  if (m_conninfo.empty()) {
    return;
  }
  static std::atomic<int> counter{0};
  std::random_device random;
  m_schema =
      "test_" + std::to_string(getpid()) + "_" + std::to_string(++counter) + "_" + std::to_string(random() % 100000);
  const std::string error = pg_exec(m_conninfo, "CREATE SCHEMA " + m_schema);
  REQUIRE(error == "");
}

StoreBackend::~StoreBackend()
{
  if (!m_schema.empty()) {
    (void)pg_exec(m_conninfo, "DROP SCHEMA IF EXISTS " + m_schema + " CASCADE");
  }
}

std::string StoreBackend::location() const
{
  return postgres() ? with_schema(m_conninfo, m_schema) : (m_dir / "pickverify.db").string();
}

Result<std::unique_ptr<Store>> StoreBackend::open() const
{
  return postgres() ? open_postgres_store(location()) : open_sqlite_store(location());
}

std::string StoreBackend::try_sql(const std::string& sql) const
{
  if (postgres()) {
    return pg_exec(location(), sql);
  }
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(location().c_str(), &handle) == SQLITE_OK);
  char* message = nullptr;
  sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &message);
  std::string error = message ? message : "";
  sqlite3_free(message);
  sqlite3_close(handle);
  return error;
}

} // namespace pickverify::test
