// run_cli in-process: argv arrays, a string as standard input, string streams as output. Each test
// has its own data folder; the journal is tampered with through the SQLite C API, as anyone holding
// the database file could.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "cli.hpp"
#include "cli_runner.hpp"
#include "csv.hpp"
#include "scoped_env.hpp"
#include "temp_dir.hpp"

using namespace pickverify;
using namespace pickverify::test;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

using test::ScopedEnv;

const std::string k_socks_session = "ORD-2025-00146\n"
                                    "9506000001975\n"
                                    "9506000001418\n"
                                    "pack\n"
                                    "clear 1 item_set_aside\n"
                                    "supervisor sup-lee clear 1 item_set_aside shoe back on the shelf\n"
                                    "4711\n" // sup-lee's PIN
                                    "9506000001975\n"
                                    "pack\n"
                                    "packed\n"
                                    "quit\n";

} // namespace

TEST_CASE("run_cli --help lists every command and the global options", "[cli]")
{
  const CliRun run = cli_ok({"--help"});
  for (const char* part :
       {"run", "demo", "import", "audit", "orders", "--data-dir", "--config", "--station", "--operator"}) {
    CHECK_THAT(run.out, Contains(part));
  }
  CHECK(cli_ok({"--version"}).out.find(PICKVERIFY_VERSION) != std::string::npos);
}

TEST_CASE("run_cli <command> --help describes every command", "[cli]")
{
  const std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> commands{
      {{"run", "--help"}, {"a pack station in this terminal"}},
      {{"demo", "--help"}, {"ORD-2025-00145"}},
      {{"import", "--help"}, {"catalog", "orders", "all of it or nothing"}},
      {{"import", "catalog", "--help"}, {"FILE", "--format"}},
      {{"import", "orders", "--help"}, {"FILE", "--format"}},
      {{"audit", "--help"}, {"verify", "export"}},
      {{"audit", "verify", "--help"}, {"hash chain"}},
      {{"audit", "export", "--help"}, {"--format", "--from", "--to", "--order", "--station", "--output"}},
      {{"orders", "--help"}, {"list"}},
      {{"orders", "list", "--help"}, {"every stored order"}},
  };
  for (const auto& [args, parts] : commands) {
    INFO(args[0] << " " << args[1]);
    const CliRun run = cli_ok(args);
    for (const auto& part : parts) {
      CHECK_THAT(run.out, Contains(part));
    }
  }
}

TEST_CASE("run_cli refuses a missing or unknown command and bad options", "[cli]")
{
  test::TempDir dir;
  // README's exit status table: every usage error is 2.
  CHECK(cli({}).code == 2);
  CHECK(cli({"--data-dir", dir.path().string(), "ship"}).code == 2);
  CHECK(cli({"--data-dir", dir.path().string(), "audit"}).code == 2);
  CHECK(cli({"--data-dir", dir.path().string(), "audit", "export", "--format", "xml"}).code == 2);
  const CliRun missing_config =
      cli({"--config", (dir / "none.toml").string(), "--data-dir", dir.path().string(), "run"});
  CHECK(missing_config.code == 2);
  CHECK_THAT(missing_config.err, Contains("none.toml"));
  CHECK(cli({"--help"}).code == 0);
  const CliRun time = cli({"--data-dir", dir.path().string(), "audit", "export", "--from", "yesterday"});
  CHECK(time.code == 2);
  CHECK_THAT(time.err, Contains("--from: 'yesterday' is not a time"));
}

TEST_CASE("run_cli --config applies the file and names a bad key with its line", "[cli][config]")
{
  test::TempDir dir;
  const std::filesystem::path example =
      std::filesystem::path(PICKVERIFY_SOURCE_DIR) / "docs" / "pickverify.example.toml";
  // --data-dir on the command line wins over data_dir in the file.
  const CliRun run = cli_ok({"--config", example.string(), "--data-dir", dir.path().string(), "run"}, "quit\n");
  CHECK_THAT(run.out, Contains("station bench-7, operator picker-ana"));
  CHECK_THAT(run.out, Contains("configuration: " + example.string()));
  CHECK(std::filesystem::exists(dir / "pickverify.db"));

  const CliRun overridden = cli_ok(
      {"--config", example.string(), "--data-dir", dir.path().string(), "--station", "bench-9", "run"}, "quit\n");
  CHECK_THAT(overridden.out, Contains("station bench-9, operator picker-ana"));

  write_file(dir / "bad.toml", "[station]\nid = \"bench-1\"\n\n[policy]\nbounce_ms = 300\n");
  const CliRun bad = cli({"--config", (dir / "bad.toml").string(), "--data-dir", dir.path().string(), "run"}, "quit\n");
  CHECK(bad.code == 2);
  CHECK(bad.err == "pickverify: " + (dir / "bad.toml").string() + ":5: unknown key policy.bounce_ms\n");
}

