// The hash-chained journal: append, journal_row_hash, verify_chain and its tamper detection,
// raw bytes kept exactly, read_journal filters, two writers on one chain.
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/core.h>
#include <sodium.h>
#include <sqlite3.h>

#include <pickverify/store.hpp>

#include "store_backend.hpp"
#include "store_test_data.hpp"
#include "temp_dir.hpp"

using namespace pickverify;
using pickverify::test::raw_sql;
using pickverify::test::raw_sql_int;

namespace {

// docs/JOURNAL.md's recipe, written out independently of src/store: SHA-256 over the 64 hex
// characters of prev_hash, then each field as an 8-byte big-endian length and its bytes, with seq
// and utc_ms in decimal.
std::string documented_row_hash(const JournalEntry& e, const std::string& prev_hash)
{
  REQUIRE(sodium_init() >= 0);
  std::string message = prev_hash;
  auto field = [&message](const std::string& bytes) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      message.push_back(static_cast<char>((static_cast<std::uint64_t>(bytes.size()) >> shift) & 0xff));
    }
    message += bytes;
  };
  field(std::to_string(e.seq));
  field(std::to_string(e.utc_ms));
  for (const std::string* text : {&e.type, &e.station, &e.operator_id, &e.order_id, &e.session_id, &e.raw, &e.aim,
                                  &e.source, &e.gtin, &e.ais, &e.verdict, &e.reason, &e.evidence_hash, &e.detail}) {
    field(*text);
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::vector<JournalEntry> read_all(Store& store, const JournalFilter& filter = {})
{
  std::vector<JournalEntry> rows;
  REQUIRE(store.read_journal(filter, [&rows](const JournalEntry& entry) {
    rows.push_back(entry);
    return true;
  }));
  return rows;
}

// A journal of n scans, each from its own station so rows differ.
std::unique_ptr<Store> store_with_events(const std::filesystem::path& path, int n)
{
  auto store = open_sqlite_store(path);
  REQUIRE(store);
  for (int i = 1; i <= n; ++i) {
    REQUIRE((*store)->append_one(test::scan_entry("st-" + std::to_string(i), "0950600000141" + std::to_string(i % 10),
                                                  1'760'000'000'000 + i * 1000)));
  }
  return std::move(*store);
}

ChainReport verify(const std::filesystem::path& path)
{
  auto store = open_sqlite_store(path);
  REQUIRE(store);
  auto report = (*store)->verify_chain();
  REQUIRE(report);
  return *report;
}

// What an attacker with the file does first: the append-only triggers are only a guard
// against accidents.
void drop_guards(const std::filesystem::path& path)
{
  raw_sql(path, "DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete;");
}

// What a station writes into a text column for bytes it read (printable ASCII, else \xNN).
std::string printable(const std::string& raw)
{
  std::string text;
  for (const unsigned char c : raw) {
    text += c >= 0x20 && c < 0x7f ? std::string(1, static_cast<char>(c)) : fmt::format("\\x{:02x}", c);
  }
  return text;
}

} // namespace

TEST_CASE("journal_row_hash follows the encoding documented in docs/JOURNAL.md", "[store][journal]")
{
  JournalEntry entry = test::scan_entry("st-1", std::string("]C1\x1d"
                                                            "0109506000001906\0\xff",
                                                            22));
  entry.seq = 42;
  CHECK(journal_row_hash(entry, k_genesis_hash) == documented_row_hash(entry, k_genesis_hash));

  // The worked example in docs/JOURNAL.md: QA can check their tooling against this value.
  JournalEntry example;
  example.seq = 1;
  example.utc_ms = 1760000000000;
  example.type = "scan";
  example.station = "st-1";
  example.raw = "09506000001418";
  example.gtin = "09506000001418";
  example.verdict = "accepted";
  const std::string example_hash = journal_row_hash(example, k_genesis_hash);
  CHECK(example_hash == documented_row_hash(example, k_genesis_hash));
  CHECK(example_hash == "9bf62ea0e538ba4f2f450bedf7abc4c11d3516413891aafc8f3b9d0497596399");

  // Its v2 twin: the same row as chain_seq 1 of station st-1's chain (docs/JOURNAL.md).
  example.chain = "st-1";
  example.chain_seq = 1;
  example.seq = 5; // not hashed in v2
  CHECK(journal_row_hash(example, k_genesis_hash) ==
        "8116c3d56d7852258f89f8369307e8a9662e6228588ca3b62a1af45e4fecb596");
}

