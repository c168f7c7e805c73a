// packed_serials on either backend: a packed row records its session's serials in the same
// transaction, and a serial another order packed already refuses it, whichever connection (station
// process) packs second.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <pickverify/store.hpp>

#include "store_backend.hpp"
#include "store_test_data.hpp"

using namespace pickverify;
using Catch::Matchers::Contains;

namespace {

constexpr const char* k_watch = "09506000002101";

std::unique_ptr<Store> open(const test::StoreBackend& backend)
{
  auto store = backend.open();
  REQUIRE(store);
  return std::move(*store);
}

JournalEntry row(const std::string& station, const std::string& order, const std::string& type)
{
  JournalEntry entry = test::scan_entry(station, "");
  entry.type = type;
  entry.order_id = order;
  entry.session_id = "S-" + order;
  return entry;
}

JournalEntry watch_scan(const std::string& station, const std::string& order, const std::string& serial,
                        const std::string& verdict = "accepted")
{
  JournalEntry entry = row(station, order, "scan");
  entry.raw = std::string("01") + k_watch + "21" + serial;
  entry.gtin = k_watch;
  entry.verdict = verdict;
  entry.detail = nlohmann::json{{"serial", serial}, {"sku", "WATCH-1"}}.dump();
  return entry;
}

std::int64_t count_rows(Store& store, const std::string& type)
{
  std::int64_t rows = 0;
  REQUIRE(store.read_journal({}, [&](const JournalEntry& entry) {
    rows += entry.type == type;
    return true;
  }));
  return rows;
}

} // namespace

TEST_CASE("Store packed row records the session's serials in packed_serials", "[store][backend][serial]")
{
  test::StoreBackend backend;
  auto store = open(backend);
  REQUIRE(store->append({row("A-1", "ORD-1", "session_started")}));
  REQUIRE(store->append({watch_scan("A-1", "ORD-1", "WSN-0001")}));
  REQUIRE(store->append({watch_scan("A-1", "ORD-1", "WSN-0001", "duplicate")}));
  REQUIRE(store->append({watch_scan("A-1", "ORD-1", "WSN-0002")}));
  REQUIRE(store->append({row("A-1", "ORD-1", "pack_released")}));
  REQUIRE(store->find_packed_serials("WSN-0001")->empty()); // not before packed
  REQUIRE(store->append({row("A-1", "ORD-1", "packed")}));

  auto packed = store->find_packed_serials("WSN-0001");
  REQUIRE(packed);
  REQUIRE(packed->size() == 1);
  CHECK((*packed)[0].gtin == k_watch);
  CHECK((*packed)[0].order_id == "ORD-1");
  CHECK((*packed)[0].station == "A-1");
  CHECK((*packed)[0].session_id == "S-ORD-1");
  CHECK(store->find_packed_serials("WSN-0002")->size() == 1);
  CHECK(store->find_packed_serials("WSN-0003")->empty());
}

TEST_CASE("Store refuses a packed row whose serial another order packed, from another connection",
          "[store][backend][serial]")
{
  test::StoreBackend backend;
  auto a = open(backend);
  auto b = open(backend); // a second station process on the same database
  REQUIRE(a->append({row("A-1", "ORD-1", "session_started")}));
  REQUIRE(b->append({row("B-2", "ORD-2", "session_started")}));
  REQUIRE(a->append({watch_scan("A-1", "ORD-1", "WSN-0001")}));
  REQUIRE(b->append({watch_scan("B-2", "ORD-2", "WSN-0001")})); // both benches hold "the same" watch
  REQUIRE(a->append({row("A-1", "ORD-1", "pack_released")}));
  REQUIRE(b->append({row("B-2", "ORD-2", "pack_released")}));
  REQUIRE(a->append({row("A-1", "ORD-1", "packed")}));

  auto second = b->append({row("B-2", "ORD-2", "packed")});
  REQUIRE_FALSE(second);
  CHECK(second.error().type == ErrorType::conflict);
  CHECK_THAT(second.error().message, Contains("serial WSN-0001"));
  CHECK_THAT(second.error().message, Contains("order ORD-1 at station A-1"));
  CHECK_FALSE(*b->find_pack("ORD-2"));        // nothing of the refused row was written
  CHECK(b->find_claim("ORD-2")->has_value()); // ORD-2 stays open at B-2
  CHECK(b->find_packed_serials("WSN-0001")->size() == 1);
  CHECK(count_rows(*b, "packed") == 1);
  REQUIRE(b->verify_chain()->intact());
}

TEST_CASE("Store::read_journal filters by serial", "[store][backend][serial]")
{
  test::StoreBackend backend;
  auto store = open(backend);
  REQUIRE(store->append({row("A-1", "ORD-1", "session_started")}));
  REQUIRE(store->append({watch_scan("A-1", "ORD-1", "WSN-0001")}));
  REQUIRE(store->append({watch_scan("A-1", "ORD-1", "WSN-0002")}));
  REQUIRE(store->append({watch_scan("A-1", "ORD-1", "WSN-00")}));   // a prefix is another serial
  REQUIRE(store->append({watch_scan("A-1", "ORD-1", "WSN_0002")})); // so is a LIKE wildcard
  JournalEntry plain = row("A-1", "ORD-1", "scan");
  plain.detail = "";                        // rows without JSON detail do not upset the filter
  plain.reason = "\"serial\":\"WSN-0002\""; // nor does the text elsewhere
  REQUIRE(store->append({plain}));
  JournalFilter filter;
  filter.serial = "WSN-0002";
  std::vector<std::int64_t> seqs;
  REQUIRE(store->read_journal(filter, [&](const JournalEntry& entry) {
    seqs.push_back(entry.seq);
    return true;
  }));
  CHECK(seqs == std::vector<std::int64_t>{3});
  JournalFilter from;
  from.from_seq = 5;
  seqs.clear();
  REQUIRE(store->read_journal(from, [&](const JournalEntry& entry) {
    seqs.push_back(entry.seq);
    return true;
  }));
  CHECK(seqs == std::vector<std::int64_t>{5, 6});
}