TEST_CASE("run_cli demo replays the incident and exits 0", "[cli][demo]")
{
  test::TempDir dir;
  const CliRun run = cli_ok({"--data-dir", dir.path().string(), "demo"});
  CHECK(run.err.empty());
  CHECK_THAT(run.out, Contains("size: scanned 10, order needs 9"));
  CHECK_THAT(run.out, Contains("WRONG SIZE"));
  CHECK_THAT(run.out, Contains("PACK REFUSED"));
  CHECK_THAT(run.out, Contains("missing: line 3 Laces, black, 120 cm"));
  CHECK_THAT(run.out, Contains("DUPLICATE"));
  CHECK_THAT(run.out, Contains("refused: a picker may not clear this alert"));
  CHECK_THAT(run.out, Contains("ALERT CLEARED"));
  CHECK_THAT(run.out, Contains("[awaiting_image_check"));
  CHECK_THAT(run.out, Contains("PACK RELEASED"));
  CHECK_THAT(run.out, Contains("demo finished: every wrong or missing item was stopped"));
  // Without a camera the high-value order must not be released: exactly one release, the socks.
  CHECK(count_of(run.out, "PACK RELEASED") == 1);
  CHECK_THAT(run.out, Contains("chain intact"));

  // The demo's journal is in <data-dir>/demo and verifies on its own.
  const CliRun verify = cli_ok({"--data-dir", (dir / "demo").string(), "audit", "verify"});
  CHECK_THAT(verify.out, StartsWith("journal intact: "));

  // A second demo starts from a fresh database rather than appending to the first.
  const long long events = sql_int(dir / "demo" / "pickverify.db", "SELECT COUNT(*) FROM journal");
  cli_ok({"--data-dir", dir.path().string(), "demo"});
  CHECK(sql_int(dir / "demo" / "pickverify.db", "SELECT COUNT(*) FROM journal") == events);
}