namespace {

// The F(…) names of each recipe block of docs/JOURNAL.md ("hash = lower-case hex( SHA-256( …") in order.
std::vector<std::vector<std::string>> documented_recipes()
{
  std::ifstream in(std::filesystem::path(PICKVERIFY_SOURCE_DIR) / "docs" / "JOURNAL.md");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  std::vector<std::vector<std::string>> recipes;
  const std::string opening = "hash = lower-case hex( SHA-256( prev_hash_ascii";
  for (auto at = doc.find(opening); at != std::string::npos; at = doc.find(opening, at + 1)) {
    const auto end = doc.find(") ) )", at);
    REQUIRE(end != std::string::npos);
    const std::string block = doc.substr(at, end + 1 - at); // through the last field's ")"
    std::vector<std::string> names;
    const std::regex field(R"(F\((\w+)\))");
    for (auto it = std::sregex_iterator(block.begin(), block.end(), field); it != std::sregex_iterator(); ++it) {
      names.push_back((*it)[1]);
    }
    recipes.push_back(names);
  }
  return recipes;
}

// A row whose every field differs, and what each documented name stands for in it.
std::map<std::string, std::string> distinct_fields(JournalEntry& e)
{
  e.seq = 17;
  e.chain = "A-1";
  e.chain_seq = 9;
  e.utc_ms = 1760000000123;
  std::map<std::string, std::string> values{
      {"seq", "17"}, {"chain", "A-1"}, {"chain_seq", "9"}, {"utc_ms", "1760000000123"}};
  int n = 0;
  for (auto [name, member] : std::initializer_list<std::pair<const char*, std::string JournalEntry::*>>{
           {"type", &JournalEntry::type},
           {"station", &JournalEntry::station},
           {"operator_id", &JournalEntry::operator_id},
           {"order_id", &JournalEntry::order_id},
           {"session_id", &JournalEntry::session_id},
           {"raw", &JournalEntry::raw},
           {"aim", &JournalEntry::aim},
           {"source", &JournalEntry::source},
           {"gtin", &JournalEntry::gtin},
           {"ais", &JournalEntry::ais},
           {"verdict", &JournalEntry::verdict},
           {"reason", &JournalEntry::reason},
           {"evidence_hash", &JournalEntry::evidence_hash},
           {"detail", &JournalEntry::detail}}) {
    e.*member = std::string(name) + "-" + std::to_string(++n);
    values[name] = e.*member;
  }
  return values;
}

// SHA-256 over prev_hash and F(value) of each name in the given order.
std::string hash_in_order(const std::vector<std::string>& names, const std::map<std::string, std::string>& values,
                          const std::string& prev_hash)
{
  REQUIRE(sodium_init() >= 0);
  std::string message = prev_hash;
  for (const std::string& name : names) {
    INFO("documented field " << name);
    REQUIRE(values.count(name) == 1);
    const std::string& bytes = values.at(name);
    for (int shift = 56; shift >= 0; shift -= 8) {
      message.push_back(static_cast<char>((static_cast<std::uint64_t>(bytes.size()) >> shift) & 0xff));
    }
    message += bytes;
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

} // namespace

TEST_CASE("journal_row_hash hashes the fields in the order docs/JOURNAL.md's recipe lists them", "[store][journal]")
{
  const auto recipes = documented_recipes();
  REQUIRE(recipes.size() >= 1);
  const std::vector<std::string> v1 = {"seq",        "utc_ms", "type",          "station", "operator_id", "order_id",
                                       "session_id", "raw",    "aim",           "source",  "gtin",        "ais",
                                       "verdict",    "reason", "evidence_hash", "detail"};
  CHECK(recipes[0] == v1);
  // The Python snippet's FIELDS list is the same order after seq and utc_ms.
  std::ifstream in(std::filesystem::path(PICKVERIFY_SOURCE_DIR) / "docs" / "JOURNAL.md");
  std::stringstream doc;
  doc << in.rdbuf();
  std::smatch python;
  const std::string text = doc.str();
  REQUIRE(std::regex_search(text, python, std::regex(R"(FIELDS = \[([^\]]*)\])")));
  std::vector<std::string> listed;
  const std::string list = python[1];
  const std::regex quoted("\"(\\w+)\"");
  for (auto it = std::sregex_iterator(list.begin(), list.end(), quoted); it != std::sregex_iterator(); ++it) {
    listed.push_back((*it)[1]);
  }
  CHECK(listed == std::vector<std::string>(v1.begin() + 2, v1.end()));
  JournalEntry legacy;
  auto values = distinct_fields(legacy);
  legacy.chain.clear(); // the legacy chain: recipe v1
  legacy.chain_seq = 0;
  CHECK(journal_row_hash(legacy, k_genesis_hash) == hash_in_order(recipes[0], values, k_genesis_hash));

  // Recipe v2, for rows of a station's chain: chain and chain_seq in place of seq, the rest as v1.
  REQUIRE(recipes.size() == 2);
  std::vector<std::string> v2 = {"chain", "chain_seq"};
  v2.insert(v2.end(), v1.begin() + 1, v1.end());
  CHECK(recipes[1] == v2);
  JournalEntry chained;
  values = distinct_fields(chained);
  CHECK(journal_row_hash(chained, k_genesis_hash) == hash_in_order(recipes[1], values, k_genesis_hash));
  // seq is not in v2: a row keeps its hash wherever the global order puts it.
  JournalEntry moved = chained;
  moved.seq = 1234;
  CHECK(journal_row_hash(moved, k_genesis_hash) == journal_row_hash(chained, k_genesis_hash));
  CHECK(journal_row_hash(legacy, k_genesis_hash) != journal_row_hash(chained, k_genesis_hash));
}

TEST_CASE("journal_row_hash covers every field and their boundaries", "[store][journal]")
{
  JournalEntry base = test::scan_entry("st-1", "09506000001418");
  base.seq = 7;
  base.ais = "(01)09506000001418";
  base.evidence_hash = std::string(64, 'e');
  const std::string hash = journal_row_hash(base, k_genesis_hash);
  CHECK(hash.size() == 64);
  CHECK(hash.find_first_not_of("0123456789abcdef") == std::string::npos);

  std::set<std::string> seen{hash};
  for (std::string JournalEntry::*field :
       {&JournalEntry::type, &JournalEntry::station, &JournalEntry::operator_id, &JournalEntry::order_id,
        &JournalEntry::session_id, &JournalEntry::raw, &JournalEntry::aim, &JournalEntry::source, &JournalEntry::gtin,
        &JournalEntry::ais, &JournalEntry::verdict, &JournalEntry::reason, &JournalEntry::evidence_hash,
        &JournalEntry::detail}) {
    JournalEntry changed = base;
    (changed.*field).push_back('x');
    CHECK(seen.insert(journal_row_hash(changed, k_genesis_hash)).second);
  }
  JournalEntry other_seq = base;
  other_seq.seq = 8;
  CHECK(seen.insert(journal_row_hash(other_seq, k_genesis_hash)).second);
  JournalEntry other_time = base;
  other_time.utc_ms += 1;
  CHECK(seen.insert(journal_row_hash(other_time, k_genesis_hash)).second);
  CHECK(seen.insert(journal_row_hash(base, std::string(64, '1'))).second);

  // A byte moved from one field into the next must not give the same hash.
  JournalEntry left = base;
  left.type = "scan";
  left.station = "x";
  JournalEntry right = base;
  right.type = "scanx";
  right.station = "";
  CHECK(journal_row_hash(left, k_genesis_hash) != journal_row_hash(right, k_genesis_hash));

  // prev_hash itself is not part of the row's fields: hashing ignores entry.prev_hash/hash.
  JournalEntry with_stale_hashes = base;
  with_stale_hashes.prev_hash = "junk";
  with_stale_hashes.hash = "junk";
  CHECK(journal_row_hash(with_stale_hashes, k_genesis_hash) == hash);
}

TEST_CASE("Store::append assigns seq and chains the hashes", "[store][backend][journal]")
{
  test::StoreBackend backend;
  auto store = backend.open();
  REQUIRE(store);

  auto first = (*store)->append_one(test::scan_entry("st-1", "09506000001418"));
  REQUIRE(first);
  CHECK(first->seq == 1);
  CHECK(first->prev_hash == k_genesis_hash);
  CHECK(first->hash == journal_row_hash(*first, k_genesis_hash));

  std::vector<JournalEntry> batch;
  for (int station = 1; station <= 8; ++station) {
    batch.push_back(test::scan_entry("st-" + std::to_string(station), "09506000001692"));
  }
  auto appended = (*store)->append(batch);
  REQUIRE(appended);
  REQUIRE(appended->size() == 8);
  std::string prev = first->hash;
  for (std::size_t i = 0; i < appended->size(); ++i) {
    const JournalEntry& row = (*appended)[i];
    CHECK(row.seq == static_cast<std::int64_t>(i) + 2);
    CHECK(row.station == "st-" + std::to_string(i + 1));
    CHECK(row.prev_hash == prev);
    CHECK(row.hash == journal_row_hash(row, prev));
    prev = row.hash;
  }

  auto report = (*store)->verify_chain();
  REQUIRE(report);
  CHECK(report->intact());
  CHECK(report->event_count == 9);
  CHECK(report->head_hash == prev);
  CHECK(report->problem.empty());

  // What is stored is what append returned.
  const auto rows = read_all(**store);
  REQUIRE(rows.size() == 9);
  CHECK(rows.back().hash == appended->back().hash);
  CHECK(rows.back().detail == appended->back().detail);
}

TEST_CASE("Store::append hashes the documented example and hostile text by docs/JOURNAL.md's recipe",
          "[store][backend][journal]")
{
  test::StoreBackend backend;
  auto store = backend.open();
  REQUIRE(store);
  // The worked example of docs/JOURNAL.md, as the first row of a new journal.
  JournalEntry example;
  example.utc_ms = 1'760'000'000'000;
  example.type = "scan";
  example.station = "st-1";
  example.raw = "09506000001418";
  example.gtin = "09506000001418";
  example.verdict = "accepted";
  auto first = (*store)->append_one(example);
  REQUIRE(first);
  CHECK(first->seq == 1);
  CHECK(first->hash == "9bf62ea0e538ba4f2f450bedf7abc4c11d3516413891aafc8f3b9d0497596399");

  // Multi-byte UTF-8, quotes, backslashes, JSON-looking text, any raw byte, empty fields, a negative time.
  std::vector<JournalEntry> batch;
  JournalEntry text = test::scan_entry("st-ü", std::string("\x00\xff\x1d\"\\", 5), -1);
  text.reason = "Größe 10 – “9” ✓ 🙂 \"quoted\" back\\slash";
  text.detail = R"({"sku":"S-1","note":"a \"b\" \\ c","serial":"x"})";
  text.aim = "]C1";
  text.operator_id = "p'1";
  batch.push_back(text);
  JournalEntry empty;
  empty.type = "device_online";
  empty.utc_ms = 1;
  batch.push_back(empty);
  auto appended = (*store)->append(batch);
  REQUIRE(appended);
  REQUIRE(appended->size() == 2);
  std::string prev = first->hash;
  for (const JournalEntry& row : *appended) {
    CHECK(row.prev_hash == prev);
    CHECK(row.hash == documented_row_hash(row, prev));
    prev = row.hash;
  }
  const auto rows = read_all(**store);
  REQUIRE(rows.size() == 3);
  CHECK(rows[1].reason == text.reason);
  CHECK(rows[1].raw == text.raw);
  CHECK(rows[1].utc_ms == -1);
  CHECK(rows[2].hash == documented_row_hash(rows[2], rows[1].hash));
  CHECK((*store)->verify_chain()->intact());

