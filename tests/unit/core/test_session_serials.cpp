// PackSession and serial-tracked items: the serial from AI 21, or from the serial label scanned next.
#include <catch2/catch.hpp>

#include <map>

#include <pickverify/session.hpp>

using namespace pickverify;
using namespace std::chrono_literals;

namespace {

constexpr const char* k_watch_gtin = "09506000002101";  // serial in AI 21 of its GS1 label
constexpr const char* k_camera_gtin = "09506000002200"; // serial on a label of its own
constexpr const char* k_strap_gtin = "09506000002309";  // not serial-tracked

Catalog serial_catalog()
{
  Catalog catalog;
  Item watch;
  watch.sku = "WATCH-1";
  watch.description = "Diver watch";
  watch.gtins = {k_watch_gtin};
  watch.serial_tracked = true;
  REQUIRE(catalog.add_item(watch));
  Item camera;
  camera.sku = "CAM-1";
  camera.description = "Action camera";
  camera.gtins = {k_camera_gtin};
  camera.serial_tracked = true;
  camera.serial_label = true;
  REQUIRE(catalog.add_item(camera));
  Item strap;
  strap.sku = "STRAP-1";
  strap.description = "Watch strap";
  strap.gtins = {k_strap_gtin};
  REQUIRE(catalog.add_item(strap));
  return catalog;
}

Order order_of(const std::string& sku, std::int32_t quantity)
{
  Order order;
  order.id = "ORD-SER-1";
  order.value = Money{5000, "USD"};
  order.lines.push_back(OrderLine{1, sku, "", {}, quantity, ""});
  return order;
}

class Bench {
public:
  ScanEvent scan(const std::string& raw, const std::string& aim = "")
  {
    m_now += 1000ms;
    ScanEvent event;
    event.raw = raw;
    if (!aim.empty()) {
      event.aim = aim;
    }
    event.source = "usb:1";
    event.monotonic = m_now;
    return event;
  }
  ScanEvent gs1(const std::string& gtin14, const std::string& serial)
  {
    return scan("01" + gtin14 + "21" + serial, "]C1");
  }

private:
  std::chrono::steady_clock::time_point m_now{};
};

PackSession start(const Catalog& catalog, const Order& order)
{
  auto session = PackSession::start(order, catalog, Policy{});
  REQUIRE(session);
  return std::move(*session);
}

} // namespace

TEST_CASE("PackSession::apply counts a serial-tracked unit with its AI 21 serial", "[session][serial]")
{
  const Catalog catalog = serial_catalog();
  PackSession session = start(catalog, order_of("WATCH-1", 2));
  Bench bench;
  auto first = session.apply(bench.gs1(k_watch_gtin, "WSN-0001"));
  CHECK(first.verdict == Verdict::accepted);
  CHECK(first.serial == "WSN-0001");
  CHECK_THAT(first.message, Catch::Contains("serial WSN-0001"));
  CHECK(session.lines()[0].verified == 1);
}

TEST_CASE("PackSession::apply takes the same serial twice as a duplicate, not a second unit", "[session][serial]")
{
  const Catalog catalog = serial_catalog();
  PackSession session = start(catalog, order_of("WATCH-1", 2));
  Bench bench;
  REQUIRE(session.apply(bench.gs1(k_watch_gtin, "WSN-0001")).verdict == Verdict::accepted);
  auto again = session.apply(bench.gs1(k_watch_gtin, "WSN-0001"));
  CHECK(again.verdict == Verdict::duplicate);
  CHECK(again.serial == "WSN-0001");
  CHECK_THAT(again.message, Catch::Contains("already counted"));
  CHECK(session.lines()[0].verified == 1);
  CHECK(session.open_alerts().empty());
  CHECK(session.request_pack().reasons.size() == 1); // still one watch missing
  CHECK(session.apply(bench.gs1(k_watch_gtin, "WSN-0002")).verdict == Verdict::accepted);
  CHECK(session.state() == SessionState::complete);
}

TEST_CASE("PackSession::apply refuses a serial-tracked unit scanned without its serial", "[session][serial]")
{
  const Catalog catalog = serial_catalog();
  PackSession session = start(catalog, order_of("WATCH-1", 1));
  Bench bench;
  auto plain = session.apply(bench.scan("9506000002101")); // the EAN-13 alone
  CHECK(plain.verdict == Verdict::serial_missing);
  CHECK_THAT(plain.message, Catch::Contains("scan the serial label"));
  CHECK(session.lines()[0].verified == 0);
  // An AI-21 item takes its serial from the same scan only: a text label after it is not its serial.
  CHECK(session.apply(bench.scan("WSN-0001", "]C0")).verdict == Verdict::unknown_code);
  CHECK(session.lines()[0].verified == 0);
}

TEST_CASE("PackSession::apply refuses a serial packed in another order and says where it went", "[session][serial]")
{
  const Catalog catalog = serial_catalog();
  PackSession session = start(catalog, order_of("WATCH-1", 1));
  std::map<std::string, std::string> shipped{{std::string(k_watch_gtin) + "/WSN-0001", "order ORD-7 at station B-2"}};
  session.set_serial_whereabouts([&](const std::string& gtin, const std::string& serial) -> std::optional<std::string> {
    auto found = shipped.find(gtin + "/" + serial);
    return found == shipped.end() ? std::nullopt : std::optional<std::string>(found->second);
  });
  Bench bench;
  auto outcome = session.apply(bench.gs1(k_watch_gtin, "WSN-0001"));
  CHECK(outcome.verdict == Verdict::serial_packed);
  CHECK_THAT(outcome.message, Catch::Contains("order ORD-7 at station B-2"));
  REQUIRE(outcome.alert_id);
  CHECK(session.lines()[0].verified == 0);
  // It cannot be counted by an override either: nothing to count it on.
  AlertResolution resolution{Role::supervisor, "SUP-1", "customer_accepts_substitute", "", true};
  CHECK_FALSE(session.resolve_alert(*outcome.alert_id, resolution));
  resolution.override_mismatch = false;
  resolution.reason_code = "item_set_aside";
  REQUIRE(session.resolve_alert(*outcome.alert_id, resolution));
  CHECK(session.apply(bench.gs1(k_watch_gtin, "WSN-0002")).verdict == Verdict::accepted);
  CHECK(session.state() == SessionState::complete);
}