TEST_CASE("run_cli run takes scans and commands from standard input", "[cli][run]")
{
  test::TempDir dir;
  add_user(dir.path(), "sup-lee", "supervisor", "4711");
  const CliRun run = cli({"--data-dir", dir.path().string(), "--operator", "picker-ana", "run"}, k_socks_session);
  INFO("stdout:\n" << run.out << "\nstderr:\n" << run.err);
  CHECK(run.code == 0);
  CHECK_THAT(run.out, Contains("Loaded the demo catalog (13 items and kits) and 4 demo orders"));
  CHECK_THAT(run.out, Contains("ORDER ORD-2025-00146"));
  CHECK_THAT(run.out, Contains("OK ACCEPTED"));
  CHECK_THAT(run.out, Contains("line 1 Running socks, M: now 1/2"));
  CHECK_THAT(run.out, Contains("XX WRONG ITEM"));
  CHECK_THAT(run.out, Contains("Trail runner, size 9, width D (TR-RUN-09-D) is not on order ORD-2025-00146"));
  CHECK_THAT(run.out, Contains("missing: line 1 Running socks, M — 1 of 2 scanned, 1 missing"));
  CHECK_THAT(run.out, Contains("a picker may not clear this alert"));
  CHECK_THAT(run.out, Contains("cleared by supervisor sup-lee: item_set_aside — shoe back on the shelf"));
  CHECK_THAT(run.out, Contains("line 1 Running socks, M: now 2/2"));
  CHECK_THAT(run.out, Contains("PACK RELEASED"));
  CHECK_THAT(run.out, Contains("PACKED"));
  CHECK(run.out.find("still open") == std::string::npos);

  // The journal holds it all, in order.
  const auto db = dir / "pickverify.db";
  CHECK(sql_int(db, "SELECT COUNT(*) FROM journal WHERE type = 'scan' AND verdict = 'accepted'") == 2);
  CHECK(sql_int(db, "SELECT COUNT(*) FROM journal WHERE type = 'scan' AND verdict = 'wrong_item'") == 1);
  CHECK(sql_int(db, "SELECT COUNT(*) FROM journal WHERE type = 'pack_refused'") == 1);
  CHECK(sql_int(db, "SELECT COUNT(*) FROM journal WHERE type = 'pack_released'") == 1);
  CHECK(sql_int(db, "SELECT COUNT(*) FROM journal WHERE operator_id = 'sup-lee' AND type = 'alert_cleared'") == 1);
  CHECK(sql_int(db, "SELECT COUNT(*) FROM journal WHERE operator_id = 'picker-ana' AND type = 'scan'") == 3);

  SECTION("a second run does not load the demo data again")
  {
    const CliRun again = cli_ok({"--data-dir", dir.path().string(), "run"}, "quit\n");
    CHECK(again.out.find("Loaded the demo catalog") == std::string::npos);
  }
  SECTION("a high-value order without a camera stays open and says so")
  {
    const CliRun high =
        cli_ok({"--data-dir", dir.path().string(), "run"},
               "ORD-2025-00145\n9506000001487\nstatus\nsupervisor sup-lee clear 1 item_set_aside\n4711\n"
               "9506000001418\n9506000001692\n9506000001760\n9506000001838\n"
               "]d2010950600000190610LOT42\nphoto\npack\nquit\n");
    INFO(high.out);
    CHECK_THAT(high.out, Contains("size: scanned 10, order needs 9"));
    CHECK_THAT(high.out, Contains("alert 1: wrong variant for line 1"));
    CHECK_THAT(high.out, Contains("[ ] line 1 Trail runner, size 9, width D: 0/1"));
    CHECK_THAT(high.out, Contains("[ ] line 4 Shoe brush (kit KIT-CARE): 0/1"));
    CHECK_THAT(high.out, Contains("IMAGE CHECK CAMERA OFFLINE"));
    CHECK(high.out.find("PACK RELEASED") == std::string::npos);
    CHECK_THAT(high.out, Contains("Order ORD-2025-00145 is still open (awaiting_image_check)"));
  }
  SECTION("typing a code is a manual entry the policy refuses on a high-value order")
  {
    const CliRun typed =
        cli_ok({"--data-dir", dir.path().string(), "run"}, "ORD-2025-00145\ntype 9506000001692\nquit\n");
    CHECK_THAT(typed.out, Contains("typed entry is not allowed for this order"));
    CHECK(sql_int(db, "SELECT COUNT(*) FROM journal WHERE source = 'manual'") == 1);
  }
  SECTION("bad command arguments are explained, not crashed on")
  {
    const CliRun bad = cli_ok(
        {"--data-dir", dir.path().string(), "run"},
        "pack\nclear\nclear x reason\nsupervisor sup-lee approve 1 r\nORD-2025-00146\nclear 99999999999 r\nquit\n");
    CHECK_THAT(bad.out, Contains("no open order at this station"));
    CHECK_THAT(bad.out, Contains("usage: clear ALERT REASON [NOTE]"));
    CHECK_THAT(bad.out, Contains("'x' is not an alert number"));
    CHECK_THAT(bad.out, Contains("usage: supervisor ID clear|override ALERT REASON [NOTE]"));
    CHECK_THAT(bad.out, Contains("'99999999999' is not an alert number"));
  }
}

namespace {

void write_small_catalog(const test::TempDir& dir)
{
  write_file(dir / "catalog.csv", "sku,style,description,gtins,attributes,unit_value\n"
                                  "TR-RUN-09-D,TR-RUN,\"Trail runner, size 9\",9506000001418,size=9;width=D,189.00\n"
                                  "TR-RUN-10-D,TR-RUN,\"Trail runner, size 10\",9506000001487,size=10;width=D,189.00\n"
                                  "SOCK-RUN-M,SOCK-RUN,\"Running socks, M\",9506000001975,size=M,12.00\n");
}

} // namespace

TEST_CASE("run_cli run accepts CRLF input and, on a terminal, prompts and colours", "[cli][run]")
{
  test::TempDir dir;
  const CliRun crlf = cli_ok({"--data-dir", dir.path().string(), "run"}, "ORD-2025-00146\r\n9506000001975\r\nquit\r\n");
  CHECK_THAT(crlf.out, Contains("ORDER ORD-2025-00146"));
  CHECK_THAT(crlf.out, Contains("line 1 Running socks, M: now 1/2"));
  CHECK(sql_int(dir / "pickverify.db", "SELECT COUNT(*) FROM journal WHERE raw = CAST('9506000001975' AS BLOB)") == 1);
  CHECK(crlf.out.find("scan>") == std::string::npos); // not a terminal: no prompt, no colour codes
  CHECK(crlf.out.find('\033') == std::string::npos);

  std::vector<std::string> storage{"pickverify", "--data-dir", dir.path().string(), "run"};
  std::vector<char*> argv;
  for (auto& arg : storage)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::istringstream in("ORD-2025-00146\n9506000001418\nquit\n");
  std::ostringstream out;
  std::ostringstream err;
  CHECK(app::run_cli(static_cast<int>(storage.size()), argv.data(), in, out, err, true) == 0);
  CHECK_THAT(out.str(), Contains("[idle] scan> "));
  CHECK_THAT(out.str(), Contains("[active] scan> "));
  CHECK_THAT(out.str(), Contains("\033[1;31mXX WRONG ITEM\033[0m\a")); // red, and the bell on a refusal
  CHECK_THAT(out.str(), Contains("Commands:"));
}