  if (backend.postgres()) {
    // The server's own hash function gives the documented value (the append path recomputes every
    // hash it returns and refuses to go on should they differ, so this is the server-side half).
    CHECK(backend.try_sql(
              "DO $$ BEGIN IF pickverify_row_hash_v1(repeat('0', 64), '1'::bytea, '1760000000000'::bytea, "
              "'scan'::bytea, 'st-1'::bytea, ''::bytea, ''::bytea, ''::bytea, '09506000001418'::bytea, ''::bytea, "
              "''::bytea, '09506000001418'::bytea, ''::bytea, 'accepted'::bytea, ''::bytea, ''::bytea, ''::bytea) <> "
              "'9bf62ea0e538ba4f2f450bedf7abc4c11d3516413891aafc8f3b9d0497596399' THEN RAISE EXCEPTION 'hash "
              "differs'; END IF; END $$") == "");
    // Its v2 twin: the same function over recipe v2's fields (chain, chain_seq in place of seq).
    CHECK(backend.try_sql(
              "DO $$ BEGIN IF pickverify_row_hash_v1(repeat('0', 64), 'st-1'::bytea, '1'::bytea, "
              "'1760000000000'::bytea, 'scan'::bytea, 'st-1'::bytea, ''::bytea, ''::bytea, ''::bytea, "
              "'09506000001418'::bytea, ''::bytea, ''::bytea, '09506000001418'::bytea, ''::bytea, 'accepted'::bytea, "
              "''::bytea, ''::bytea, ''::bytea) <> "
              "'8116c3d56d7852258f89f8369307e8a9662e6228588ca3b62a1af45e4fecb596' THEN RAISE EXCEPTION 'hash "
              "differs'; END IF; END $$") == "");
    // A row written by the function alone, behind the store's back, continues the chain.
    CHECK(backend.try_sql(
              "SELECT * FROM pickverify_append_v1('[{\"utc_ms\": 5, \"type\": \"scan\", \"station\": \"st-2\", "
              "\"operator_id\": \"\", \"order_id\": \"\", \"session_id\": \"\", \"raw_hex\": \"00ff41\", \"aim\": "
              "\"\", \"source\": \"\", \"gtin\": \"\", \"ais\": \"\", \"verdict\": \"\", \"reason\": \"é\", "
              "\"evidence_hash\": \"\", \"detail\": \"{}\"}]', 5)") == "");
    auto reopened = backend.open();
    REQUIRE(reopened);
    const auto all = read_all(**reopened);
    REQUIRE(all.size() == 4);
    CHECK(all[3].raw == std::string("\x00\xff\x41", 3));
    CHECK(all[3].hash == documented_row_hash(all[3], all[2].hash));
    CHECK((*reopened)->verify_chain()->intact());
  }
}

