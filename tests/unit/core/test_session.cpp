// PackSession: verdicts, alerts, the pack gate and the image-check gate, on the incident's order.
#include <catch2/catch.hpp>

#include <pickverify/session.hpp>

using namespace pickverify;
using namespace std::chrono_literals;

namespace {

Item shoe(const std::string& size, const std::string& width, const std::string& gtin13)
{
  Item item;
  item.sku = "TR-RUN-" + size + "-" + width;
  item.style = "TR-RUN";
  item.description = "Trail runner, size " + size + ", width " + width;
  item.gtins = {gtin13};
  item.attributes = {{"size", size}, {"width", width}, {"colour", "black"}};
  item.unit_value = Money{18900, "USD"};
  return item;
}

Item simple(const std::string& sku, const std::string& gtin13, const std::string& description)
{
  Item item;
  item.sku = sku;
  item.description = description;
  item.gtins = {gtin13};
  return item;
}

Catalog demo_catalog()
{
  Catalog catalog;
  REQUIRE(catalog.add_item(shoe("9", "D", "9506000001418")));
  REQUIRE(catalog.add_item(shoe("10", "D", "9506000001487")));
  REQUIRE(catalog.add_item(shoe("9", "E", "9506000001623")));
  REQUIRE(catalog.add_item(simple("ACC-INSOLE-M", "9506000001692", "Cushion insoles, M")));
  REQUIRE(catalog.add_item(simple("ACC-LACES-BLK", "9506000001760", "Laces, black")));
  REQUIRE(catalog.add_item(simple("CARE-BRUSH", "9506000001838", "Shoe brush")));
  REQUIRE(catalog.add_item(simple("CARE-SPRAY", "9506000001906", "Spray")));
  REQUIRE(catalog.add_item(simple("SOCK-RUN-M", "9506000001975", "Running socks, M")));
  REQUIRE(catalog.add_kit(Kit{"KIT-CARE", "Shoe care kit", {{"CARE-BRUSH", 1}, {"CARE-SPRAY", 1}}}));
  return catalog;
}

Order incident_order()
{
  Order order;
  order.id = "ORD-2025-00145";
  order.value = Money{28500, "USD"};
  OrderLine shoes;
  shoes.line_no = 1;
  shoes.style = "TR-RUN";
  shoes.required_attributes = {{"size", "9"}, {"width", "D"}};
  order.lines.push_back(shoes);
  order.lines.push_back(OrderLine{2, "ACC-INSOLE-M", "", {}, 1, ""});
  order.lines.push_back(OrderLine{3, "ACC-LACES-BLK", "", {}, 1, ""});
  order.lines.push_back(OrderLine{4, "KIT-CARE", "", {}, 1, ""});
  return order;
}

Order socks_order()
{
  Order order;
  order.id = "ORD-2025-00146";
  order.value = Money{2400, "USD"};
  order.lines.push_back(OrderLine{1, "SOCK-RUN-M", "", {}, 2, ""});
  return order;
}

// Scans a second apart from one scanner unless told otherwise.
class Bench {
public:
  ScanEvent scan(const std::string& raw, std::chrono::milliseconds after = 1000ms, const std::string& source = "usb:1")
  {
    m_now += after;
    ScanEvent event;
    event.raw = raw;
    event.source = source;
    event.monotonic = m_now;
    return event;
  }

private:
  std::chrono::steady_clock::time_point m_now{};
};

PackSession start(const Catalog& catalog, const Order& order, Policy policy = {})
{
  auto session = PackSession::start(order, catalog, policy);
  REQUIRE(session);
  return std::move(*session);
}

void scan_all_incident_items(PackSession& session, Bench& bench)
{
  for (const char* gtin : {"9506000001418", "9506000001692", "9506000001760", "9506000001838", "9506000001906"}) {
    REQUIRE(session.apply(bench.scan(gtin)).verdict == Verdict::accepted);
  }
}

} // namespace

TEST_CASE("PackSession::start expands kits into component lines", "[session]")
{
  const Catalog catalog = demo_catalog();
  PackSession session = start(catalog, incident_order());
  REQUIRE(session.lines().size() == 5);
  CHECK(session.lines()[3].line.kit_sku == "KIT-CARE");
  CHECK(session.lines()[4].line.sku == "CARE-SPRAY");
  CHECK(session.state() == SessionState::active);
  CHECK(session.needs_image_check());
}

TEST_CASE("PackSession::start refuses an order naming an unknown SKU", "[session]")
{
  const Catalog catalog = demo_catalog();
  Order order = socks_order();
  order.lines[0].sku = "NOPE";
  auto session = PackSession::start(order, catalog, Policy{});
  REQUIRE_FALSE(session);
  CHECK_THAT(session.error().message, Catch::Contains("NOPE"));
}