TEST_CASE("run_cli import catalog and orders: all of the file or nothing", "[cli][import]")
{
  test::TempDir dir;
  const auto db = dir / "pickverify.db";
  write_small_catalog(dir);
  const CliRun good = cli_ok({"--data-dir", dir.path().string(), "import", "catalog", (dir / "catalog.csv").string()});
  CHECK(good.out == "catalog.csv: imported 3 catalog entries; the catalog now holds 3 items and 0 kits\n");
  CHECK(sql_int(db, "SELECT COUNT(*) FROM items") == 3);

  SECTION("a bad catalog exits non-zero with line numbers and changes nothing")
  {
    write_file(dir / "more.csv", "sku,style,description,gtins,attributes,unit_value\n"
                                 "TR-RUN-11-D,TR-RUN,\"Trail runner, size 11\",9506000001555,size=11;width=D,189.00\n"
                                 "TR-RUN-09-D,TR-RUN,renamed,9506000001418,size=9;width=D,1.00\n"
                                 "BAD-GTIN,TR-RUN,x,9506000001556,size=12,189.00\n"
                                 "BAD-VALUE,TR-RUN,x,9506000001623,size=9;width=E,189.5.0\n");
    const CliRun bad = cli({"--data-dir", dir.path().string(), "import", "catalog", (dir / "more.csv").string()});
    INFO(bad.err);
    CHECK(bad.code == 2);
    CHECK(bad.out.empty());
    CHECK_THAT(bad.err, StartsWith("pickverify: more.csv: 2 problem(s), nothing imported"));
    CHECK_THAT(bad.err, Contains("more.csv:4: sku BAD-GTIN: item BAD-GTIN: GTIN 9506000001556"));
    CHECK_THAT(bad.err, Contains("more.csv:5: unit_value: amount '189.5.0'"));
    CHECK(sql_int(db, "SELECT COUNT(*) FROM items") == 3);
    CHECK(sql_int(db, "SELECT COUNT(*) FROM items WHERE sku = 'TR-RUN-11-D'") == 0);
    CHECK(sql_int(db, "SELECT value_minor FROM items WHERE sku = 'TR-RUN-09-D'") == 18900);
  }
  SECTION("a good second file replaces items of the same SKU and keeps the others")
  {
    write_file(dir / "update.json", R"({"items": [
  {"sku": "TR-RUN-09-D", "style": "TR-RUN", "gtins": ["9506000001418"], "attributes": {"size": "9", "width": "D"}, "unit_value": "179.00"}
]})");
    const CliRun update =
        cli_ok({"--data-dir", dir.path().string(), "import", "catalog", (dir / "update.json").string()});
    CHECK(update.out == "update.json: imported 1 catalog entries; the catalog now holds 3 items and 0 kits\n");
    CHECK(sql_int(db, "SELECT value_minor FROM items WHERE sku = 'TR-RUN-09-D'") == 17900);
    CHECK(sql_int(db, "SELECT value_minor FROM items WHERE sku = 'SOCK-RUN-M'") == 1200);
  }
  SECTION("orders: good, then bad")
  {
    write_file(dir / "orders.csv", "order_id,value,line,sku,style,attributes,quantity\n"
                                   "ORD-9,201.00,1,,TR-RUN,size=9,1\n"
                                   "ORD-9,201.00,2,SOCK-RUN-M,,,1\n"
                                   "ORD-10,12.00,1,SOCK-RUN-M,,,1\n");
    const CliRun orders =
        cli_ok({"--data-dir", dir.path().string(), "import", "orders", (dir / "orders.csv").string()});
    CHECK(orders.out == "orders.csv: imported 2 orders with 3 lines\n");
    const CliRun list = cli_ok({"--data-dir", dir.path().string(), "orders", "list"});
    CHECK_THAT(list.out, Contains("ORD-9"));
    CHECK_THAT(list.out, Contains("$201.00  2 line(s), 2 unit(s)"));
    CHECK_THAT(list.out, Contains("ORD-10"));

    write_file(dir / "bad.txt", "order_id,value,sku,quantity\nORD-11,5.00,SOCK-RUN-M,1\nORD-12,5.00,NOPE,1\n");
    const CliRun unknown_format =
        cli({"--data-dir", dir.path().string(), "import", "orders", (dir / "bad.txt").string()});
    CHECK(unknown_format.code == 2);
    CHECK_THAT(unknown_format.err, Contains("use .csv or .json, or --format"));
    const CliRun bad =
        cli({"--data-dir", dir.path().string(), "import", "orders", "--format", "csv", (dir / "bad.txt").string()});
    CHECK(bad.code == 2);
    CHECK_THAT(bad.err, Contains("bad.txt:3: sku: order ORD-12 line 1: SKU NOPE is not in the catalog"));
    CHECK(sql_int(db, "SELECT COUNT(*) FROM orders") == 2);
    CHECK(sql_int(db, "SELECT COUNT(*) FROM orders WHERE id = 'ORD-11'") == 0);
  }
  SECTION("a missing file")
  {
    const CliRun missing = cli({"--data-dir", dir.path().string(), "import", "catalog", (dir / "nope.csv").string()});
    CHECK(missing.code != 0);
    CHECK_THAT(missing.err, Contains("nope.csv: no such file"));
  }
}