TEST_CASE("Store::head_seq is the last journaled seq, from this connection and another", "[store][backend][journal]")
{
  test::StoreBackend backend;
  auto store = backend.open();
  REQUIRE(store);
  auto empty = (*store)->head_seq();
  REQUIRE(empty);
  CHECK(*empty == 0);

  REQUIRE((*store)->append_one(test::scan_entry("st-1", "09506000001418")));
  CHECK((*store)->head_seq().value() == 1);
  auto other = backend.open(); // another process's connection sees the same head
  REQUIRE(other);
  REQUIRE((*other)->append(std::vector<JournalEntry>(4, test::scan_entry("st-2", "09506000001692"))));
  CHECK((*store)->head_seq().value() == 5);
  CHECK((*other)->head_seq().value() == 5);
  CHECK((*store)->verify_chain().value().event_count == 5);
}

TEST_CASE("Store::append of nothing writes nothing, and an event without a type is refused",
          "[store][backend][journal]")
{
  test::StoreBackend backend;
  auto store = backend.open();
  REQUIRE(store);
  auto none = (*store)->append({});
  REQUIRE(none);
  CHECK(none->empty());

  std::vector<JournalEntry> batch{test::scan_entry("st-1", "a"), JournalEntry{}};
  auto refused = (*store)->append(batch);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().type == ErrorType::invalid_input);
  CHECK((*store)->verify_chain()->event_count == 0); // not even the valid first one
}

