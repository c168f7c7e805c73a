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
  CHECK(outcome.differing_attribute == "size"); // the station's headline: WRONG SIZE
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
  CHECK(outcome.differing_attribute.empty()); // two differ: the headline stays WRONG VARIANT
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

// --- Packaging levels: inner packs, cases and (02)+(37) labels count units -----------------------

namespace {

constexpr const char* k_socks_each = "9506000001975";
constexpr const char* k_socks_inner = "9506000002293"; // inner pack of 3
constexpr const char* k_socks_case = "19506000001972"; // case of 12
// A logistic label: (00) its SSCC, (02) the each GTIN inside, (37) 2 of them.
constexpr const char* k_socks_two = "]C100009506000000000019"
                                    "0209506000001975"
                                    "372";

Catalog socks_catalog()
{
  Catalog catalog;
  Item socks = simple("SOCK-RUN-M", k_socks_each, "Running socks, M");
  socks.weight_g = 60;
  socks.packs = {Pack{"inner", k_socks_inner, 3}, Pack{"case", k_socks_case, 12}};
  REQUIRE(catalog.add_item(socks));
  REQUIRE(catalog.add_item(simple("ACC-LACES-BLK", "9506000001760", "Laces, black")));
  return catalog;
}

Order socks_order_of(std::int32_t quantity, std::int64_t value_minor = 2400)
{
  Order order;
  order.id = "ORD-2025-00146";
  order.value = Money{value_minor, "USD"};
  order.lines.push_back(OrderLine{1, "SOCK-RUN-M", "", {}, quantity, ""});
  return order;
}

Policy sealed_packs_allowed()
{
  Policy policy;
  policy.sealed_packs = true;
  return policy;
}

} // namespace

TEST_CASE("PackSession::apply refuses a sealed case or (02)+(37) label where policy counts eaches only",
          "[session][packs]")
{
  const Catalog catalog = socks_catalog();
  PackSession session = start(catalog, socks_order_of(2));
  Bench bench;

  const auto carton = session.apply(bench.scan(k_socks_case));
  CHECK(carton.verdict == Verdict::sealed_pack);
  CHECK(carton.units == 12);
  CHECK_THAT(carton.message, Catch::StartsWith("a case of 12 (Running socks, M)"));
  CHECK_THAT(carton.message, Catch::EndsWith("open it and scan the items"));
  CHECK_FALSE(carton.alert_id); // nothing is counted, so nothing can be shipped short: no alert by default

  // The logistic label that used to count as one unit: the socks line went 0/2 → 1/2.
  const auto label = session.apply(bench.scan(k_socks_two));
  CHECK(label.verdict == Verdict::sealed_pack);
  CHECK(label.units == 2);
  CHECK_THAT(label.message, Catch::StartsWith("a logistic unit of 2 (Running socks, M)"));
  CHECK(session.lines()[0].verified == 0);
  CHECK(session.state() == SessionState::active);

  // The eaches from the opened pack count one by one.
  CHECK(session.apply(bench.scan(k_socks_each)).verdict == Verdict::accepted);
  CHECK(session.apply(bench.scan(k_socks_each, 1000ms, "usb:2")).verdict == Verdict::accepted);
  CHECK(session.state() == SessionState::complete);
}

TEST_CASE("PackSession::apply counts the units of a (02)+(37) label where sealed packs are allowed", "[session][packs]")
{
  const Catalog catalog = socks_catalog();
  PackSession session = start(catalog, socks_order_of(2), sealed_packs_allowed());
  Bench bench;
  const auto label = session.apply(bench.scan(k_socks_two));
  CHECK(label.verdict == Verdict::accepted);
  CHECK(label.units == 2);
  CHECK_THAT(label.message, Catch::Contains("now 2/2 (a logistic unit of 2 counted as 2)"));
  CHECK(session.lines()[0].verified == 2);
  CHECK(session.state() == SessionState::complete);
  CHECK(session.accepted_items().size() == 2); // the weight check weighs two pairs

  // One more pair is one too many, as it would be one each at a time.
  const auto extra = session.apply(bench.scan(k_socks_each));
  CHECK(extra.verdict == Verdict::over_quantity);
  CHECK(extra.alert_id);
}

TEST_CASE("PackSession::apply counts packs in units against the line, over quantity included", "[session][packs]")
{
  const Catalog catalog = socks_catalog();
  PackSession session = start(catalog, socks_order_of(12), sealed_packs_allowed());
  Bench bench;
  CHECK(session.apply(bench.scan(k_socks_inner)).verdict == Verdict::accepted);
  CHECK(session.lines()[0].verified == 3);

  // A case of 12 on a line that needs 9 more: over quantity in units, nothing counted.
  const auto carton = session.apply(bench.scan(k_socks_case));
  CHECK(carton.verdict == Verdict::over_quantity);
  CHECK_THAT(carton.message, Catch::Contains("needs 9 more (3/12): a case of 12 (Running socks, M) is 3 too many"));
  REQUIRE(carton.alert_id);
  CHECK(session.lines()[0].verified == 3);
  // A supervisor cannot count twelve on a line with room for nine.
  AlertResolution override_it{Role::supervisor, "sup-1", "customer_accepts_substitute", "", true};
  auto refused = session.resolve_alert(*carton.alert_id, override_it);
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains("needs 9 more, this scan stands for 12"));
  REQUIRE(
      session.resolve_alert(*carton.alert_id, AlertResolution{Role::supervisor, "sup-1", "item_set_aside", "", false}));

  for (int i = 0; i < 3; ++i) {
    CHECK(session.apply(bench.scan(k_socks_inner, 1000ms, "usb:" + std::to_string(i))).verdict == Verdict::accepted);
  }
  CHECK(session.lines()[0].verified == 12);
  CHECK(session.state() == SessionState::complete);
  CHECK(session.accepted_items().size() == 12);
  const auto full = session.apply(bench.scan(k_socks_inner));
  CHECK(full.verdict == Verdict::over_quantity);
  CHECK_THAT(full.message,
             Catch::Contains("already complete (12/12): an inner pack of 3 (Running socks, M) is 3 too many"));
}

