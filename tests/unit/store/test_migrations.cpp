// open_sqlite_store: pragmas, migrations from nothing and from an old schema, refusals.
#include <atomic>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include <pickverify/store.hpp>

#include "store_backend.hpp"
#include "store_test_data.hpp"
#include "temp_dir.hpp"

using namespace pickverify;
using pickverify::test::raw_sql;
using pickverify::test::raw_sql_int;

namespace {

// Schema version 1 exactly as it shipped, frozen here: the upgrade test must start from what is
// in the field, not from whatever src/store/migrations.cpp says today.
constexpr const char* k_schema_v1 = R"sql(
CREATE TABLE items (sku TEXT PRIMARY KEY, style TEXT NOT NULL, description TEXT NOT NULL,
  weight_g INTEGER NOT NULL, value_minor INTEGER NOT NULL, currency TEXT NOT NULL,
  image_check_required INTEGER NOT NULL, serial_tracked INTEGER NOT NULL);
CREATE TABLE item_gtins (gtin TEXT PRIMARY KEY, sku TEXT NOT NULL REFERENCES items(sku) ON DELETE CASCADE,
  position INTEGER NOT NULL);
CREATE TABLE item_attributes (sku TEXT NOT NULL REFERENCES items(sku) ON DELETE CASCADE, name TEXT NOT NULL,
  value TEXT NOT NULL, PRIMARY KEY (sku, name));
CREATE TABLE kits (sku TEXT PRIMARY KEY, description TEXT NOT NULL);
CREATE TABLE kit_components (kit_sku TEXT NOT NULL REFERENCES kits(sku) ON DELETE CASCADE,
  position INTEGER NOT NULL, sku TEXT NOT NULL REFERENCES items(sku), quantity INTEGER NOT NULL,
  PRIMARY KEY (kit_sku, position));
CREATE TABLE orders (id TEXT PRIMARY KEY, value_minor INTEGER NOT NULL, currency TEXT NOT NULL,
  image_check_flagged INTEGER NOT NULL, customer TEXT NOT NULL);
CREATE TABLE order_lines (order_id TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  line_no INTEGER NOT NULL, sku TEXT NOT NULL, style TEXT NOT NULL, quantity INTEGER NOT NULL,
  description TEXT NOT NULL, PRIMARY KEY (order_id, line_no));
CREATE TABLE order_line_attributes (order_id TEXT NOT NULL, line_no INTEGER NOT NULL, name TEXT NOT NULL,
  value TEXT NOT NULL, PRIMARY KEY (order_id, line_no, name),
  FOREIGN KEY (order_id, line_no) REFERENCES order_lines(order_id, line_no) ON DELETE CASCADE);
CREATE TABLE journal (seq INTEGER PRIMARY KEY, utc_ms INTEGER NOT NULL, type TEXT NOT NULL,
  station TEXT NOT NULL, operator_id TEXT NOT NULL, order_id TEXT NOT NULL, session_id TEXT NOT NULL,
  raw BLOB NOT NULL, aim TEXT NOT NULL, source TEXT NOT NULL, gtin TEXT NOT NULL, ais TEXT NOT NULL,
  verdict TEXT NOT NULL, reason TEXT NOT NULL, evidence_hash TEXT NOT NULL, detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
PRAGMA user_version = 1;
)sql";

// A v1 database with one item, one order and a two-row journal, built with raw SQL.
void build_v1_database(const std::filesystem::path& path)
{
  raw_sql(path, k_schema_v1);
  raw_sql(path, "INSERT INTO items VALUES ('SOCK-RUN-M', 'SOCK-RUN', 'Running socks, M', 60, 1200, 'USD', 0, 0);"
                "INSERT INTO item_gtins VALUES ('09506000001975', 'SOCK-RUN-M', 0);"
                "INSERT INTO item_attributes VALUES ('SOCK-RUN-M', 'size', 'M');"
                "INSERT INTO orders VALUES ('ORD-2025-00146', 2400, 'USD', 0, '');"
                "INSERT INTO order_lines VALUES ('ORD-2025-00146', 1, 'SOCK-RUN-M', '', 2, 'Running socks, M');");
  JournalEntry first = test::scan_entry("st-1", "09506000001975");
  first.seq = 1;
  first.prev_hash = k_genesis_hash;
  first.hash = journal_row_hash(first, first.prev_hash);
  JournalEntry second = test::scan_entry("st-1", "09506000001975", first.utc_ms + 400);
  second.seq = 2;
  second.prev_hash = first.hash;
  second.hash = journal_row_hash(second, second.prev_hash);
  raw_sql(path, test::journal_insert_sql(first) + test::journal_insert_sql(second));
}

} // namespace