TEST_CASE("Store::append stamps the time when the caller left it empty", "[store][backend][journal]")
{
  test::StoreBackend backend;
  auto store = backend.open();
  REQUIRE(store);
  const auto before =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  auto row = (*store)->append_one(test::scan_entry("st-1", "x", 0));
  REQUIRE(row);
  CHECK(row->utc_ms >= before);
  CHECK(row->utc_ms < before + 60'000);
  CHECK((*store)->verify_chain()->intact());
}

TEST_CASE("Store::append keeps hostile raw bytes exactly", "[store][backend][journal]")
{
  test::StoreBackend backend;
  const auto scans = test::hostile_raw_scans();
  {
    auto store = backend.open();
    REQUIRE(store);
    for (const std::string& raw : scans) {
      JournalEntry entry = test::scan_entry("st-1", raw);
      entry.reason = "unknown code: " + raw; // SQLite's text columns carry the same bytes
      if (backend.postgres()) {
        entry.reason = "unknown code: " + printable(raw); // as a station writes it
      }
      REQUIRE((*store)->append_one(entry));
    }
  }
  auto store = backend.open();
  REQUIRE(store);
  const auto rows = read_all(**store);
  REQUIRE(rows.size() == scans.size());
  for (std::size_t i = 0; i < scans.size(); ++i) {
    INFO("scan " << i);
    CHECK(rows[i].raw.size() == scans[i].size());
    CHECK(rows[i].raw == scans[i]);
    CHECK(rows[i].reason == "unknown code: " + (backend.postgres() ? printable(scans[i]) : scans[i]));
  }
  CHECK((*store)->verify_chain()->intact());
  if (backend.postgres()) {
    // PostgreSQL text holds UTF-8 without NUL: such a row is refused whole, with the field named,
    // and the chain goes on.
    for (const std::string& bad : {std::string("a\0b", 3), std::string("\xff\xfe", 2)}) {
      JournalEntry entry = test::scan_entry("st-1", "x");
      entry.reason = bad;
      auto refused = (*store)->append_one(entry);
      REQUIRE_FALSE(refused);
      CHECK(refused.error().type == ErrorType::invalid_input);
      CHECK_THAT(refused.error().message, Catch::Contains("field reason"));
    }
    CHECK((*store)->verify_chain()->event_count == static_cast<std::int64_t>(scans.size()));
    CHECK(backend.try_sql("DO $$ BEGIN IF (SELECT count(*) FROM journal WHERE length(raw) = 4096 AND seq = 10) <> 1 "
                          "THEN RAISE EXCEPTION 'raw not bytea'; END IF; END $$") == "");
  } else {
    const auto path = backend.dir() / "pickverify.db";
    CHECK(raw_sql_int(path, "SELECT count(*) FROM journal WHERE typeof(raw) <> 'blob'") == 0);
    CHECK(raw_sql_int(path, "SELECT length(raw) FROM journal WHERE seq = 10") == 4096);
    CHECK(raw_sql_int(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'journal'") == 1);
  }
}

TEST_CASE("the journal refuses UPDATE, DELETE and TRUNCATE from plain SQL", "[store][backend][journal][tamper]")
{
  test::StoreBackend backend;
  {
    auto store = backend.open();
    REQUIRE(store);
    for (int i = 1; i <= 3; ++i) {
      REQUIRE((*store)->append_one(test::scan_entry("st-" + std::to_string(i), "x")));
    }
  }
  CHECK_THAT(backend.try_sql("UPDATE journal SET verdict = 'accepted' WHERE seq = 2"), Catch::Contains("append-only"));
  CHECK_THAT(backend.try_sql("DELETE FROM journal WHERE seq = 2"), Catch::Contains("append-only"));
  if (backend.postgres()) {
    CHECK_THAT(backend.try_sql("TRUNCATE journal"), Catch::Contains("append-only"));
  }
  auto store = backend.open();
  REQUIRE(store);
  CHECK((*store)->verify_chain()->intact());
  CHECK((*store)->verify_chain()->event_count == 3);
  CHECK((*store)->missing_guards()->empty());
  CHECK(backend.try_sql("DROP TRIGGER journal_no_update" + std::string(backend.postgres() ? " ON journal" : "")) == "");
  CHECK((*store)->missing_guards() == std::vector<std::string>{"journal_no_update"});
}

TEST_CASE("SqliteStore::verify_chain finds a changed row", "[store][journal][tamper]")
{
  test::TempDir dir;
  const auto path = dir / "pickverify.db";
  store_with_events(path, 6);
  drop_guards(path);

  SECTION("a changed verdict")
  {
    raw_sql(path, "UPDATE journal SET verdict = 'wrong_variant' WHERE seq = 3");
  }
  SECTION("a changed raw byte")
  {
    raw_sql(path, "UPDATE journal SET raw = CAST('09506000001487' AS BLOB) WHERE seq = 3");
  }
  SECTION("a changed time")
  {
    raw_sql(path, "UPDATE journal SET utc_ms = utc_ms + 1 WHERE seq = 3");
  }
  const ChainReport report = verify(path);
  CHECK_FALSE(report.intact());
  CHECK(report.first_bad_seq == 3);
  CHECK_THAT(report.problem, Catch::StartsWith("seq 3:") && Catch::Contains("changed"));
  CHECK(report.event_count == 6);
}

TEST_CASE("SqliteStore::verify_chain finds a changed row whose hash was recomputed", "[store][journal][tamper]")
{
  test::TempDir dir;
  const auto path = dir / "pickverify.db";
  auto store = store_with_events(path, 6);
  drop_guards(path);
  auto rows = read_all(*store);

  SECTION("in the middle: the next row's prev_hash no longer matches")
  {
    JournalEntry forged = rows[2];
    forged.verdict = "accepted";
    forged.gtin = "09506000001487";
    forged.hash = journal_row_hash(forged, forged.prev_hash);
    raw_sql(path, "DELETE FROM journal WHERE seq = 3;" + test::journal_insert_sql(forged));
    const ChainReport report = verify(path);
    CHECK(report.first_bad_seq == 4);
    CHECK_THAT(report.problem, Catch::StartsWith("seq 4: prev_hash"));
  }
  SECTION("at the end: the recorded head no longer matches")
  {
    JournalEntry forged = rows[5];
    forged.reason = "nothing to see";
    forged.hash = journal_row_hash(forged, forged.prev_hash);
    raw_sql(path, "DELETE FROM journal WHERE seq = 6;" + test::journal_insert_sql(forged));
    const ChainReport report = verify(path);
    CHECK(report.first_bad_seq == 6);
    CHECK_THAT(report.problem, Catch::Contains("journal head"));
  }
}

TEST_CASE("SqliteStore::verify_chain finds a deleted row", "[store][journal][tamper]")
{
  test::TempDir dir;
  const auto path = dir / "pickverify.db";
  store_with_events(path, 6);
  drop_guards(path);

  SECTION("in the middle")
  {
    raw_sql(path, "DELETE FROM journal WHERE seq = 4");
    const ChainReport report = verify(path);
    CHECK(report.first_bad_seq == 4);
    CHECK(report.problem == "seq 4: missing: the next row is seq 5 (rows were deleted)");
    CHECK(report.event_count == 5);
  }
  SECTION("in the middle, the later rows renumbered to close the gap")
  {
    raw_sql(path, "DELETE FROM journal WHERE seq = 4; UPDATE journal SET seq = seq - 1 WHERE seq > 4;");
    const ChainReport report = verify(path);
    CHECK(report.first_bad_seq == 4);
    CHECK_THAT(report.problem, Catch::StartsWith("seq 4: prev_hash"));
  }
  SECTION("the first row")
  {
    raw_sql(path, "DELETE FROM journal WHERE seq = 1");
    CHECK(verify(path).first_bad_seq == 1);
  }
  SECTION("the last row")
  {
    raw_sql(path, "DELETE FROM journal WHERE seq = 6");
    const ChainReport report = verify(path);
    CHECK(report.first_bad_seq == 6);
    CHECK_THAT(report.problem, Catch::Contains("rows at the end were deleted"));
  }
  SECTION("every row")
  {
    raw_sql(path, "DELETE FROM journal");
    CHECK(verify(path).first_bad_seq == 1);
  }
  SECTION("the head record too")
  {
    raw_sql(path, "DELETE FROM journal WHERE seq = 6; DELETE FROM journal_head;");
    const ChainReport report = verify(path);
    CHECK(report.first_bad_seq == 6);
    CHECK_THAT(report.problem, Catch::Contains("head record is missing"));
  }
}

TEST_CASE("SqliteStore::head_seq reads the head record, not the rows: a cut tail shows in verify_chain only",
          "[store][journal][tamper]")
{
  test::TempDir dir;
  const auto path = dir / "pickverify.db";
  store_with_events(path, 6);
  drop_guards(path);
  raw_sql(path, "DELETE FROM journal WHERE seq = 6");
  auto store = open_sqlite_store(path);
  REQUIRE(store);
  CHECK((*store)->head_seq().value() == 6);
  CHECK((*store)->verify_chain().value().first_bad_seq == 6);
}

TEST_CASE("SqliteStore::verify_chain finds an inserted row", "[store][journal][tamper]")
{
  test::TempDir dir;
  const auto path = dir / "pickverify.db";
  auto store = store_with_events(path, 6);
  drop_guards(path);
  auto rows = read_all(*store);

  SECTION("in the middle, well formed, later rows renumbered")
  {
    JournalEntry forged = test::scan_entry("st-9", "09506000001418");
    forged.seq = 3;
    forged.prev_hash = rows[1].hash;
    forged.hash = journal_row_hash(forged, forged.prev_hash);
    raw_sql(path, "UPDATE journal SET seq = -seq WHERE seq >= 3; UPDATE journal SET seq = 1 - seq WHERE seq < 0;" +
                      test::journal_insert_sql(forged));
    REQUIRE(raw_sql_int(path, "SELECT count(*) FROM journal") == 7);
    const ChainReport report = verify(path);
    CHECK(report.first_bad_seq == 4); // row 3 itself chains; the row after it no longer does
  }
  SECTION("at the end, well formed, without the store")
  {
    JournalEntry forged = test::scan_entry("st-9", "09506000001418");
    forged.seq = 7;
    forged.prev_hash = rows[5].hash;
    forged.hash = journal_row_hash(forged, forged.prev_hash);
    raw_sql(path, test::journal_insert_sql(forged));
    const ChainReport report = verify(path);
    CHECK(report.first_bad_seq == 7);
    CHECK_THAT(report.problem, Catch::Contains("added outside pickverify"));
  }
  SECTION("with a seq before the first")
  {
    JournalEntry forged = rows[0];
    forged.seq = 0;
    raw_sql(path, test::journal_insert_sql(forged));
    CHECK(verify(path).first_bad_seq == 0);
  }
}

TEST_CASE("SqliteStore::verify_chain finds reordered rows", "[store][journal][tamper]")
{
  test::TempDir dir;
  const auto path = dir / "pickverify.db";
  store_with_events(path, 6);
  drop_guards(path);
  raw_sql(path, "UPDATE journal SET seq = -seq WHERE seq IN (3, 4);"
                "UPDATE journal SET seq = CASE seq WHEN -3 THEN 4 ELSE 3 END WHERE seq < 0;");
  const ChainReport report = verify(path);
  CHECK(report.first_bad_seq == 3);
  CHECK_THAT(report.problem, Catch::StartsWith("seq 3: prev_hash"));
}

TEST_CASE("SqliteStore::append after tampering keeps the damage visible", "[store][journal][tamper]")
{
  test::TempDir dir;
  const auto path = dir / "pickverify.db";
  store_with_events(path, 4);
  drop_guards(path);
  raw_sql(path, "DELETE FROM journal WHERE seq = 4");
  {
    auto store = open_sqlite_store(path);
    REQUIRE(store);
    auto row = (*store)->append_one(test::scan_entry("st-1", "x"));
    REQUIRE(row);
    CHECK(row->seq == 5); // continues from the recorded head, not from the truncated end
  }
  CHECK(verify(path).first_bad_seq == 4);

  // A row added behind the store's back takes the next seq: the store refuses to overwrite it.
  raw_sql(path, "INSERT INTO journal SELECT 6, utc_ms, type, station, operator_id, order_id, session_id, raw, aim, "
                "source, gtin, ais, verdict, reason, evidence_hash, detail, prev_hash, hash, chain, chain_seq FROM "
                "journal WHERE seq = 5");
  auto store = open_sqlite_store(path);
  REQUIRE(store);
  auto refused = (*store)->append_one(test::scan_entry("st-1", "y"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().type == ErrorType::corrupt);
  CHECK_THAT(refused.error().message, Catch::Contains("seq 6 exists already"));
}

TEST_CASE("Store::read_journal filters by order, station, session and time", "[store][backend][journal]")
{
  test::StoreBackend backend;
  auto store = backend.open();
  REQUIRE(store);
  const std::int64_t t0 = 1'760'000'000'000;
  for (int i = 0; i < 12; ++i) {
    JournalEntry entry = test::scan_entry("st-" + std::to_string(i % 3), "x", t0 + i * 1000);
    entry.order_id = i < 6 ? "ORD-A" : "ORD-B";
    entry.session_id = "S-" + std::to_string(i / 4);
    REQUIRE((*store)->append_one(entry));
  }
  CHECK(read_all(**store).size() == 12);

  JournalFilter by_order;
  by_order.order_id = "ORD-B";
  auto rows = read_all(**store, by_order);
  REQUIRE(rows.size() == 6);
  CHECK(rows.front().seq == 7);
  CHECK(rows.back().seq == 12);

  JournalFilter by_station_and_order;
  by_station_and_order.station = "st-1";
  by_station_and_order.order_id = "ORD-A";
  rows = read_all(**store, by_station_and_order);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].seq == 2);
  CHECK(rows[1].seq == 5);

  JournalFilter by_session;
  by_session.session_id = "S-2";
  CHECK(read_all(**store, by_session).size() == 4);

  JournalFilter by_time; // from inclusive, to exclusive
  by_time.from_utc_ms = t0 + 3000;
  by_time.to_utc_ms = t0 + 5000;
  rows = read_all(**store, by_time);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].seq == 4);
  CHECK(rows[1].seq == 5);

  JournalFilter nothing;
  nothing.order_id = "ORD-' OR '1'='1";
  CHECK(read_all(**store, nothing).empty());

  int visited = 0;
  REQUIRE((*store)->read_journal({}, [&visited](const JournalEntry&) { return ++visited < 3; }));
  CHECK(visited == 3);
}