TEST_CASE("run_cli import refuses in the importer what the store would refuse, and accepts what it would take",
          "[cli][import]")
{
  test::TempDir dir;
  const auto db = dir / "pickverify.db";
  write_small_catalog(dir);
  cli_ok({"--data-dir", dir.path().string(), "import", "catalog", (dir / "catalog.csv").string()});
  SECTION("a kit file may name items already in the stored catalog")
  {
    write_file(dir / "kits.json",
               R"({"kits": [{"sku": "KIT-SOCKS", "components": [{"sku": "SOCK-RUN-M", "quantity": 3}]}]})");
    const CliRun kits = cli({"--data-dir", dir.path().string(), "import", "catalog", (dir / "kits.json").string()});
    INFO(kits.err);
    CHECK(kits.code == 0);
    CHECK(sql_int(db, "SELECT COUNT(*) FROM kits WHERE sku = 'KIT-SOCKS'") == 1);
  }
  SECTION("an order with the same line number twice is refused by the import, with its line")
  {
    write_file(dir / "dup.json", R"({"orders": [
  {"id": "ORD-20", "value": "24.00", "lines": [
    {"line": 1, "sku": "SOCK-RUN-M"},
    {"line": 1, "sku": "TR-RUN-09-D"}
  ]}
]})");
    const CliRun dup = cli({"--data-dir", dir.path().string(), "import", "orders", (dir / "dup.json").string()});
    INFO(dup.out << dup.err);
    CHECK(dup.code == 2); // the file's fault (exit 2), not a database failure (exit 1)
    CHECK_THAT(dup.err, Contains("dup.json:2:"));
    CHECK(sql_int(db, "SELECT COUNT(*) FROM orders WHERE id = 'ORD-20'") == 0);
  }
}

TEST_CASE("run_cli audit verify reports the count and head, and the first bad seq after tampering", "[cli][audit]")
{
  test::TempDir dir;
  add_user(dir.path(), "sup-lee", "supervisor", "4711");
  cli_ok({"--data-dir", dir.path().string(), "run"}, k_socks_session);
  const auto db = dir / "pickverify.db";
  const long long events = sql_int(db, "SELECT COUNT(*) FROM journal");
  REQUIRE(events >= 8);
  const CliRun intact = cli_ok({"--data-dir", dir.path().string(), "audit", "verify"});
  const std::string head = [&] {
    sqlite3* handle = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(handle, "SELECT hash FROM journal ORDER BY seq DESC LIMIT 1", -1, &statement, nullptr) ==
            SQLITE_OK);
    REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
    std::string hash(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
    sqlite3_finalize(statement);
    sqlite3_close(handle);
    return hash;
  }();
  REQUIRE(head.size() == 64);
  CHECK_THAT(intact.out, StartsWith("journal intact: " + std::to_string(events) + " events, head " + head + "\n"));
  CHECK_THAT(intact.out, Contains("checkpoints: 1 signed by key")); // the one at the pack release

  // Whoever edits the file directly can drop the append-only triggers first.
  const std::string unguard = "DROP TRIGGER IF EXISTS journal_no_update; DROP TRIGGER IF EXISTS journal_no_delete; ";
  SECTION("a changed reason")
  {
    sql(db, unguard + "UPDATE journal SET reason = 'all fine' WHERE seq = 4");
    const CliRun broken = cli({"--data-dir", dir.path().string(), "audit", "verify"});
    CHECK(broken.code == 3);
    CHECK_THAT(broken.out, !Contains("journal intact"));
    CHECK_THAT(broken.err, StartsWith("journal BROKEN at seq 4: "));
    CHECK_THAT(broken.err, Contains("PROBLEM: guard trigger journal_no_update is missing"));
  }
  SECTION("a deleted row")
  {
    sql(db, unguard + "DELETE FROM journal WHERE seq = 3");
    const CliRun broken = cli({"--data-dir", dir.path().string(), "audit", "verify"});
    CHECK(broken.code == 3);
    CHECK_THAT(broken.err, StartsWith("journal BROKEN at seq 3: "));
  }
  SECTION("two rows swapped")
  {
    sql(db, unguard + "UPDATE journal SET seq = -5 WHERE seq = 5; UPDATE journal SET seq = 5 WHERE seq = 6; "
                      "UPDATE journal SET seq = 6 WHERE seq = -5;");
    const CliRun broken = cli({"--data-dir", dir.path().string(), "audit", "verify"});
    CHECK(broken.code == 3);
    CHECK_THAT(broken.err, StartsWith("journal BROKEN at seq 5: "));
  }
  SECTION("the last row deleted")
  {
    sql(db, unguard + "DELETE FROM journal WHERE seq = " + std::to_string(events));
    const CliRun broken = cli({"--data-dir", dir.path().string(), "audit", "verify"});
    CHECK(broken.code == 3);
    CHECK_THAT(broken.err, StartsWith("journal BROKEN at seq " + std::to_string(events) + ": "));
  }
}

