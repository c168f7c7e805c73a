// Station::start_order after a restart: the unfinished session is rebuilt from the journal.
#include <catch2/catch.hpp>

#include <pickverify/station.hpp>

#include "temp_dir.hpp"

using namespace pickverify;

namespace {

struct Fixture {
  test::TempDir dir;
  std::unique_ptr<Store> store;
  Catalog catalog;

  Fixture()
  {
    auto opened = open_sqlite_store(dir / "pickverify.db");
    REQUIRE(opened);
    store = std::move(*opened);
    auto add = [&](const char* sku, const char* style, Attributes attributes, const char* gtin) {
      Item item;
      item.sku = sku;
      item.style = style;
      item.description = sku;
      item.attributes = std::move(attributes);
      item.gtins = {gtin};
      REQUIRE(catalog.add_item(item));
    };
    add("TR-RUN-09-D", "TR-RUN", {{"size", "9"}, {"width", "D"}}, "9506000001418");
    add("TR-RUN-10-D", "TR-RUN", {{"size", "10"}, {"width", "D"}}, "9506000001487");
    add("ACC-INSOLE-M", "ACC-INSOLE", {}, "9506000001692");
    REQUIRE(store->save_catalog(catalog));
    Order order;
    order.id = "ORD-1";
    order.value = Money{2000, "USD"};
    order.lines.push_back(OrderLine{1, "", "TR-RUN", {{"size", "9"}}, 1, "Trail runner 9"});
    order.lines.push_back(OrderLine{2, "ACC-INSOLE-M", "", {}, 2, ""});
    REQUIRE(store->save_orders({order}));
  }

  ScanEvent scan(const std::string& raw, int ms)
  {
    ScanEvent event;
    event.raw = raw;
    event.source = "usb:1";
    event.monotonic = std::chrono::steady_clock::time_point{} + std::chrono::milliseconds(ms);
    event.utc = std::chrono::system_clock::now();
    return event;
  }
};

} // namespace

TEST_CASE("Station::start_order resumes an unfinished session with its scans and alerts", "[station]")
{
  Fixture fixture;
  {
    Station first("bench-1", *fixture.store, fixture.catalog, Policy{});
    REQUIRE(first.handle_scan(fixture.scan("ORD-1", 0)));
    REQUIRE(first.handle_scan(fixture.scan("9506000001487", 1000))->verdict == Verdict::wrong_variant);
    REQUIRE(first.handle_scan(fixture.scan("9506000001692", 2000))->verdict == Verdict::accepted);
    REQUIRE(first.handle_scan(fixture.scan("9506000001692", 2050))->verdict == Verdict::duplicate);
    REQUIRE(first.session()->state() == SessionState::blocked);
  } // the station goes away as if the process had been killed

  Station second("bench-1", *fixture.store, fixture.catalog, Policy{});
  auto resumed = second.handle_scan(fixture.scan("ORD-1", 10'000));
  REQUIRE(resumed);
  CHECK_THAT(resumed->headline, Catch::Contains("RESUMED"));
  const PackSession* session = second.session();
  REQUIRE(session);
  CHECK(session->state() == SessionState::blocked);
  CHECK(session->lines()[1].verified == 1); // the duplicate was not counted again
  REQUIRE(session->open_alerts().size() == 1);

  AlertResolution resolution;
  resolution.role = Role::supervisor;
  resolution.operator_id = "sup";
  resolution.reason_code = "item_set_aside";
  REQUIRE(second.resolve_alert(1, resolution));
  REQUIRE(second.handle_scan(fixture.scan("9506000001418", 11'000))->verdict == Verdict::accepted);
  REQUIRE(second.handle_scan(fixture.scan("9506000001692", 12'000))->verdict == Verdict::accepted);
  auto pack = second.request_pack();
  REQUIRE(pack);
  CHECK(pack->headline == "PACK RELEASED");
  REQUIRE(second.mark_packed());

  // Packed once: scanning the order again anywhere is refused.
  Station third("bench-2", *fixture.store, fixture.catalog, Policy{});
  auto again = third.start_order("ORD-1");
  REQUIRE_FALSE(again);
  CHECK_THAT(again.error().message, Catch::Contains("already packed"));

  auto chain = fixture.store->verify_chain();
  REQUIRE(chain);
  CHECK(chain->intact());
}

TEST_CASE("Station::start_order starts afresh after an abandoned session", "[station]")
{
  Fixture fixture;
  {
    Station first("bench-1", *fixture.store, fixture.catalog, Policy{});
    REQUIRE(first.start_order("ORD-1"));
    REQUIRE(first.handle_scan(fixture.scan("9506000001692", 1000))->verdict == Verdict::accepted);
    REQUIRE(first.abandon("picker called away"));
  }
  Station second("bench-1", *fixture.store, fixture.catalog, Policy{});
  auto started = second.start_order("ORD-1");
  REQUIRE(started);
  CHECK_THAT(started->headline, !Catch::Contains("RESUMED"));
  CHECK(second.session()->lines()[1].verified == 0);
}