TEST_CASE("Store::append from two connections at once keeps one chain", "[store][backend][journal]")
{
  test::StoreBackend backend;
  REQUIRE(backend.open());
  constexpr int k_events_per_writer = 60;
  // Catch2 assertions are not thread-safe: the writers report their first failure as text.
  auto writer = [&backend](const std::string& station, unsigned seed, std::string& failure) {
    auto store = backend.open(); // its own connection, as another process would have
    if (!store) {
      failure = store.error().message;
      return;
    }
    std::mt19937 random(seed);
    int written = 0;
    while (written < k_events_per_writer) {
      const int batch_size = std::min(k_events_per_writer - written, static_cast<int>(random() % 5) + 1);
      std::vector<JournalEntry> batch(static_cast<std::size_t>(batch_size), test::scan_entry(station, station));
      auto appended = (*store)->append(batch);
      if (!appended) {
        failure = appended.error().message;
        return;
      }
      written += batch_size;
    }
  };
  std::string failure_a;
  std::string failure_b;
  std::thread a(writer, "st-a", 1u, std::ref(failure_a));
  std::thread b(writer, "st-b", 2u, std::ref(failure_b));
  a.join();
  b.join();
  CHECK(failure_a == "");
  CHECK(failure_b == "");

  auto store = backend.open();
  REQUIRE(store);
  const ChainReport report = *(*store)->verify_chain();
  CHECK(report.intact());
  CHECK(report.event_count == 2 * k_events_per_writer);
  const auto rows = read_all(**store);
  std::set<std::int64_t> seqs;
  int from_a = 0;
  for (const auto& row : rows) {
    seqs.insert(row.seq);
    from_a += row.station == "st-a" ? 1 : 0;
  }
  CHECK(seqs.size() == 2 * k_events_per_writer);
  CHECK(from_a == k_events_per_writer);
}

