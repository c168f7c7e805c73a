// run_cli in-process for the app tests: argv from a list, a string as standard input, string
// streams as output; raw SQLite access to look at or tamper with a database behind the store's back.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "cli.hpp"

namespace pickverify::test {

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

inline CliRun cli(const std::vector<std::string>& args, const std::string& input = "")
{
  std::vector<std::string> storage{"pickverify"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : storage)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  CliRun run;
  run.code = app::run_cli(static_cast<int>(storage.size()), argv.data(), in, out, err, false);
  run.out = out.str();
  run.err = err.str();
  return run;
}

// Runs and requires exit 0, with both streams in the failure message.
inline CliRun cli_ok(const std::vector<std::string>& args, const std::string& input = "")
{
  CliRun run = cli(args, input);
  INFO("stdout:\n" << run.out << "\nstderr:\n" << run.err);
  REQUIRE(run.code == 0);
  return run;
}

inline void write_file(const std::filesystem::path& path, const std::string& text)
{
  std::ofstream(path, std::ios::binary) << text;
}

inline void sql(const std::filesystem::path& db, const std::string& statement)
{
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(handle, statement.c_str(), nullptr, nullptr, &message);
  const std::string error = message ? message : "";
  sqlite3_free(message);
  sqlite3_close(handle);
  INFO(statement << " → " << error);
  REQUIRE(rc == SQLITE_OK);
}

inline long long sql_int(const std::filesystem::path& db, const std::string& query)
{
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(handle, query.c_str(), -1, &statement, nullptr) == SQLITE_OK);
  const int rc = sqlite3_step(statement);
  const long long value = rc == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : -1;
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  REQUIRE(rc == SQLITE_ROW);
  return value;
}

// Adds a user through the command line (no admin exists yet, so none has to authorise it).
inline void add_user(const std::filesystem::path& data_dir, const std::string& id, const std::string& role,
                     const std::string& secret)
{
  cli_ok({"--data-dir", data_dir.string(), "user", "add", id, "--role", role}, secret + "\n" + secret + "\n");
}

inline std::size_t count_of(const std::string& text, const std::string& part)
{
  std::size_t count = 0;
  for (auto pos = text.find(part); pos != std::string::npos; pos = text.find(part, pos + part.size()))
    ++count;
  return count;
}

} // namespace pickverify::test