TEST_CASE("PackSession::apply refuses the size-10 box and names the difference", "[session]")
{
  const Catalog catalog = demo_catalog();
  PackSession session = start(catalog, incident_order());
  Bench bench;
  const auto outcome = session.apply(bench.scan("9506000001487"));
  CHECK(outcome.verdict == Verdict::wrong_variant);
  CHECK_THAT(outcome.message, Catch::Contains("size: scanned 10, order needs 9"));
  CHECK_THAT(outcome.message, !Catch::Contains("width"));
  REQUIRE(outcome.alert_id);
  CHECK(session.state() == SessionState::blocked);
  CHECK(session.lines()[0].verified == 0);
}

TEST_CASE("PackSession::apply names every differing attribute", "[session]")
{
  Catalog catalog = demo_catalog();
  REQUIRE(catalog.add_item(shoe("10", "E", "9506000001555")));
  PackSession session = start(catalog, incident_order());
  Bench bench;
  const auto outcome = session.apply(bench.scan("9506000001555"));
  CHECK(outcome.verdict == Verdict::wrong_variant);
  CHECK_THAT(outcome.message, Catch::Contains("size: scanned 10, order needs 9"));
  CHECK_THAT(outcome.message, Catch::Contains("width: scanned E, order needs D"));
}

TEST_CASE("PackSession::apply tells wrong item, unknown code, malformed and over quantity apart", "[session]")
{
  const Catalog catalog = demo_catalog();
  PackSession session = start(catalog, socks_order());
  Bench bench;
  CHECK(session.apply(bench.scan("9506000001838")).verdict == Verdict::wrong_item);
  CHECK(session.apply(bench.scan("4006381333931")).verdict == Verdict::unknown_code); // valid GTIN, not in catalog
  CHECK(session.apply(bench.scan("9506000001976")).verdict == Verdict::malformed);    // wrong check digit
  CHECK(session.apply(bench.scan("hello world")).verdict == Verdict::unknown_code);   // not a product code
  CHECK(session.apply(bench.scan("9506000001975")).verdict == Verdict::accepted);
  CHECK(session.apply(bench.scan("9506000001975")).verdict == Verdict::accepted);
  const auto third = session.apply(bench.scan("9506000001975"));
  CHECK(third.verdict == Verdict::over_quantity);
  CHECK_THAT(third.message, Catch::Contains("2/2"));
  CHECK(session.lines()[0].verified == 2);
}

TEST_CASE("PackSession::apply counts a malformed read nowhere and opens no alert by default", "[session]")
{
  const Catalog catalog = demo_catalog();
  PackSession session = start(catalog, socks_order());
  Bench bench;
  const auto outcome = session.apply(bench.scan("9506000001976"));
  CHECK(outcome.verdict == Verdict::malformed);
  CHECK_FALSE(outcome.alert_id);
  CHECK(session.state() == SessionState::active);
}

TEST_CASE("PackSession::apply reads GS1 data with an AIM id as the item", "[session]")
{
  const Catalog catalog = demo_catalog();
  PackSession session = start(catalog, incident_order());
  Bench bench;
  ScanEvent event = bench.scan(std::string("0109506000001906") + "10LOT42");
  event.aim = "]d2";
  const auto outcome = session.apply(event);
  CHECK(outcome.verdict == Verdict::accepted);
  CHECK(outcome.code.gtin14 == "09506000001906");
  // The same data as a prefix of the text, as keyboard-wedge scanners send it.
  const auto prefixed = session.apply(bench.scan("]C1010950600000183810LOT1"));
  CHECK(prefixed.verdict == Verdict::accepted);
}

TEST_CASE("PackSession::apply treats the same code from the same source inside the bounce window as duplicate",
          "[session]")
{
  const Catalog catalog = demo_catalog();
  PackSession session = start(catalog, socks_order());
  Bench bench;
  CHECK(session.apply(bench.scan("9506000001975")).verdict == Verdict::accepted);
  const auto bounce = session.apply(bench.scan("9506000001975", 120ms));
  CHECK(bounce.verdict == Verdict::duplicate);
  CHECK_FALSE(bounce.alert_id);
  CHECK(session.lines()[0].verified == 1);
  // Another scanner inside the window is a real second unit.
  CHECK(session.apply(bench.scan("9506000001975", 10ms, "usb:2")).verdict == Verdict::accepted);
  CHECK(session.lines()[0].verified == 2);
}

TEST_CASE("PackSession::apply counts the same code again after the bounce window", "[session]")
{
  const Catalog catalog = demo_catalog();
  Policy policy;
  policy.bounce_window = 300ms;
  PackSession session = start(catalog, socks_order(), policy);
  Bench bench;
  CHECK(session.apply(bench.scan("9506000001975")).verdict == Verdict::accepted);
  CHECK(session.apply(bench.scan("9506000001975", 301ms)).verdict == Verdict::accepted);
}