TEST_CASE("Store::append from many threads on one store shares commits and keeps one chain",
          "[store][backend][journal]")
{
  test::StoreBackend backend;
  auto store = backend.open();
  REQUIRE(store);
  constexpr int k_threads = 8;
  constexpr int k_events = 40;
  std::vector<std::vector<JournalEntry>> returned(k_threads);
  std::vector<std::string> failures(k_threads);
  std::vector<std::thread> stations;
  for (int t = 0; t < k_threads; ++t) {
    stations.emplace_back([&, t] {
      const auto i = static_cast<std::size_t>(t);
      for (int n = 0; n < k_events; ++n) {
        auto row = (*store)->append_one(test::scan_entry("st-" + std::to_string(t), std::to_string(n)));
        if (!row) {
          failures[i] = row.error().message;
          return;
        }
        returned[i].push_back(*row);
      }
    });
  }
  for (auto& station : stations) {
    station.join();
  }
  std::map<std::int64_t, std::string> stored;
  for (const auto& row : read_all(**store)) {
    stored.emplace(row.seq, row.hash);
  }
  for (int t = 0; t < k_threads; ++t) {
    const auto i = static_cast<std::size_t>(t);
    INFO("station " << t);
    CHECK(failures[i] == "");
    REQUIRE(returned[i].size() == k_events);
    for (int n = 0; n < k_events; ++n) {
      const JournalEntry& row = returned[i][static_cast<std::size_t>(n)];
      CHECK(row.raw == std::to_string(n)); // each caller gets its own rows back
      CHECK(stored.at(row.seq) == row.hash);
      if (n > 0) {
        CHECK(row.seq > returned[i][static_cast<std::size_t>(n) - 1].seq); // in the order it appended
      }
    }
  }
  auto report = (*store)->verify_chain();
  REQUIRE(report);
  CHECK(report->intact());
  CHECK(report->event_count == k_threads * k_events);
}