TEST_CASE("open_sqlite_store creates a fresh database at the newest schema in WAL mode", "[store][migrations]")
{
  test::TempDir dir;
  const auto path = dir / "data" / "pickverify.db"; // the folder does not exist yet
  {
    auto store = open_sqlite_store(path);
    REQUIRE(store);
    auto report = (*store)->verify_chain();
    REQUIRE(report);
    CHECK(report->intact());
    CHECK(report->event_count == 0);
    CHECK(report->head_hash == k_genesis_hash);
  }
  CHECK(raw_sql_int(path, "PRAGMA user_version") == 6);
  CHECK(raw_sql_int(path, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'") == 1);
  CHECK(raw_sql_int(path, "SELECT count(*) FROM pragma_table_info('items') WHERE name = 'no_visible_barcode'") == 1);
  CHECK(raw_sql_int(path, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name LIKE 'journal_by_%'") == 5);

  // Opening again applies nothing and keeps what is there.
  {
    auto store = open_sqlite_store(path);
    REQUIRE(store);
    REQUIRE((*store)->append_one(test::scan_entry("st-1", "x")));
  }
  auto store = open_sqlite_store(path);
  REQUIRE(store);
  CHECK((*store)->verify_chain()->event_count == 1);
}

TEST_CASE("open_sqlite_store upgrades a version 1 database and keeps its data and chain", "[store][migrations]")
{
  test::TempDir dir;
  const auto path = dir / "old.db";
  build_v1_database(path);
  REQUIRE(raw_sql_int(path, "PRAGMA user_version") == 1);

  auto store = open_sqlite_store(path);
  REQUIRE(store);
  CHECK(raw_sql_int(path, "PRAGMA user_version") == 6);

  auto catalog = (*store)->load_catalog();
  REQUIRE(catalog);
  const Item* socks = catalog->find_by_gtin("09506000001975");
  REQUIRE(socks);
  CHECK(socks->sku == "SOCK-RUN-M");
  CHECK(socks->attributes.at("size") == "M");
  CHECK_FALSE(socks->no_visible_barcode); // the column v2 added, with its default
  CHECK(socks->packs.empty());            // v4's packaging levels: none yet

  // The upgraded catalog takes packaging levels and gives them back.
  Item packed = *socks;
  packed.packs = {Pack{"case", "19506000001972", 12}};
  Catalog replaced;
  REQUIRE(replaced.add_item(packed));
  // … and v5's kit parts that follow the order.
  KitComponent socks_ordered;
  socks_ordered.style = "SOCK-RUN";
  socks_ordered.from_order = {"size"};
  REQUIRE(replaced.add_kit(Kit{"KIT-SOCKS", "", {socks_ordered}}));
  REQUIRE((*store)->save_catalog(replaced));
  auto reloaded = (*store)->load_catalog();
  REQUIRE(reloaded);
  REQUIRE(reloaded->find_kit("KIT-SOCKS"));
  CHECK(reloaded->find_kit("KIT-SOCKS")->components.at(0).from_order == std::vector<std::string>{"size"});
  const Identified carton = reloaded->identify("19506000001972");
  REQUIRE(carton.pack);
  CHECK(carton.item->sku == "SOCK-RUN-M");
  CHECK(carton.units() == 12);

  auto order = (*store)->find_order("ORD-2025-00146");
  REQUIRE(order);
  REQUIRE(order->has_value());
  CHECK((*order)->lines.at(0).quantity == 2);

  // The v2 head record was initialised from the rows v1 wrote, so the chain continues.
  auto before = (*store)->verify_chain();
  REQUIRE(before);
  CHECK(before->intact());
  CHECK(before->event_count == 2);
  auto appended = (*store)->append_one(test::scan_entry("st-1", "09506000001418"));
  REQUIRE(appended);
  CHECK(appended->seq == 3);
  CHECK(appended->prev_hash == before->head_hash);
  auto after = (*store)->verify_chain();
  REQUIRE(after);
  CHECK(after->intact());
  CHECK(after->event_count == 3);
  CHECK(after->head_hash == appended->hash);
  // v6's per-station chain columns: the rows written before stay the legacy chain ''.
  CHECK(raw_sql_int(path, "SELECT COUNT(*) FROM journal WHERE chain = '' AND chain_seq IS NULL AND seq <= 2") == 2);
  CHECK(raw_sql_int(path, "SELECT COUNT(*) FROM journal_heads") == 0);
}

TEST_CASE("open_sqlite_store leaves a database untouched when a migration fails", "[store][migrations]")
{
  test::TempDir dir;
  const auto path = dir / "old.db";
  build_v1_database(path);
  // Something in the way of migration 2: an object with the name of an index it creates.
  raw_sql(path, "CREATE TABLE journal_by_order (x);");

  auto store = open_sqlite_store(path);
  REQUIRE_FALSE(store);
  CHECK_THAT(store.error().message, Catch::Contains("schema migration to version 2"));
  CHECK(raw_sql_int(path, "PRAGMA user_version") == 1);
  CHECK(raw_sql_int(path, "SELECT count(*) FROM pragma_table_info('items') WHERE name = 'no_visible_barcode'") == 0);
  CHECK(raw_sql_int(path, "SELECT count(*) FROM journal") == 2);
}

TEST_CASE("open_sqlite_store refuses a database newer than this build", "[store][migrations]")
{
  test::TempDir dir;
  const auto path = dir / "new.db";
  REQUIRE(open_sqlite_store(path));
  raw_sql(path, "PRAGMA user_version = 9;");

  auto store = open_sqlite_store(path);
  REQUIRE_FALSE(store);
  CHECK(store.error().type == ErrorType::corrupt);
  CHECK(store.error().message ==
        "database schema version 9 is newer than this pickverify supports (6); use a newer pickverify");
  CHECK(raw_sql_int(path, "PRAGMA user_version") == 9);
}

TEST_CASE("open_sqlite_store refuses a file that is not a database", "[store][migrations]")
{
  test::TempDir dir;
  const auto path = dir / "notes.db";
  {
    std::ofstream file(path, std::ios::binary);
    file << "This is a shopping list, not a database.\n";
    for (int i = 0; i < 200; ++i) {
      file << "milk, eggs, bread " << i << '\n';
    }
  }
  auto store = open_sqlite_store(path);
  REQUIRE_FALSE(store);
  CHECK(store.error().type == ErrorType::corrupt);
  CHECK_THAT(store.error().message, Catch::Contains("notes.db") && Catch::Contains("is not a SQLite database"));
}

TEST_CASE("open_sqlite_store refuses another application's SQLite database", "[store][migrations]")
{
  test::TempDir dir;
  const auto path = dir / "other.db";
  raw_sql(path, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);");

  auto store = open_sqlite_store(path);
  REQUIRE_FALSE(store);
  CHECK(store.error().type == ErrorType::corrupt);
  CHECK_THAT(store.error().message, Catch::Contains("not a pickverify one"));
  CHECK(raw_sql_int(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'journal'") == 0);
}

TEST_CASE("open_sqlite_store reports a folder it cannot create", "[store][migrations]")
{
  test::TempDir dir;
  {
    std::ofstream blocker(dir / "file");
  }
  auto store = open_sqlite_store(dir / "file" / "pickverify.db");
  REQUIRE_FALSE(store);
  CHECK(store.error().type == ErrorType::io);
}

TEST_CASE("open_sqlite_store lets several connections create the same new database at once", "[store][migrations]")
{
  // Threads of one process; test_journal_kill.cpp does the same with processes.
  constexpr int k_openers = 8;
  for (int attempt = 0; attempt < 5; ++attempt) {
    test::TempDir dir;
    const auto path = dir / "pickverify.db";
    std::atomic<int> ready{0};
    std::vector<std::string> failures(k_openers);
    std::vector<std::thread> openers;
    for (int i = 0; i < k_openers; ++i) {
      openers.emplace_back([&, i] {
        ++ready;
        while (ready < k_openers) {
          std::this_thread::yield();
        }
        auto store = open_sqlite_store(path);
        if (!store) {
          failures[static_cast<std::size_t>(i)] = store.error().message;
          return;
        }
        if (auto row = (*store)->append_one(test::scan_entry("st-" + std::to_string(i), "x")); !row) {
          failures[static_cast<std::size_t>(i)] = row.error().message;
        }
      });
    }
    for (auto& opener : openers) {
      opener.join();
    }
    for (const std::string& failure : failures) {
      CHECK(failure == "");
    }
    auto store = open_sqlite_store(path);
    REQUIRE(store);
    auto report = (*store)->verify_chain();
    REQUIRE(report);
    CHECK(report->intact());
    CHECK(report->event_count == k_openers);
  }
}

TEST_CASE("open_postgres_store migrates a new schema, refuses a newer one and another application's tables",
          "[store][postgres][migrations]")
{
  test::StoreBackend backend;
  REQUIRE(backend.postgres());
  {
    auto store = backend.open();
    REQUIRE(store);
    REQUIRE((*store)->append_one(test::scan_entry("st-1", "x")));
  }
  // Opened again (and by several processes at once): nothing to do, the data stays.
  std::vector<std::thread> openers;
  std::vector<std::string> failures(4);
  for (std::size_t i = 0; i < failures.size(); ++i) {
    openers.emplace_back([&, i] {
      auto store = backend.open();
      failures[i] = store ? "" : store.error().message;
    });
  }
  for (auto& opener : openers) {
    opener.join();
  }
  CHECK(failures == std::vector<std::string>(4, ""));
  // At the same version as a new SQLite database: the two sequences move together.
  test::TempDir dir;
  REQUIRE(open_sqlite_store(dir / "pickverify.db"));
  const long long sqlite_version = test::raw_sql_int(dir / "pickverify.db", "PRAGMA user_version");
  CHECK(backend.try_sql("DO $$ BEGIN IF (SELECT version FROM pickverify_schema) <> " + std::to_string(sqlite_version) +
                        " THEN RAISE EXCEPTION 'wrong version'; END IF; END $$") == "");

  CHECK(backend.try_sql("UPDATE pickverify_schema SET version = version + 1") == "");
  auto newer = backend.open();
  REQUIRE_FALSE(newer);
  CHECK(newer.error().type == ErrorType::corrupt);
  CHECK_THAT(newer.error().message, Catch::Contains("is newer than this pickverify supports"));

  test::StoreBackend foreign;
  CHECK(foreign.try_sql("CREATE TABLE invoices (id INTEGER)") == "");
  auto refused = foreign.open();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().type == ErrorType::corrupt);
  CHECK_THAT(refused.error().message, Catch::Contains("1 other tables and no pickverify schema version"));
}

TEST_CASE("open_postgres_store names an unreachable server", "[store][postgres][migrations]")
{
  auto store = open_postgres_store("postgresql:///nowhere?host=/nonexistent-socket-dir&connect_timeout=2");
  REQUIRE_FALSE(store);
  CHECK(store.error().type == ErrorType::io);
  CHECK_THAT(store.error().message, Catch::Contains("PostgreSQL: cannot connect"));
}
