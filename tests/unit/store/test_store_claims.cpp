// The claim rules behind Store::append (one active session per order, across every connection to
// the database) on either backend.
#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

#include <pickverify/store.hpp>

#include "store_backend.hpp"

using namespace pickverify;

namespace {

JournalEntry session_row(const std::string& type, const std::string& station, const std::string& session,
                         const std::string& order = "ORD-7")
{
  JournalEntry entry;
  entry.type = type;
  entry.station = station;
  entry.operator_id = "picker-" + station;
  entry.order_id = order;
  entry.session_id = session;
  entry.reason = type;
  return entry;
}

} // namespace

TEST_CASE("Store::append gives an order to one session and refuses a second, naming the holder",
          "[store][backend][claims]")
{
  test::StoreBackend backend;
  auto store = backend.open();
  REQUIRE(store);
  REQUIRE((*store)->append_one(session_row("session_started", "st-a", "S-a")));
  auto claim = (*store)->find_claim("ORD-7");
  REQUIRE(claim);
  REQUIRE(*claim);
  CHECK((*claim)->station == "st-a");
  CHECK((*claim)->session_id == "S-a");
  CHECK((*claim)->operator_id == "picker-st-a");

  // Another connection, as a second station process would have.
  auto other = backend.open();
  REQUIRE(other);
  auto refused = (*other)->append_one(session_row("session_started", "st-b", "S-b"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().type == ErrorType::conflict);
  CHECK_THAT(refused.error().message,
             Catch::Contains("ORD-7 is open at station st-a") && Catch::Contains("picker picker-st-a"));
  // The refused row wrote nothing; the holder's session goes on.
  CHECK((*other)->verify_chain()->event_count == 1);
  // Rows of a session that does not hold the order are refused too, naming the holder.
  auto stray = (*other)->append_one(session_row("scan", "st-b", "S-b"));
  REQUIRE_FALSE(stray);
  CHECK_THAT(stray.error().message, Catch::Contains("this session no longer holds order ORD-7"));
  REQUIRE((*store)->append_one(session_row("scan", "st-a", "S-a")));

  // packed drops the claim and records where the order went; it cannot start again anywhere.
  REQUIRE((*store)->append_one(session_row("pack_released", "st-a", "S-a")));
  REQUIRE((*store)->append_one(session_row("packed", "st-a", "S-a")));
  CHECK_FALSE(*(*other)->find_claim("ORD-7"));
  auto pack = (*other)->find_pack("ORD-7");
  REQUIRE(pack);
  REQUIRE(*pack);
  CHECK((*pack)->station == "st-a");
  auto again = (*other)->append_one(session_row("session_started", "st-b", "S-c"));
  REQUIRE_FALSE(again);
  CHECK(again.error().type == ErrorType::conflict);
  CHECK_THAT(again.error().message, Catch::Contains("already packed at station st-a"));
  CHECK((*other)->verify_chain()->intact());
}

TEST_CASE("Store::append lets exactly one of many connections racing for an order win", "[store][backend][claims]")
{
  test::StoreBackend backend;
  REQUIRE(backend.open());
  constexpr int k_stations = 6;
  std::atomic<int> ready{0};
  std::vector<std::string> outcome(k_stations);
  std::vector<std::thread> stations;
  for (int s = 0; s < k_stations; ++s) {
    stations.emplace_back([&, s] {
      const std::string station = "st-" + std::to_string(s);
      auto store = backend.open();
      ++ready;
      while (ready < k_stations) {
        std::this_thread::yield();
      }
      if (!store) {
        outcome[static_cast<std::size_t>(s)] = "open failed: " + store.error().message;
        return;
      }
      auto row = (*store)->append_one(session_row("session_started", station, "S-" + station, "ORD-RACE"));
      outcome[static_cast<std::size_t>(s)] = row ? "won" : row.error().message;
    });
  }
  for (auto& station : stations) {
    station.join();
  }
  auto store = backend.open();
  REQUIRE(store);
  auto claim = (*store)->find_claim("ORD-RACE");
  REQUIRE(claim);
  REQUIRE(*claim);
  int winners = 0;
  for (int s = 0; s < k_stations; ++s) {
    const std::string& result = outcome[static_cast<std::size_t>(s)];
    INFO("station st-" << s << ": " << result);
    if (result == "won") {
      ++winners;
      CHECK((*claim)->station == "st-" + std::to_string(s));
    } else {
      CHECK_THAT(result, Catch::Contains("ORD-RACE is open at station " + (*claim)->station));
    }
  }
  CHECK(winners == 1);
  CHECK((*store)->verify_chain()->event_count == 1);
}