TEST_CASE("PackSession::apply takes a serial-label item's serial from the scan after it", "[session][serial]")
{
  const Catalog catalog = serial_catalog();
  PackSession session = start(catalog, order_of("CAM-1", 2));
  Bench bench;
  auto product = session.apply(bench.scan("9506000002200"));
  CHECK(product.verdict == Verdict::serial_missing);
  CHECK_THAT(product.message, Catch::Contains("scan its serial label now"));
  CHECK(session.awaiting_serial_label() != nullptr);
  CHECK(session.lines()[0].verified == 0);

  auto label = session.apply(bench.scan("CAMSN77", "]C0"));
  CHECK(label.verdict == Verdict::accepted);
  CHECK(label.serial == "CAMSN77");
  CHECK(label.code.gtin14 == k_camera_gtin); // the row names the unit the serial belongs to
  CHECK(session.lines()[0].verified == 1);
  CHECK(session.awaiting_serial_label() == nullptr);

  // The same serial label for the second unit is a duplicate.
  REQUIRE(session.apply(bench.scan("9506000002200")).verdict == Verdict::serial_missing);
  CHECK(session.apply(bench.scan("CAMSN77", "]C0")).verdict == Verdict::duplicate);
  CHECK(session.lines()[0].verified == 1);
  REQUIRE(session.apply(bench.scan("9506000002200")).verdict == Verdict::serial_missing);
  CHECK(session.apply(bench.scan("CAMSN78", "]C0")).verdict == Verdict::accepted);
  CHECK(session.state() == SessionState::complete);
}

TEST_CASE("PackSession::apply takes a GS1 (21)-only serial label where the requisite-AI rule is off",
          "[session][serial]")
{
  const Catalog catalog = serial_catalog();
  Policy policy;
  policy.gs1_requisite_ais = false; // with it on, (21) without (01) is malformed: "(21) needs (01)"
  auto session = PackSession::start(order_of("CAM-1", 1), catalog, policy);
  REQUIRE(session);
  Bench bench;
  REQUIRE(session->apply(bench.scan("9506000002200")).verdict == Verdict::serial_missing);
  auto label = session->apply(bench.scan("21CAMSN78", "]C1"));
  CHECK(label.verdict == Verdict::accepted);
  CHECK(label.serial == "CAMSN78");
}

TEST_CASE("PackSession::apply drops a waiting serial label when another product comes first", "[session][serial]")
{
  const Catalog catalog = serial_catalog();
  Order order = order_of("CAM-1", 1);
  order.lines.push_back(OrderLine{2, "STRAP-1", "", {}, 1, ""});
  PackSession session = start(catalog, order);
  Bench bench;
  REQUIRE(session.apply(bench.scan("9506000002200")).verdict == Verdict::serial_missing);
  CHECK(session.apply(bench.scan("9506000002309")).verdict == Verdict::accepted); // the strap
  CHECK(session.awaiting_serial_label() == nullptr);
  // A serial label now has no product before it: it counts nothing.
  CHECK(session.apply(bench.scan("CAMSN77", "]C0")).verdict == Verdict::unknown_code);
  CHECK(session.lines()[0].verified == 0);
  // Not a serial (a space, too long): refused, and the label is still awaited.
  REQUIRE(session.apply(bench.scan("9506000002200")).verdict == Verdict::serial_missing);
  CHECK(session.apply(bench.scan("CAM SN 77", "]C0")).verdict == Verdict::serial_missing);
  CHECK(session.awaiting_serial_label() != nullptr);
  CHECK(session.apply(bench.scan("CAMSN77", "]C0")).verdict == Verdict::accepted);
}

TEST_CASE("PackSession::resolve_alert counts a serial-tracked unit only with its serial", "[session][serial]")
{
  Catalog catalog = serial_catalog();
  Item other_watch;
  other_watch.sku = "WATCH-2";
  other_watch.style = "WATCH";
  other_watch.description = "Diver watch, blue";
  other_watch.gtins = {"9506000002408"};
  other_watch.attributes = {{"colour", "blue"}};
  other_watch.serial_tracked = true;
  REQUIRE(catalog.add_item(other_watch));
  Item black = other_watch;
  black.sku = "WATCH-3";
  black.description = "Diver watch, black";
  black.gtins = {"9506000002507"};
  black.attributes = {{"colour", "black"}};
  REQUIRE(catalog.add_item(black));
  PackSession session = start(catalog, order_of("WATCH-3", 1));
  Bench bench;
  auto blue = session.apply(bench.scan("9506000002408")); // wrong variant, no serial
  REQUIRE(blue.verdict == Verdict::wrong_variant);
  REQUIRE(blue.alert_id);
  AlertResolution resolution{Role::supervisor, "SUP-1", "customer_accepts_substitute", "", true};
  auto refused = session.resolve_alert(*blue.alert_id, resolution);
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains("serial-tracked"));

  auto with_serial = session.apply(bench.gs1("09506000002408", "BLU-9"));
  REQUIRE(with_serial.alert_id);
  REQUIRE(session.resolve_alert(*with_serial.alert_id, resolution));
  CHECK(session.lines()[0].verified == 1);
}