TEST_CASE("run_cli audit verify of an empty journal", "[cli][audit]")
{
  test::TempDir dir;
  // A mistyped --data-dir is not an "intact, empty journal": there is no database to audit.
  const CliRun missing = cli({"--data-dir", (dir / "typo").string(), "audit", "verify"});
  CHECK(missing.code == 1);
  CHECK_THAT(missing.err, Contains("no such database file"));
  CHECK_FALSE(std::filesystem::exists(dir / "typo"));
  cli_ok({"--data-dir", dir.path().string(), "orders", "list"}); // creates the empty database
  const CliRun empty = cli_ok({"--data-dir", dir.path().string(), "audit", "verify"});
  CHECK_THAT(empty.out, StartsWith("journal intact: 0 events, head "
                                   "0000000000000000000000000000000000000000000000000000000000000000\n"));
}

TEST_CASE("run_cli audit export writes one order's rows as CSV or JSON Lines", "[cli][audit]")
{
  test::TempDir dir;
  add_user(dir.path(), "sup-lee", "supervisor", "4711");
  cli_ok({"--data-dir", dir.path().string(), "run"},
         "ORD-2025-00145\n9506000001487\nabandon wrong cart\n" + k_socks_session);
  const auto db = dir / "pickverify.db";
  const long long socks_rows = sql_int(db, "SELECT COUNT(*) FROM journal WHERE order_id = 'ORD-2025-00146'");
  REQUIRE(socks_rows >= 8);

  SECTION("jsonl")
  {
    const CliRun run = cli_ok(
        {"--data-dir", dir.path().string(), "audit", "export", "--format", "jsonl", "--order", "ORD-2025-00146"});
    std::istringstream lines(run.out);
    std::string line;
    long long rows = 0;
    long long previous_seq = 0;
    std::vector<std::string> types;
    while (std::getline(lines, line)) {
      const auto row = nlohmann::json::parse(line);
      ++rows;
      CHECK(row["order_id"].get<std::string>() == "ORD-2025-00146");
      CHECK(row["seq"].get<long long>() > previous_seq);
      previous_seq = row["seq"].get<long long>();
      CHECK(row["hash"].get<std::string>().size() == 64);
      types.push_back(row["type"].get<std::string>());
      if (types.back() == "scan" && row["verdict"].get<std::string>() == "accepted") {
        CHECK(row["raw"].get<std::string>() == "9506000001975");
        CHECK(row["raw_hex"].get<std::string>() == "39353036303030303031393735");
        CHECK(row["gtin"].get<std::string>() == "09506000001975");
      }
    }
    CHECK(rows == socks_rows);
    REQUIRE_FALSE(types.empty());
    CHECK(types.front() == "session_started");
    CHECK(types.back() == "packed");
  }
  SECTION("csv")
  {
    const CliRun run =
        cli_ok({"--data-dir", dir.path().string(), "audit", "export", "--format", "csv", "--order", "ORD-2025-00146"});
    auto records = app::parse_csv(run.out);
    REQUIRE(records.has_value());
    REQUIRE(records->size() == static_cast<std::size_t>(socks_rows) + 1);
    const auto& header = (*records)[0].fields;
    REQUIRE(header.size() == 23);
    CHECK(header[21] == "chain");
    CHECK(header[22] == "chain_seq");
    CHECK(header[0] == "seq");
    CHECK(header[6] == "order_id");
    CHECK(header[14] == "serial");
    CHECK(header[15] == "verdict");
    CHECK(header[16] == "reason");
    bool saw_clear = false;
    for (std::size_t r = 1; r < records->size(); ++r) {
      const auto& fields = (*records)[r].fields;
      REQUIRE(fields.size() == 23);
      CHECK(fields[6] == "ORD-2025-00146");
      saw_clear = saw_clear || fields[16] == "cleared by supervisor sup-lee: item_set_aside — shoe back on the shelf";
    }
    CHECK(saw_clear);
  }
  SECTION("to a file, with a station filter")
  {
    const auto file = dir / "export.jsonl";
    const CliRun run =
        cli_ok({"--data-dir", dir.path().string(), "audit", "export", "--station", "station-1", "-o", file.string()});
    CHECK(run.out.empty());
    CHECK_THAT(run.err,
               Contains("exported " + std::to_string(sql_int(db, "SELECT COUNT(*) FROM journal")) + " events"));
    CHECK(std::filesystem::exists(file));
    CHECK_FALSE(std::filesystem::exists(file.string() + ".partial"));
    const CliRun none = cli_ok({"--data-dir", dir.path().string(), "audit", "export", "--station", "bench-99"});
    CHECK(none.out.empty());
  }
}