TEST_CASE("PackSession::request_pack lists every missing line, open alert and the image check", "[session]")
{
  const Catalog catalog = demo_catalog();
  PackSession session = start(catalog, incident_order());
  Bench bench;
  session.apply(bench.scan("9506000001487"));
  session.apply(bench.scan("9506000001418"));
  const PackDecision decision = session.request_pack();
  CHECK_FALSE(decision.released);
  std::string all;
  for (const auto& reason : decision.reasons)
    all += reason + "\n";
  CHECK_THAT(all, Catch::Contains("Cushion insoles, M"));
  CHECK_THAT(all, Catch::Contains("Laces, black"));
  CHECK_THAT(all, Catch::Contains("Shoe brush"));
  CHECK_THAT(all, Catch::Contains("alert 1 open"));
  CHECK_THAT(all, Catch::Contains("image check required"));
  CHECK_THAT(all, !Catch::Contains("Trail runner")); // verified
  CHECK(session.state() == SessionState::blocked);
}

TEST_CASE("PackSession high-value order waits for the image check and is released when it passes", "[session]")
{
  const Catalog catalog = demo_catalog();
  PackSession session = start(catalog, incident_order());
  Bench bench;
  scan_all_incident_items(session, bench);
  CHECK(session.state() == SessionState::awaiting_image_check);
  CHECK_FALSE(session.request_pack().released);

  const ImageCheckRequest request = session.image_check_request();
  REQUIRE(request.expected.size() == 5);
  CHECK(request.expected[0].gtin14 == "09506000001418");

  ImageCheckResult retake;
  retake.outcome = ImageCheckOutcome::retake;
  retake.reason = "too dark";
  REQUIRE(session.apply_image_check(retake));
  CHECK(session.state() == SessionState::awaiting_image_check);

  ImageCheckResult passed;
  passed.outcome = ImageCheckOutcome::passed;
  auto decision = session.apply_image_check(passed);
  REQUIRE(decision);
  CHECK(decision->released);
  CHECK(session.state() == SessionState::released);
  CHECK(session.mark_packed());
  CHECK(session.state() == SessionState::packed);
}

TEST_CASE("PackSession failed image check opens an alert that only a supervisor clears", "[session]")
{
  const Catalog catalog = demo_catalog();
  PackSession session = start(catalog, incident_order());
  Bench bench;
  scan_all_incident_items(session, bench);
  ImageCheckResult failed;
  failed.outcome = ImageCheckOutcome::failed;
  failed.reason = "missing: Cushion insoles, M";
  REQUIRE(session.apply_image_check(failed));
  CHECK(session.state() == SessionState::blocked);
  const auto alert_id = session.open_alerts().front()->id;
  CHECK_FALSE(session.resolve_alert(alert_id, AlertResolution{Role::picker, "p1", "retaken", "", false}));
  REQUIRE(session.resolve_alert(alert_id, AlertResolution{Role::supervisor, "s1", "repacked", "insoles added", false}));
  CHECK(session.state() == SessionState::awaiting_image_check);
}

TEST_CASE("PackSession low-value order is released on request once complete", "[session]")
{
  const Catalog catalog = demo_catalog();
  PackSession session = start(catalog, socks_order());
  Bench bench;
  CHECK_FALSE(session.needs_image_check());
  session.apply(bench.scan("9506000001975"));
  CHECK_FALSE(session.request_pack().released);
  session.apply(bench.scan("9506000001975"));
  CHECK(session.state() == SessionState::complete);
  CHECK(session.request_pack().released);
  CHECK(session.state() == SessionState::released);
}

TEST_CASE("PackSession::resolve_alert: picker may clear unknown_code, not wrong_variant", "[session]")
{
  const Catalog catalog = demo_catalog();
  PackSession session = start(catalog, incident_order());
  Bench bench;
  const auto unknown = session.apply(bench.scan("4006381333931"));
  const auto wrong = session.apply(bench.scan("9506000001487"));
  REQUIRE(unknown.alert_id);
  REQUIRE(wrong.alert_id);
  CHECK(session.resolve_alert(*unknown.alert_id, AlertResolution{Role::picker, "p1", "item_set_aside", "", false}));
  auto refused =
      session.resolve_alert(*wrong.alert_id, AlertResolution{Role::picker, "p1", "item_set_aside", "", false});
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains("supervisor"));
  CHECK_FALSE(
      session.resolve_alert(*wrong.alert_id, AlertResolution{Role::supervisor, "s1", "", "", false})); // no reason
  CHECK(session.resolve_alert(*wrong.alert_id, AlertResolution{Role::supervisor, "s1", "item_set_aside", "", false}));
  CHECK_FALSE(session.resolve_alert(*wrong.alert_id, AlertResolution{Role::supervisor, "s1", "again", "", false}));
  CHECK(session.state() == SessionState::active);
}

