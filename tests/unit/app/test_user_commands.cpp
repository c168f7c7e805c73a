// `pickverify user …` in-process, with the secrets on piped standard input.
#include <catch2/catch.hpp>

#include "cli_runner.hpp"
#include "temp_dir.hpp"

using namespace pickverify;
using namespace pickverify::test;
using Catch::Matchers::Contains;

TEST_CASE("user add asks for the secret twice and stores only its hash", "[cli][users]")
{
  TempDir dir;
  const std::string data = (dir / "data").string();
  const CliRun added = cli_ok({"--data-dir", data, "user", "add", "boss", "--role", "admin", "--name", "Ada"},
                              "correct horse\ncorrect horse\n");
  CHECK_THAT(added.out, Contains("added boss (admin)"));
  CHECK(sql_int(dir / "data" / "pickverify.db", "SELECT count(*) FROM users WHERE secret_hash LIKE '%horse%'") == 0);

  const CliRun differ = cli({"--data-dir", data, "user", "add", "P-1", "--as", "boss"}, "correct horse\n1234\n1243\n");
  CHECK(differ.code == 2);
  CHECK_THAT(differ.err, Contains("differ"));

  const CliRun list = cli_ok({"--data-dir", data, "user", "list"});
  CHECK_THAT(list.out, Contains("boss"));
  CHECK_THAT(list.out, Contains("admin"));
  CHECK_THAT(list.out, !Contains("P-1"));
}

TEST_CASE("once an admin exists, changing users needs that admin's password", "[cli][users]")
{
  TempDir dir;
  const std::string data = (dir / "data").string();
  cli_ok({"--data-dir", data, "user", "add", "boss", "--role", "admin"}, "adminpass\nadminpass\n");

  const CliRun no_admin = cli({"--data-dir", data, "user", "add", "sup-7", "--role", "supervisor"}, "4711\n4711\n");
  CHECK(no_admin.code == 2);
  CHECK_THAT(no_admin.err, Contains("--as"));

  const CliRun wrong =
      cli({"--data-dir", data, "user", "add", "sup-7", "--role", "supervisor", "--as", "boss"}, "guess\n4711\n4711\n");
  CHECK(wrong.code == 1);
  CHECK_THAT(wrong.err, Contains("wrong PIN"));

  cli_ok({"--data-dir", data, "user", "add", "sup-7", "--role", "supervisor", "--as", "boss"},
         "adminpass\n4711\n4711\n");
  // A supervisor may change their own secret, not somebody else's.
  cli_ok({"--data-dir", data, "user", "passwd", "sup-7", "--as", "sup-7"}, "4711\n8642\n8642\n");
  const CliRun other = cli({"--data-dir", data, "user", "disable", "boss", "--as", "sup-7"}, "8642\n");
  CHECK(other.code == 1);
  CHECK_THAT(other.err, Contains("only an admin"));

  cli_ok({"--data-dir", data, "user", "disable", "sup-7", "--as", "boss"}, "adminpass\n");
  CHECK_THAT(cli_ok({"--data-dir", data, "user", "list"}).out, Contains("disabled"));
}

TEST_CASE("user names and ids are shown escaped", "[cli][users]")
{
  TempDir dir;
  const std::string data = (dir / "data").string();
  cli_ok({"--data-dir", data, "user", "add", "P-2", "--name", "Eve\x1b[2J"}, "1234\n1234\n");
  const CliRun list = cli_ok({"--data-dir", data, "user", "list"});
  CHECK_THAT(list.out, Contains("Eve\\x1B[2J"));
  CHECK_THAT(list.out, !Contains("\x1b"));
}