TEST_CASE("run_cli takes the data folder from --data-dir before the command, else PICKVERIFY_DATA_DIR", "[cli]")
{
  test::TempDir dir;
  const auto from_env = dir / "from-env";
  const auto from_option = dir / "from-option";
  ScopedEnv data("PICKVERIFY_DATA_DIR", from_env.c_str());

  const CliRun env_run = cli_ok({"run"}, "quit\n");
  CHECK_THAT(env_run.out, Contains("data " + from_env.string()));
  CHECK(std::filesystem::exists(from_env / "pickverify.db"));

  const CliRun option_run = cli_ok({"--data-dir", from_option.string(), "run"}, "ORD-2025-00146\nquit\n");
  CHECK_THAT(option_run.out, Contains("data " + from_option.string()));
  CHECK(std::filesystem::exists(from_option / "pickverify.db"));
  CHECK(sql_int(from_option / "pickverify.db", "SELECT COUNT(*) FROM journal") == 1);
  CHECK(sql_int(from_env / "pickverify.db", "SELECT COUNT(*) FROM journal") == 0);

  cli_ok({"--data-dir", from_option.string(), "demo"});
  CHECK(std::filesystem::exists(from_option / "demo" / "pickverify.db"));

  // data_dir in a configuration file comes before the environment, after --data-dir.
  const auto from_config = dir / "from-config";
  write_file(dir / "station.toml", "data_dir = \"" + from_config.string() + "\"\n");
  const CliRun config_run = cli_ok({"--config", (dir / "station.toml").string(), "run"}, "quit\n");
  CHECK_THAT(config_run.out, Contains("data " + from_config.string()));
  CHECK(std::filesystem::exists(from_config / "pickverify.db"));
}

TEST_CASE("run_cli run journals hostile input lines byte for byte and the chain verifies", "[cli][run][bad_input]")
{
  test::TempDir dir;
  const std::vector<std::string> hostile{
      "'; DROP TABLE journal; --",
      std::string(4096, '9'),
      std::string("\xff\xfe\xc3\x28 invalid UTF-8"),
      std::string("nul\0inside", 10),
      std::string("\x01\x02\x1b[31mred\x1b[0m\x7f"),
      "=HYPERLINK(\"http://example.com\")",
      "9506000001419",
  };
  std::string input = "ORD-2025-00146\n";
  for (const auto& line : hostile)
    input += line + "\n";
  input += "quit\n";
  const CliRun run = cli({"--data-dir", dir.path().string(), "run"}, input);
  INFO(run.out << run.err);
  CHECK(run.code == 0);
  CHECK(count_of(run.out, "MALFORMED") + count_of(run.out, "UNKNOWN CODE") == hostile.size());

  const CliRun verify = cli_ok({"--data-dir", dir.path().string(), "audit", "verify"});
  CHECK_THAT(verify.out, StartsWith("journal intact: "));

  const CliRun exported = cli_ok({"--data-dir", dir.path().string(), "audit", "export", "--format", "jsonl"});
  std::vector<std::string> raws;
  std::istringstream lines(exported.out);
  std::string line;
  while (std::getline(lines, line)) {
    const auto row = nlohmann::json::parse(line);
    if (row["type"].get<std::string>() != "scan")
      continue;
    const std::string hex = row["raw_hex"].get<std::string>();
    std::string raw;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
      raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    raws.push_back(raw);
    const std::string printable = row["raw"].get<std::string>();
    CHECK(std::all_of(printable.begin(), printable.end(), [](char c) { return c >= 0x20 && c < 0x7f; }));
    CHECK(printable.front() != '='); // a spreadsheet must not take a scan for a formula
  }
  CHECK(raws == hostile);

  const CliRun csv = cli_ok({"--data-dir", dir.path().string(), "audit", "export", "--format", "csv"});
  auto records = app::parse_csv(csv.out);
  REQUIRE(records.has_value());
  CHECK(records->size() ==
        1 + static_cast<std::size_t>(sql_int(dir / "pickverify.db", "SELECT COUNT(*) FROM journal")));
}