TEST_CASE("PackSession::image_check_request shows a sealed case as one label of its units", "[session][packs]")
{
  const Catalog catalog = socks_catalog();
  PackSession session = start(catalog, socks_order_of(13, 50000), sealed_packs_allowed());
  Bench bench;
  REQUIRE(session.apply(bench.scan(k_socks_case)).verdict == Verdict::accepted);
  REQUIRE(session.apply(bench.scan(k_socks_each)).verdict == Verdict::accepted);
  REQUIRE(session.state() == SessionState::awaiting_image_check);
  const auto request = session.image_check_request();
  REQUIRE(request.expected.size() == 2);
  CHECK(request.expected[0].gtin14 == k_socks_case);
  CHECK(request.expected[0].units == 12);
  CHECK(request.expected[0].description == "Running socks, M (a case of 12)");
  CHECK(request.expected[1].gtin14 == "09506000001975");
  CHECK(request.expected[1].units == 1);
}

TEST_CASE("PackSession::apply refuses a (02) label without a count where requisite AIs are not checked",
          "[session][packs]")
{
  const Catalog catalog = socks_catalog();
  Policy policy = sealed_packs_allowed();
  policy.gs1_requisite_ais = false;
  PackSession session = start(catalog, socks_order_of(2), policy);
  Bench bench;
  const auto label = session.apply(bench.scan("]C10209506000001975"));
  CHECK(label.verdict == Verdict::sealed_pack);
  CHECK_THAT(label.message, Catch::Contains("without a count of items (37)"));
  CHECK(session.lines()[0].verified == 0);
}

// --- Kits whose parts follow the order --------------------------------------------------------

namespace {

// The bundle "trail runner (the size ordered, black) + spare laces": one kit for every size.
Catalog bundle_catalog()
{
  Catalog catalog = demo_catalog();
  KitComponent runner;
  runner.style = "TR-RUN";
  runner.fixed_attributes = {{"colour", "black"}};
  runner.from_order = {"size", "width"};
  REQUIRE(catalog.add_kit(Kit{"KIT-RUN", "Runner bundle", {runner, {"ACC-LACES-BLK", 1}}}));
  return catalog;
}

Order bundle_order(const std::string& size)
{
  Order order;
  order.id = "ORD-KIT-" + size;
  order.value = Money{19800, "USD"};
  order.lines.push_back(OrderLine{1, "KIT-RUN", "", {{"size", size}, {"width", "D"}}, 1, ""});
  return order;
}

} // namespace

TEST_CASE("PackSession::apply counts the size ordered on a kit's style part", "[session][kits]")
{
  const Catalog catalog = bundle_catalog();
  for (const auto& [size, gtin] : {std::pair{"9", "9506000001418"}, std::pair{"10", "9506000001487"}}) {
    INFO("size " << size);
    PackSession session = start(catalog, bundle_order(size));
    Bench bench;
    REQUIRE(session.lines().size() == 2);
    CHECK(session.lines()[0].line.description == "Trail runner, size " + std::string(size) + ", width D (kit KIT-RUN)");
    const auto shoe = session.apply(bench.scan(gtin));
    CHECK(shoe.verdict == Verdict::accepted);
    CHECK(shoe.line_index == std::optional<std::size_t>(0));
    CHECK(session.apply(bench.scan("9506000001760")).verdict == Verdict::accepted);
    CHECK(session.state() == SessionState::complete);
  }
}

TEST_CASE("PackSession::apply refuses the wrong size inside a kit, naming the kit and the difference",
          "[session][kits]")
{
  const Catalog catalog = bundle_catalog();
  PackSession session = start(catalog, bundle_order("9"));
  Bench bench;
  const auto ten = session.apply(bench.scan("9506000001487"));
  CHECK(ten.verdict == Verdict::wrong_variant);
  CHECK(ten.message == "wrong variant for line 1: size: scanned 10, kit KIT-RUN needs 9");
  REQUIRE(ten.alert_id);
  CHECK(session.state() == SessionState::blocked);
  CHECK(session.lines()[0].verified == 0);

  const auto wide = session.apply(bench.scan("9506000001623"));
  CHECK(wide.verdict == Verdict::wrong_variant);
  CHECK(wide.message == "wrong variant for line 1: width: scanned E, kit KIT-RUN needs D");
  CHECK(wide.differing_attribute == "width");

  // Nothing was counted: both parts are still missing.
  CHECK(session.missing().size() == 2);
}