TEST_CASE("PackSession::resolve_alert override counts the substitute on its line", "[session]")
{
  const Catalog catalog = demo_catalog();
  PackSession session = start(catalog, incident_order());
  Bench bench;
  const auto wide = session.apply(bench.scan("9506000001623")); // size 9, width E
  REQUIRE(wide.verdict == Verdict::wrong_variant);
  CHECK_THAT(wide.message, Catch::Contains("width: scanned E, order needs D"));
  CHECK_FALSE(session.resolve_alert(*wide.alert_id, AlertResolution{Role::picker, "p1", "accept", "", true}));
  REQUIRE(session.resolve_alert(
      *wide.alert_id, AlertResolution{Role::supervisor, "s1", "customer_accepts_substitute", "called", true}));
  CHECK(session.lines()[0].verified == 1);
  CHECK(session.alerts()[0].overridden);
  // the override unit must be in the photo too
  CHECK(session.image_check_request().expected.front().gtin14 == "09506000001623");
}

TEST_CASE("PackSession::set_device_online keeps the pack refused while a device is offline", "[session]")
{
  const Catalog catalog = demo_catalog();
  PackSession session = start(catalog, socks_order());
  Bench bench;
  session.apply(bench.scan("9506000001975"));
  session.apply(bench.scan("9506000001975"));
  session.set_device_online("usb:1-1", false);
  const auto refused = session.request_pack();
  CHECK_FALSE(refused.released);
  REQUIRE(refused.reasons.size() == 1);
  CHECK_THAT(refused.reasons[0], Catch::Contains("usb:1-1"));
  session.set_device_online("usb:1-1", true);
  CHECK(session.request_pack().released);
}

TEST_CASE("PackSession::apply after release refuses more items", "[session]")
{
  const Catalog catalog = demo_catalog();
  PackSession session = start(catalog, socks_order());
  Bench bench;
  session.apply(bench.scan("9506000001975"));
  session.apply(bench.scan("9506000001975"));
  REQUIRE(session.request_pack().released);
  const auto late = session.apply(bench.scan("9506000001838"));
  CHECK(late.verdict != Verdict::accepted);
  CHECK(session.state() == SessionState::released);
}

TEST_CASE("PackSession::abandon needs a reason and ends the session", "[session]")
{
  const Catalog catalog = demo_catalog();
  PackSession session = start(catalog, socks_order());
  CHECK_FALSE(session.abandon(""));
  CHECK(session.abandon("customer cancelled"));
  CHECK(session.state() == SessionState::abandoned);
  CHECK_FALSE(session.request_pack().released);
  CHECK_FALSE(session.abandon("again"));
}

TEST_CASE("PackSession flags from items require the image check on a low-value order", "[session]")
{
  Catalog catalog;
  Item watch = simple("WATCH", "9506000001975", "Watch");
  watch.image_check_required = true;
  REQUIRE(catalog.add_item(watch));
  Order order;
  order.id = "O-1";
  order.value = Money{1000, "USD"};
  order.lines.push_back(OrderLine{1, "WATCH", "", {}, 1, ""});
  PackSession session = start(catalog, order);
  CHECK(session.needs_image_check());
  Bench bench;
  session.apply(bench.scan("9506000001975"));
  CHECK(session.state() == SessionState::awaiting_image_check);
}

TEST_CASE("PackSession::image_check_request lists no-visible-barcode items apart", "[session]")
{
  Catalog catalog;
  Item card = simple("GIFT-CARD", "9506000001838", "Gift card in envelope");
  card.no_visible_barcode = true;
  REQUIRE(catalog.add_item(card));
  REQUIRE(catalog.add_item(simple("SOCK-RUN-M", "9506000001975", "Running socks, M")));
  Order order;
  order.id = "O-2";
  order.value = Money{50000, "USD"};
  order.lines.push_back(OrderLine{1, "GIFT-CARD", "", {}, 1, ""});
  order.lines.push_back(OrderLine{2, "SOCK-RUN-M", "", {}, 1, ""});
  PackSession session = start(catalog, order);
  Bench bench;
  session.apply(bench.scan("9506000001838"));
  session.apply(bench.scan("9506000001975"));
  const auto request = session.image_check_request();
  REQUIRE(request.expected.size() == 1);
  CHECK(request.expected[0].sku == "SOCK-RUN-M");
  REQUIRE(request.not_visible.size() == 1);
  CHECK(request.not_visible[0].sku == "GIFT-CARD");
}