TEST_CASE("run_cli audit export --from and --to filter by UTC time", "[cli][audit]")
{
  test::TempDir dir;
  add_user(dir.path(), "sup-lee", "supervisor", "4711");
  cli_ok({"--data-dir", dir.path().string(), "run"}, k_socks_session);
  const auto all = sql_int(dir / "pickverify.db", "SELECT COUNT(*) FROM journal");
  auto rows = [&](const std::vector<std::string>& filter) {
    std::vector<std::string> args{"--data-dir", dir.path().string(), "audit", "export", "--format", "jsonl"};
    args.insert(args.end(), filter.begin(), filter.end());
    return static_cast<long long>(count_of(cli_ok(args).out, "\n"));
  };
  CHECK(rows({}) == all);
  CHECK(rows({"--from", "2000-01-01"}) == all);
  CHECK(rows({"--from", "2000-01-01T00:00:00Z", "--to", "2999-12-31T23:59:59.999Z"}) == all);
  CHECK(rows({"--to", "2000-01-01"}) == 0);
  CHECK(rows({"--from", "2999-01-01"}) == 0);
  CHECK(rows({"--from", "946684800000"}) == all); // epoch milliseconds
  for (const char* bad : {"2025-13-01", "2025-11-26T10:00", "2025-11-26T25:00:00Z", "26.11.2025", "1e12"}) {
    INFO(bad);
    const CliRun refused = cli({"--data-dir", dir.path().string(), "audit", "export", "--from", bad});
    CHECK(refused.code == 2);
    CHECK_THAT(refused.err, StartsWith("pickverify: --from: "));
  }
}

TEST_CASE("run_cli audit export refuses an epoch time too large for a number, without throwing", "[cli][audit]")
{
  test::TempDir dir;
  std::optional<CliRun> refused;
  CHECK_NOTHROW(refused =
                    cli({"--data-dir", dir.path().string(), "audit", "export", "--from", "99999999999999999999"}));
  REQUIRE(refused.has_value());
  CHECK(refused->code == 2);
  CHECK_THAT(refused->err, StartsWith("pickverify: --from: "));
}

TEST_CASE("run_cli import catalog names the file line of a GTIN clash with the stored catalog", "[cli][import]")
{
  test::TempDir dir;
  write_small_catalog(dir);
  cli_ok({"--data-dir", dir.path().string(), "import", "catalog", (dir / "catalog.csv").string()});
  write_file(dir / "clash.csv", "sku,gtins\nNEW-A,9506000001340\nNEW-SOCK,9506000001975\n");
  const CliRun clash = cli({"--data-dir", dir.path().string(), "import", "catalog", (dir / "clash.csv").string()});
  INFO(clash.err);
  CHECK(clash.code == 2);
  CHECK_THAT(clash.err, Contains("clash.csv:3:"));
  CHECK(sql_int(dir / "pickverify.db", "SELECT COUNT(*) FROM items") == 3);
}

TEST_CASE("run_cli import catalog: turning an item's SKU into a kit leaves a catalog that loads", "[cli][import]")
{
  // The stored item and the new kit must not both survive under one SKU: the catalog would no longer
  // load and no station could start.
  test::TempDir dir;
  write_small_catalog(dir);
  cli_ok({"--data-dir", dir.path().string(), "import", "catalog", (dir / "catalog.csv").string()});
  write_file(dir / "kit.csv", "type,sku,gtins,components\n"
                              "item,SOCK-RUN-L,9506000001982,\n"
                              "kit,SOCK-RUN-M,,SOCK-RUN-L*2\n");
  const CliRun kit = cli({"--data-dir", dir.path().string(), "import", "catalog", (dir / "kit.csv").string()});
  INFO(kit.out << kit.err);
  const CliRun run = cli({"--data-dir", dir.path().string(), "run"}, "quit\n");
  INFO(run.out << run.err);
  CHECK(run.code == 0);
  CHECK(sql_int(dir / "pickverify.db", "SELECT (SELECT COUNT(*) FROM items WHERE sku = 'SOCK-RUN-M') + (SELECT "
                                       "COUNT(*) FROM kits WHERE sku = 'SOCK-RUN-M')") == 1);
}
