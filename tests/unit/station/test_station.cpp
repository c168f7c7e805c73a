// Station tests against the real SQLite store in a temporary folder: the ORD-2025-00145 incident,
// journal-before-reply, alerts and who may clear them, overrides, the image-check gate, fail-closed
// devices, manual entry, the bounce window, and hostile scan bytes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include <pickverify/station.hpp>
#include <pickverify/store.hpp>

#include "temp_dir.hpp"

using namespace pickverify;
using namespace std::chrono_literals;

namespace {

template <typename T> T must(Result<T> result)
{
  INFO((result ? std::string() : result.error().message));
  REQUIRE(result.has_value());
  return std::move(*result);
}

void must(Result<void> result)
{
  INFO((result ? std::string() : result.error().message));
  REQUIRE(result.has_value());
}

Item make_item(std::string sku, std::string style, std::string description, std::string gtin13, Attributes attributes,
               std::int64_t value_minor)
{
  Item item;
  item.sku = std::move(sku);
  item.style = std::move(style);
  item.description = std::move(description);
  item.gtins = {std::move(gtin13)};
  item.attributes = std::move(attributes);
  item.unit_value = Money{value_minor, "USD"};
  item.weight_g = 100;
  return item;
}

// The demo catalog of docs/FORMATS.md (demo/catalog.json), built here so this test needs no app code.
Catalog demo_catalog()
{
  Catalog catalog;
  must(catalog.add_item(make_item("TR-RUN-08-D", "TR-RUN", "Trail runner, size 8, width D", "9506000001340",
                                  {{"size", "8"}, {"width", "D"}, {"colour", "black"}}, 18900)));
  must(catalog.add_item(make_item("TR-RUN-09-D", "TR-RUN", "Trail runner, size 9, width D", "9506000001418",
                                  {{"size", "9"}, {"width", "D"}, {"colour", "black"}}, 18900)));
  must(catalog.add_item(make_item("TR-RUN-10-D", "TR-RUN", "Trail runner, size 10, width D", "9506000001487",
                                  {{"size", "10"}, {"width", "D"}, {"colour", "black"}}, 18900)));
  must(catalog.add_item(make_item("TR-RUN-11-D", "TR-RUN", "Trail runner, size 11, width D", "9506000001555",
                                  {{"size", "11"}, {"width", "D"}, {"colour", "black"}}, 18900)));
  must(catalog.add_item(make_item("TR-RUN-09-E", "TR-RUN", "Trail runner, size 9, width E", "9506000001623",
                                  {{"size", "9"}, {"width", "E"}, {"colour", "black"}}, 18900)));
  must(catalog.add_item(
      make_item("ACC-INSOLE-M", "ACC-INSOLE", "Cushion insoles, M", "9506000001692", {{"size", "M"}}, 2900)));
  must(catalog.add_item(
      make_item("ACC-LACES-BLK", "ACC-LACES", "Laces, black, 120 cm", "9506000001760", {{"colour", "black"}}, 900)));
  must(catalog.add_item(make_item("CARE-BRUSH", "CARE-BRUSH", "Shoe brush", "9506000001838", {}, 2400)));
  must(catalog.add_item(
      make_item("CARE-SPRAY", "CARE-SPRAY", "Water-repellent spray 200 ml", "9506000001906", {}, 3400)));
  Item socks = make_item("SOCK-RUN-M", "SOCK-RUN", "Running socks, M", "9506000001975", {{"size", "M"}}, 1200);
  socks.packs = {Pack{"inner", "9506000002293", 3}, Pack{"case", "19506000001972", 12}};
  must(catalog.add_item(std::move(socks)));
  must(catalog.add_item(make_item("ACC-SHOETREE", "ACC-SHOETREE", "Cedar shoe tree", "9506000002040", {}, 1900)));
  must(catalog.add_kit(Kit{"KIT-CARE", "Shoe care kit", {{"CARE-BRUSH", 1}, {"CARE-SPRAY", 1}}}));
  // The trail bundle: the runner in the size and width ordered (always black), a shoe tree, laces.
  KitComponent runner;
  runner.style = "TR-RUN";
  runner.fixed_attributes = {{"colour", "black"}};
  runner.from_order = {"size", "width"};
  must(catalog.add_kit(Kit{"KIT-TRAIL", "Trail bundle", {runner, {"ACC-SHOETREE", 1}, {"ACC-LACES-BLK", 1}}}));
  return catalog;
}

OrderLine sku_line(std::int32_t line_no, std::string sku, std::int32_t quantity = 1)
{
  OrderLine line;
  line.line_no = line_no;
  line.sku = std::move(sku);
  line.quantity = quantity;
  return line;
}

std::vector<Order> demo_orders()
{
  Order incident;
  incident.id = "ORD-2025-00145";
  incident.value = Money{28500, "USD"};
  incident.customer = "C-88213";
  OrderLine shoe;
  shoe.line_no = 1;
  shoe.style = "TR-RUN";
  shoe.required_attributes = {{"size", "9"}, {"width", "D"}};
  shoe.description = "Trail runner, size 9, width D";
  incident.lines = {shoe, sku_line(2, "ACC-INSOLE-M"), sku_line(3, "ACC-LACES-BLK"), sku_line(4, "KIT-CARE")};

  Order socks;
  socks.id = "ORD-2025-00146";
  socks.value = Money{2400, "USD"};
  socks.customer = "C-90417";
  socks.lines = {sku_line(1, "SOCK-RUN-M", 2)};

  Order bundle;
  bundle.id = "ORD-2025-00148";
  bundle.value = Money{21700, "USD"};
  bundle.customer = "C-90633";
  OrderLine trail = sku_line(1, "KIT-TRAIL");
  trail.required_attributes = {{"size", "10"}, {"width", "D"}};
  bundle.lines = {trail};
  return {incident, socks, bundle};
}

const std::string k_incident = "ORD-2025-00145";
const std::string k_socks = "ORD-2025-00146";
const std::string k_shoe_9d = "9506000001418";
const std::string k_shoe_10d = "9506000001487";
const std::string k_shoe_9e = "9506000001623";
const std::string k_insole = "9506000001692";
const std::string k_laces = "9506000001760";
const std::string k_brush = "9506000001838";
const std::string k_spray = "9506000001906";
const std::string k_sock = "9506000001975";
const std::string k_spray_datamatrix = "0109506000001906"
                                       "10LOT42";
const std::string k_not_in_catalog = "9506000009995"; // valid check digit, no such item

bool contains(const std::vector<std::string>& texts, const std::string& part)
{
  return std::any_of(texts.begin(), texts.end(),
                     [&](const std::string& text) { return text.find(part) != std::string::npos; });
}

std::string joined(const std::vector<std::string>& texts)
{
  std::string all;
  for (const auto& text : texts)
    all += text + "\n";
  return all;
}

// A bench: a store in a temporary folder holding the demo catalog and orders, one station on it, and
// a scanner clock the test advances by hand.
class Bench {
public:
  explicit Bench(Policy policy = {})
  {
    m_store = must(open_sqlite_store(db_path()));
    must(m_store->save_catalog(demo_catalog()));
    must(m_store->save_orders(demo_orders()));
    m_station = std::make_unique<Station>("bench-7", *m_store, must(m_store->load_catalog()), policy);
    m_station->set_operator("picker-ana");
  }

  std::filesystem::path db_path() const { return m_dir / "pickverify.db"; }
  Station& station() { return *m_station; }
  Store& store() { return *m_store; }
  const PackSession& session()
  {
    REQUIRE(m_station->session() != nullptr);
    return *m_station->session();
  }

  ScanEvent event(const std::string& raw, int after_ms = 1500, const std::string& source = "usb:bench-scanner",
                  SourceKind kind = SourceKind::hid_pos, std::optional<std::string> aim = std::nullopt)
  {
    m_clock += std::chrono::milliseconds(after_ms);
    ScanEvent scan;
    scan.raw = raw;
    scan.aim = std::move(aim);
    scan.source = source;
    scan.source_kind = kind;
    scan.station = "bench-7";
    scan.monotonic = m_clock;
    scan.utc = std::chrono::system_clock::now();
    return scan;
  }

  Result<StationReply> try_scan(const std::string& raw, int after_ms = 1500,
                                const std::string& source = "usb:bench-scanner", SourceKind kind = SourceKind::hid_pos,
                                std::optional<std::string> aim = std::nullopt)
  {
    return m_station->handle_scan(event(raw, after_ms, source, kind, std::move(aim)));
  }

  StationReply scan(const std::string& raw, int after_ms = 1500, const std::string& source = "usb:bench-scanner",
                    SourceKind kind = SourceKind::hid_pos, std::optional<std::string> aim = std::nullopt)
  {
    return must(try_scan(raw, after_ms, source, kind, std::move(aim)));
  }

  // Scans and checks the verdict, with the reply in the failure message.
  StationReply expect(const std::string& raw, Verdict verdict, int after_ms = 1500)
  {
    StationReply reply = scan(raw, after_ms);
    INFO("scan " << raw << " → " << reply.headline << "\n" << joined(reply.details));
    REQUIRE(reply.verdict.has_value());
    CHECK(to_string(*reply.verdict) == to_string(verdict));
    return reply;
  }

  void start(const std::string& order_id)
  {
    StationReply reply = scan(order_id);
    REQUIRE(reply.headline == "ORDER " + order_id);
    REQUIRE(session().order().id == order_id);
  }

  // The incident order with every line verified correctly: the pack waits for the image check.
  void complete_incident_order()
  {
    start(k_incident);
    expect(k_shoe_9d, Verdict::accepted);
    expect(k_insole, Verdict::accepted);
    expect(k_laces, Verdict::accepted);
    expect(k_brush, Verdict::accepted);
    expect(k_spray, Verdict::accepted);
    REQUIRE(session().state() == SessionState::awaiting_image_check);
  }

  std::vector<JournalEntry> journal(const JournalFilter& filter = {})
  {
    std::vector<JournalEntry> rows;
    must(m_store->read_journal(filter, [&](const JournalEntry& row) {
      rows.push_back(row);
      return true;
    }));
    return rows;
  }

  JournalEntry row(std::int64_t seq)
  {
    for (const auto& row : journal()) {
      if (row.seq == seq)
        return row;
    }
    FAIL("no journal row with seq " << seq);
    return {};
  }

  // The newest journal row of this type.
  JournalEntry last(const std::string& type)
  {
    const auto rows = journal();
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
      if (it->type == type)
        return *it;
    }
    FAIL("no journal row of type " << type);
    return {};
  }

  void require_chain_intact()
  {
    const ChainReport report = must(m_store->verify_chain());
    INFO(report.problem);
    REQUIRE(report.intact());
    REQUIRE(report.event_count == static_cast<std::int64_t>(journal().size()));
  }

private:
  test::TempDir m_dir;
  std::unique_ptr<Store> m_store;
  std::unique_ptr<Station> m_station;
  std::chrono::steady_clock::time_point m_clock = std::chrono::steady_clock::now();
};

ImageCheckResult image_check(ImageCheckOutcome outcome, std::string reason = "")
{
  ImageCheckResult result;
  result.outcome = outcome;
  result.reason = std::move(reason);
  result.evidence_hash = std::string(64, 'a');
  result.annotated_hash = std::string(64, 'b');
  return result;
}

AlertResolution by_supervisor(std::string reason_code, std::string note = "", bool override_mismatch = false)
{
  return AlertResolution{Role::supervisor, "sup-lee", std::move(reason_code), std::move(note), override_mismatch};
}

AlertResolution by_picker(std::string reason_code)
{
  return AlertResolution{Role::picker, "picker-ana", std::move(reason_code), "", false};
}

} // namespace

TEST_CASE("Station::handle_scan replays the ORD-2025-00145 incident and stops the wrong box", "[station][incident]")
{
  Bench bench;
  bench.start(k_incident);
  CHECK(bench.session().needs_image_check());
  CHECK(bench.session().lines().size() == 5); // shoe, insoles, laces, kit: brush + spray

  // The size-10 box is refused at the first scan, naming the difference.
  const StationReply wrong = bench.expect(k_shoe_10d, Verdict::wrong_variant);
  CHECK(wrong.tone == StationReply::Tone::error);
  CHECK(wrong.headline == "WRONG SIZE"); // the size is all that differs
  CHECK(contains(wrong.details, "size: scanned 10, order needs 9"));
  CHECK(contains(wrong.details, "alert 1 opened"));
  CHECK(wrong.state == SessionState::blocked);
  CHECK(bench.session().lines()[0].verified == 0);
  const JournalEntry wrong_row = bench.last("scan");
  CHECK(wrong_row.verdict == "wrong_variant");
  CHECK(wrong_row.raw == k_shoe_10d);
  CHECK(wrong_row.gtin == "0" + k_shoe_10d);
  CHECK(wrong_row.order_id == k_incident);
  CHECK(wrong_row.station == "bench-7");
  CHECK(wrong_row.operator_id == "picker-ana");
  CHECK(wrong_row.session_id == bench.station().session_id());
  CHECK(wrong_row.reason.find("size: scanned 10, order needs 9") != std::string::npos);
  const JournalEntry opened = bench.last("alert_opened");
  CHECK(opened.seq == wrong_row.seq + 1);
  CHECK(opened.verdict == "wrong_variant");
  CHECK(wrong.journal_seq == opened.seq);

  // The right shoe, the insoles and the care kit (the spray read as a GS1 DataMatrix).
  bench.expect(k_shoe_9d, Verdict::accepted);
  bench.expect(k_insole, Verdict::accepted);
  bench.expect(k_brush, Verdict::accepted);
  const StationReply spray = bench.scan(k_spray_datamatrix, 1500, "usb:bench-scanner", SourceKind::hid_pos, "]d2");
  REQUIRE(spray.verdict == Verdict::accepted);
  const JournalEntry spray_row = bench.last("scan");
  CHECK(spray_row.raw == k_spray_datamatrix);
  CHECK(spray_row.aim == "]d2");
  CHECK(spray_row.gtin == "0" + k_spray);
  CHECK(spray_row.ais == "(01)09506000001906(10)LOT42");

  // Pack refused: the laces are missing, the alert is open, the photo is due — each named.
  const StationReply refused = must(bench.station().request_pack());
  CHECK(refused.headline == "PACK REFUSED");
  INFO(joined(refused.details));
  CHECK(contains(refused.details, "missing: line 3 Laces, black, 120 cm — 0 of 1 scanned"));
  CHECK_FALSE(contains(refused.details, "line 1 Trail runner"));
  CHECK(contains(refused.details, "alert 1 open: wrong variant for line 1: size: scanned 10, order needs 9"));
  CHECK(contains(refused.details, "image check required (order value $285.00)"));
  const JournalEntry refused_row = bench.last("pack_refused");
  CHECK(refused_row.seq == refused.journal_seq);
  CHECK(refused_row.reason.find("line 3 Laces") != std::string::npos);
  CHECK(refused_row.reason.find("alert 1 open") != std::string::npos);

  // A picker may not clear a wrong-variant alert; a supervisor may.
  const auto by_the_picker = bench.station().resolve_alert(1, by_picker("item_set_aside"));
  REQUIRE_FALSE(by_the_picker);
  CHECK(by_the_picker.error().type == ErrorType::conflict);
  CHECK(bench.session().state() == SessionState::blocked);
  const StationReply cleared =
      must(bench.station().resolve_alert(1, by_supervisor("item_set_aside", "size-10 box back to the shelf")));
  CHECK(cleared.headline == "ALERT CLEARED");
  const JournalEntry cleared_row = bench.last("alert_cleared");
  CHECK(cleared_row.operator_id == "sup-lee");
  CHECK(cleared_row.reason == "cleared by supervisor sup-lee: item_set_aside — size-10 box back to the shelf");
  CHECK(cleared_row.verdict == "wrong_variant");

  // The laces complete the lines; the high-value pack now waits for the photo and nothing releases it.
  const StationReply laces = bench.expect(k_laces, Verdict::accepted);
  CHECK(laces.state == SessionState::awaiting_image_check);
  CHECK(contains(laces.details, "take the photo"));
  const StationReply waiting = must(bench.station().request_pack());
  CHECK(waiting.headline == "PACK REFUSED");
  CHECK(waiting.details.size() == 1);
  CHECK(contains(waiting.details, "image check required"));

  const StationReply passed =
      must(bench.station().apply_image_check(image_check(ImageCheckOutcome::passed, "5 of 5 found")));
  CHECK(passed.headline == "IMAGE CHECK PASSED");
  CHECK(passed.state == SessionState::released);
  const JournalEntry released_row = bench.last("pack_released");
  CHECK(released_row.seq == passed.journal_seq);
  CHECK(released_row.evidence_hash == std::string(64, 'a'));
  CHECK(bench.row(released_row.seq - 1).type == "image_check");
  CHECK(must(bench.station().mark_packed()).state == SessionState::packed);
  CHECK(bench.last("packed").order_id == k_incident);
  bench.require_chain_intact();
}

TEST_CASE("Station::handle_scan journals every scan durably before anyone sees the reply", "[station][journal]")
{
  Bench bench;
  // A second connection, as QA's tools would open: it only sees committed rows.
  auto observer = must(open_sqlite_store(bench.db_path()));
  std::vector<std::string> problems;
  int heard = 0;
  bench.station().add_listener([&](const StationReply& reply) {
    ++heard;
    bool found = false;
    must(observer->read_journal({}, [&](const JournalEntry& row) {
      found = found || row.seq == reply.journal_seq;
      return true;
    }));
    if (!found) {
      problems.push_back(reply.headline + ": journal row " + std::to_string(reply.journal_seq) + " not yet visible");
    }
  });

  bench.start(k_incident);
  const std::vector<std::pair<std::string, Verdict>> scans{
      {k_shoe_10d, Verdict::wrong_variant},      {k_shoe_9d, Verdict::accepted},
      {k_shoe_9d, Verdict::over_quantity},       {k_sock, Verdict::wrong_item},
      {k_not_in_catalog, Verdict::unknown_code}, {"9506000001419", Verdict::malformed},
  };
  for (const auto& [raw, verdict] : scans) {
    const StationReply reply = bench.expect(raw, verdict);
    REQUIRE(reply.journal_seq > 0);
    // The scan row itself: the reply's row, or the one before it when an alert row followed.
    const JournalEntry last = bench.row(reply.journal_seq);
    const JournalEntry scan = last.type == "scan" ? last : bench.row(reply.journal_seq - 1);
    CHECK(scan.type == "scan");
    CHECK(scan.raw == raw);
    CHECK(scan.verdict == to_string(verdict));
    CHECK(scan.source == "usb:bench-scanner");
    CHECK(scan.detail.find("\"source_kind\":\"" + std::string(to_string(SourceKind::hid_pos)) + "\"") !=
          std::string::npos);
    if (last.type != "scan") {
      CHECK(last.type == "alert_opened");
    }
  }
  CHECK(heard == 1 + static_cast<int>(scans.size()));
  INFO(joined(problems));
  CHECK(problems.empty());
  bench.require_chain_intact();
}

TEST_CASE("Station::handle_scan takes the open order's own label read again as a notice, not an alert",
          "[station][order]")
{
  Bench bench;
  bench.start(k_incident);
  const StationReply again = bench.scan(k_incident);
  CHECK(again.headline == "ORDER ALREADY OPEN");
  CHECK_FALSE(again.verdict.has_value());
  CHECK(again.tone == StationReply::Tone::ok);
  CHECK(bench.session().state() == SessionState::active);
  CHECK(bench.session().open_alerts().empty());
  const JournalEntry row = bench.row(again.journal_seq);
  CHECK(row.type == "scan");
  CHECK(row.raw == k_incident);
  CHECK(row.verdict.empty());
  CHECK(row.reason == "order ORD-2025-00145 is already open here: scan its items");
  // Another order's label in this pack is still refused and blocks it: it does not belong in this box.
  const StationReply other = bench.scan("ORD-2025-00146");
  REQUIRE(other.verdict.has_value());
  CHECK(*other.verdict == Verdict::unknown_code);
  CHECK(bench.session().state() == SessionState::blocked);
  bench.require_chain_intact();
}

TEST_CASE("Station::handle_scan reports a journal failure and counts nothing it could not journal",
          "[station][journal]")
{
  Bench bench;
  bench.start(k_socks);
  int heard = 0;
  bench.station().add_listener([&](const StationReply&) { ++heard; });

  // Another process holds the write lock past the store's busy timeout: the append fails.
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(bench.db_path().c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  const auto failed = bench.try_scan(k_sock);
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);

  REQUIRE_FALSE(failed);
  CHECK(failed.error().message.rfind("journal", 0) == 0);
  CHECK(heard == 0); // nothing was shown
  // A unit whose scan is not in the journal must not count towards the pack: the picker scans it again.
  CHECK(bench.session().lines()[0].verified == 0);
  bench.expect(k_sock, Verdict::accepted);
  CHECK(bench.session().lines()[0].verified == 1);
}

TEST_CASE("Station::request_pack names each missing line and every open alert", "[station][pack]")
{
  Bench bench;
  bench.start(k_incident);
  const StationReply empty = must(bench.station().request_pack());
  CHECK(empty.headline == "PACK REFUSED");
  CHECK(empty.tone == StationReply::Tone::error);
  INFO(joined(empty.details));
  CHECK(contains(empty.details, "missing: line 1 Trail runner, size 9, width D — 0 of 1 scanned, 1 missing"));
  CHECK(contains(empty.details, "missing: line 2 Cushion insoles, M — 0 of 1 scanned, 1 missing"));
  CHECK(contains(empty.details, "missing: line 3 Laces, black, 120 cm — 0 of 1 scanned, 1 missing"));
  CHECK(contains(empty.details, "missing: line 4 Shoe brush (kit KIT-CARE) — 0 of 1 scanned, 1 missing"));
  CHECK(contains(empty.details,
                 "missing: line 4 Water-repellent spray 200 ml (kit KIT-CARE) — 0 of 1 scanned, 1 missing"));

  bench.expect(k_shoe_9e, Verdict::wrong_variant);
  const StationReply width = bench.expect(k_sock, Verdict::wrong_item);
  CHECK(contains(width.details, "Running socks, M (SOCK-RUN-M) is not on order ORD-2025-00145"));
  const StationReply refused = must(bench.station().request_pack());
  INFO(joined(refused.details));
  CHECK(contains(refused.details, "alert 1 open: wrong variant for line 1: width: scanned E, order needs D"));
  CHECK(contains(refused.details, "alert 2 open: Running socks, M (SOCK-RUN-M) is not on order"));
  CHECK(bench.session().open_alerts().size() == 2);
  CHECK(bench.last("pack_refused").seq == refused.journal_seq);
}

TEST_CASE("Station::resolve_alert lets a picker clear only what the policy allows", "[station][alerts]")
{
  Bench bench;
  bench.start(k_socks);

  SECTION("unknown code: the picker sets it aside and clears it")
  {
    const StationReply unknown = bench.expect(k_not_in_catalog, Verdict::unknown_code);
    CHECK(contains(unknown.details, "GTIN 09506000009995 is not in the catalog"));
    CHECK(bench.session().state() == SessionState::blocked);
    const auto without_reason = bench.station().resolve_alert(1, by_picker(""));
    REQUIRE_FALSE(without_reason);
    CHECK(without_reason.error().type == ErrorType::invalid_input);
    const StationReply cleared = must(bench.station().resolve_alert(1, by_picker("item_set_aside")));
    CHECK(cleared.headline == "ALERT CLEARED");
    CHECK(bench.last("alert_cleared").reason == "cleared by picker picker-ana: item_set_aside");
    CHECK(bench.session().state() == SessionState::active);
    const auto again = bench.station().resolve_alert(1, by_supervisor("item_set_aside"));
    REQUIRE_FALSE(again);
    CHECK(again.error().type == ErrorType::conflict);
  }
  SECTION("wrong item: only a supervisor")
  {
    bench.expect(k_shoe_9d, Verdict::wrong_item);
    const auto refused = bench.station().resolve_alert(1, by_picker("item_set_aside"));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("call a supervisor") != std::string::npos);
    CHECK(bench.session().state() == SessionState::blocked);
    must(bench.station().resolve_alert(1, by_supervisor("item_set_aside")));
    CHECK(bench.session().state() == SessionState::active);
  }
  SECTION("over quantity: only a supervisor")
  {
    bench.expect(k_sock, Verdict::accepted);
    bench.expect(k_sock, Verdict::accepted);
    const StationReply third = bench.expect(k_sock, Verdict::over_quantity);
    CHECK(contains(third.details, "is already complete (2/2)"));
    REQUIRE_FALSE(bench.station().resolve_alert(1, by_picker("item_set_aside")));
    must(bench.station().resolve_alert(1, by_supervisor("item_set_aside")));
    CHECK(bench.session().state() == SessionState::complete);
  }
  SECTION("a picker may never override")
  {
    bench.expect(k_not_in_catalog, Verdict::unknown_code);
    AlertResolution resolution = by_picker("customer_accepts_substitute");
    resolution.override_mismatch = true;
    REQUIRE_FALSE(bench.station().resolve_alert(1, resolution));
    CHECK(bench.session().open_alerts().size() == 1);
  }
  SECTION("no such alert")
  {
    const auto missing = bench.station().resolve_alert(7, by_supervisor("item_set_aside"));
    REQUIRE_FALSE(missing);
    CHECK(missing.error().type == ErrorType::not_found);
  }
  bench.require_chain_intact();
}

TEST_CASE("Station::resolve_alert with an override counts the scanned item on its line", "[station][alerts]")
{
  Bench bench;
  bench.start(k_incident);
  bench.expect(k_shoe_10d, Verdict::wrong_variant);
  REQUIRE(bench.session().lines()[0].verified == 0);

  const StationReply overridden = must(bench.station().resolve_alert(
      1, by_supervisor("customer_accepts_substitute", "customer asked for size 10", true)));
  CHECK(overridden.headline == "ALERT OVERRIDDEN");
  CHECK(bench.session().lines()[0].verified == 1);
  CHECK(bench.session().alerts()[0].overridden);
  const JournalEntry row = bench.last("override");
  CHECK(row.seq == overridden.journal_seq);
  CHECK(row.gtin == "0" + k_shoe_10d);
  CHECK(row.reason.find("overridden by supervisor sup-lee: customer_accepts_substitute") != std::string::npos);

  // The line is now complete: the size 9 is one too many.
  bench.expect(k_shoe_9d, Verdict::over_quantity);
  // The photo must show the overriding item, not the ordered one.
  must(bench.station().resolve_alert(2, by_supervisor("item_set_aside")));
  bench.expect(k_insole, Verdict::accepted);
  bench.expect(k_laces, Verdict::accepted);
  bench.expect(k_brush, Verdict::accepted);
  bench.expect(k_spray, Verdict::accepted);
  const auto request = bench.session().image_check_request();
  REQUIRE(request.expected.size() == 5);
  CHECK(request.expected[0].gtin14 == "0" + k_shoe_10d);
  CHECK(request.expected[0].sku == "TR-RUN-10-D");
  bench.require_chain_intact();
}

TEST_CASE("Station::resolve_alert refuses to count an item that matches no line", "[station][alerts]")
{
  Bench bench;
  bench.start(k_socks);
  bench.expect(k_shoe_9d, Verdict::wrong_item);
  const auto counted = bench.station().resolve_alert(1, by_supervisor("customer_accepts_substitute", "", true));
  REQUIRE_FALSE(counted);
  CHECK(counted.error().type == ErrorType::conflict);
  CHECK(bench.session().lines()[0].verified == 0);
  CHECK(bench.session().open_alerts().size() == 1);
  // A refused override counts nothing, and the attempt is journaled: who tried what, and why not.
  const JournalEntry refused = bench.journal().back();
  CHECK(refused.type == "clear_refused");
  CHECK(refused.reason == counted.error().message);
  CHECK_THAT(refused.detail, Catch::Contains("\"override\":true"));
}

TEST_CASE("Station::apply_image_check releases only on passed", "[station][image_check]")
{
  Bench bench;
  bench.complete_incident_order();

  const ImageCheckRequest request = bench.session().image_check_request();
  std::vector<std::string> expected;
  for (const auto& unit : request.expected)
    expected.push_back(unit.gtin14);
  CHECK(expected ==
        std::vector<std::string>{"0" + k_shoe_9d, "0" + k_insole, "0" + k_laces, "0" + k_brush, "0" + k_spray});
  CHECK(request.not_visible.empty());

  SECTION("passed: released, the evidence hash journaled")
  {
    const StationReply reply =
        must(bench.station().apply_image_check(image_check(ImageCheckOutcome::passed, "5 of 5")));
    CHECK(reply.state == SessionState::released);
    CHECK(reply.tone == StationReply::Tone::ok);
    CHECK(contains(reply.details, "pack released"));
    const JournalEntry check = bench.last("image_check");
    CHECK(check.verdict == "passed");
    CHECK(check.evidence_hash == std::string(64, 'a'));
    CHECK(check.detail.find(std::string(64, 'b')) != std::string::npos);
    CHECK(bench.last("pack_released").seq == check.seq + 1);
  }
  SECTION("failed: an alert, blocked until a supervisor acts, then a new photo")
  {
    ImageCheckResult failed = image_check(ImageCheckOutcome::failed, "Laces, black, 120 cm not found in the photo");
    failed.missing.push_back(ExpectedUnit{"0" + k_laces, "ACC-LACES-BLK", "Laces, black, 120 cm"});
    const StationReply reply = must(bench.station().apply_image_check(failed));
    CHECK(reply.headline == "IMAGE CHECK FAILED");
    CHECK(reply.state == SessionState::blocked);
    const JournalEntry alert = bench.last("alert_opened");
    CHECK(alert.verdict == "image_check");
    CHECK(alert.reason == "image check failed: Laces, black, 120 cm not found in the photo");
    CHECK(bench.last("image_check").detail.find("ACC-LACES-BLK") != std::string::npos);
    CHECK(bench.journal({}).back().type == "alert_opened");
    CHECK_FALSE(must(bench.station().request_pack()).details.empty());
    REQUIRE_FALSE(bench.station().resolve_alert(1, by_picker("item_set_aside")));

    must(bench.station().resolve_alert(1, by_supervisor("repacked", "laces were under the box flap")));
    CHECK(bench.session().state() == SessionState::awaiting_image_check);
    CHECK(must(bench.station().request_pack()).headline == "PACK REFUSED");
    CHECK(must(bench.station().apply_image_check(image_check(ImageCheckOutcome::passed))).state ==
          SessionState::released);
  }
  SECTION("offline: fail closed, still awaiting the image check")
  {
    const StationReply reply =
        must(bench.station().apply_image_check(image_check(ImageCheckOutcome::offline, "no camera available")));
    CHECK(reply.headline == "IMAGE CHECK CAMERA OFFLINE");
    CHECK(reply.tone == StationReply::Tone::error);
    CHECK(reply.state == SessionState::awaiting_image_check);
    CHECK(bench.last("image_check").verdict == "offline");
    const StationReply pack = must(bench.station().request_pack());
    CHECK(pack.headline == "PACK REFUSED");
    CHECK(contains(pack.details, "image check required"));
    REQUIRE_FALSE(bench.station().mark_packed());
  }
  SECTION("retake: not a failure, no alert")
  {
    const StationReply reply =
        must(bench.station().apply_image_check(image_check(ImageCheckOutcome::retake, "too dark")));
    CHECK(reply.state == SessionState::awaiting_image_check);
    CHECK(bench.session().open_alerts().empty());
  }
  bench.require_chain_intact();
}

TEST_CASE("Station::begin_image_check: a photo taken for one session is not applied to the next",
          "[station][image_check]")
{
  Bench bench;
  bench.complete_incident_order();
  const auto pending = bench.station().begin_image_check();
  REQUIRE(pending);
  CHECK(pending->session_id == bench.station().session_id());
  CHECK(pending->request.expected.size() == 5);

  // While the photo is being taken, the order is abandoned and another one starts here.
  must(bench.station().abandon("customer cancelled"));
  bench.start(k_socks);
  const auto seq_before = bench.journal({}).back().seq;
  const auto late =
      bench.station().apply_image_check(image_check(ImageCheckOutcome::passed, "5 of 5"), pending->session_id);
  REQUIRE_FALSE(late);
  CHECK(late.error().type == ErrorType::conflict);
  CHECK_THAT(late.error().message, Catch::Contains("take the photo again"));
  CHECK(bench.journal({}).back().seq == seq_before); // nothing journaled for the wrong session
  CHECK(bench.session().state() != SessionState::released);
  bench.require_chain_intact();
}

TEST_CASE("Station::apply_image_check is refused when the order is not waiting for one", "[station][image_check]")
{
  Bench bench;
  bench.start(k_socks);
  CHECK_FALSE(bench.session().needs_image_check());
  const auto early = bench.station().apply_image_check(image_check(ImageCheckOutcome::passed));
  REQUIRE_FALSE(early);
  CHECK(early.error().type == ErrorType::conflict);
  bench.expect(k_sock, Verdict::accepted);
  bench.expect(k_sock, Verdict::accepted);
  CHECK(bench.session().state() == SessionState::complete);
  CHECK(must(bench.station().request_pack()).headline == "PACK RELEASED");
  CHECK(bench.last("pack_released").reason == "every line verified, no alert open");
  bench.require_chain_intact();
}

TEST_CASE("Station::handle_scan applies the manual entry policy to typed codes", "[station][manual]")
{
  const auto typed = [](Bench& bench, const std::string& code) {
    return bench.scan(code, 1500, "manual", SourceKind::manual);
  };

  SECTION("low_value_only (default): typed codes count on a low-value order")
  {
    Bench bench;
    bench.start(k_socks);
    const StationReply reply = typed(bench, k_sock);
    CHECK(reply.verdict == Verdict::accepted);
    CHECK(bench.last("scan").detail.find("\"source_kind\":\"manual\"") != std::string::npos);
    CHECK(bench.session().lines()[0].verified == 1);
  }
  SECTION("low_value_only (default): refused on a high-value order, nothing counted, journaled")
  {
    Bench bench;
    bench.start(k_incident);
    const StationReply reply = typed(bench, k_insole);
    REQUIRE(reply.verdict.has_value());
    CHECK(*reply.verdict != Verdict::accepted);
    CHECK(contains(reply.details, "typed entry is not allowed for this order"));
    CHECK(bench.session().lines()[1].verified == 0);
    const JournalEntry row = bench.last("scan");
    CHECK(row.raw == k_insole);
    CHECK(row.source == "manual");
    CHECK(row.reason == "typed entry is not allowed for this order: scan the item's barcode");
    // A scanned label still counts.
    bench.expect(k_insole, Verdict::accepted);
  }
  SECTION("never: refused even on a low-value order")
  {
    Policy policy;
    policy.manual_entry = ManualEntry::never;
    Bench bench(policy);
    bench.start(k_socks);
    const StationReply reply = typed(bench, k_sock);
    CHECK(reply.verdict != Verdict::accepted);
    CHECK(bench.session().lines()[0].verified == 0);
  }
  SECTION("always: counts on a high-value order too")
  {
    Policy policy;
    policy.manual_entry = ManualEntry::always;
    Bench bench(policy);
    bench.start(k_incident);
    CHECK(typed(bench, k_insole).verdict == Verdict::accepted);
    CHECK(bench.session().lines()[1].verified == 1);
  }
}

TEST_CASE("Station::set_device_online keeps the pack refused while a device is offline", "[station][devices]")
{
  SECTION("scanner offline before the order starts")
  {
    Bench bench;
    const StationReply offline = must(bench.station().set_device_online("usb:bench-scanner", false, "unplugged"));
    CHECK(offline.headline == "DEVICE OFFLINE");
    CHECK(bench.last("device_offline").source == "usb:bench-scanner");
    bench.start(k_socks);
    bench.expect(k_sock, Verdict::accepted);
    bench.expect(k_sock, Verdict::accepted);
    const StationReply refused = must(bench.station().request_pack());
    CHECK(refused.headline == "PACK REFUSED");
    CHECK(contains(refused.details, "device usb:bench-scanner is offline"));
    must(bench.station().set_device_online("usb:bench-scanner", true, "plugged in again"));
    CHECK(bench.last("device_online").reason == "plugged in again");
    CHECK(must(bench.station().request_pack()).headline == "PACK RELEASED");
  }
  SECTION("camera offline during a high-value order: a passed photo does not release it")
  {
    Bench bench;
    bench.complete_incident_order();
    must(bench.station().set_device_online("camera:bench-7", false, "no frames for 5 s"));
    const StationReply photo = must(bench.station().apply_image_check(image_check(ImageCheckOutcome::passed)));
    CHECK(photo.state != SessionState::released);
    CHECK(contains(photo.details, "device camera:bench-7 is offline"));
    CHECK(must(bench.station().request_pack()).headline == "PACK REFUSED");
    must(bench.station().set_device_online("camera:bench-7", true, "back"));
    CHECK(must(bench.station().request_pack()).headline == "PACK RELEASED");
    bench.require_chain_intact();
  }
}

TEST_CASE("Station::handle_scan marks the same code from the same source inside the bounce window as duplicate",
          "[station][bounce]")
{
  Bench bench;
  bench.start(k_socks);
  bench.expect(k_sock, Verdict::accepted);
  const StationReply bounce = bench.expect(k_sock, Verdict::duplicate, 120);
  CHECK(bounce.tone == StationReply::Tone::warning);
  CHECK(bench.session().lines()[0].verified == 1);
  CHECK(bench.session().open_alerts().empty());
  CHECK(bench.last("scan").verdict == "duplicate");
  CHECK(bench.last("scan").raw == k_sock);

  // Another scanner reading the same label at once is a second unit, and so is a read after the window.
  const StationReply other_source = bench.scan(k_sock, 10, "usb:handheld-2");
  CHECK(other_source.verdict == Verdict::accepted);
  CHECK(bench.session().lines()[0].verified == 2);
  CHECK(bench.session().state() == SessionState::complete);
  bench.require_chain_intact();

  SECTION("a zero window turns bounce detection off")
  {
    Policy policy;
    policy.bounce_window = 0ms;
    Bench unbounced(policy);
    unbounced.start(k_socks);
    unbounced.expect(k_sock, Verdict::accepted, 0);
    unbounced.expect(k_sock, Verdict::accepted, 0);
  }
  SECTION("after the window the same source counts again")
  {
    Bench slow;
    slow.start(k_socks);
    slow.expect(k_sock, Verdict::accepted);
    slow.expect(k_sock, Verdict::accepted, 301);
  }
}

TEST_CASE("Station::start_order refuses unknown orders and a second open order", "[station][orders]")
{
  Bench bench;
  const auto unknown = bench.station().start_order("ORD-1999-00001");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().type == ErrorType::not_found);
  bench.start(k_incident);
  const auto second = bench.station().start_order(k_socks);
  REQUIRE_FALSE(second);
  CHECK(second.error().type == ErrorType::conflict);
  // Scanning the other order's barcode while one is open is a scan against the open order, not a switch.
  const StationReply reply = bench.scan(k_socks);
  CHECK(reply.verdict == Verdict::unknown_code);
  CHECK(bench.session().order().id == k_incident);
  must(bench.station().abandon("customer cancelled"));
  CHECK(bench.last("session_abandoned").reason == "customer cancelled");
  bench.start(k_socks);
  bench.require_chain_intact();
}

TEST_CASE("Station::handle_scan gives hostile bytes a verdict and journals them byte for byte", "[station][bad_input]")
{
  std::string four_kb_binary;
  for (int i = 0; i < 4096; ++i)
    four_kb_binary += static_cast<char>(i % 256);
  const std::vector<std::pair<std::string, std::string>> hostile{
      {"4 KB of digits", std::string(4096, '7')},
      {"4 KB of every byte value", four_kb_binary},
      {"control characters", std::string("\x01\x02\x07\x08\x1b[2J\x7f\r\t\n\x1d")},
      {"NUL bytes", std::string("9506\0"
                                "000001418\0",
                                15)},
      {"invalid UTF-8", std::string("\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc")},
      {"SQL metacharacters", "'; DROP TABLE journal; --"},
      {"SQL with a quote and a comment", "x' OR '1'='1'; DELETE FROM journal WHERE '1'='1"},
      {"a wrong check digit", "9506000001419"},
      {"GS separators only", std::string("\x1d\x1d\x1d")},
      {"an AIM prefix alone", "]C1"},
      {"a lone quote", "\""},
  };

  SECTION("with an open order: a verdict for each, nothing counted, nothing released")
  {
    Bench bench;
    bench.start(k_socks);
    for (const auto& [what, raw] : hostile) {
      INFO(what);
      const auto reply = bench.try_scan(raw);
      REQUIRE(reply);
      REQUIRE(reply->verdict.has_value());
      CHECK(*reply->verdict != Verdict::accepted);
      const JournalEntry last = bench.row(reply->journal_seq);
      const JournalEntry scan = last.type == "scan" ? last : bench.row(reply->journal_seq - 1);
      CHECK(scan.type == "scan");
      CHECK(scan.raw.size() == raw.size());
      CHECK(scan.raw == raw);
      CHECK(scan.verdict == to_string(*reply->verdict));
      // Clear whatever it opened so the next one is judged on its own.
      for (const Alert* alert : bench.session().open_alerts()) {
        must(bench.station().resolve_alert(alert->id, by_supervisor("item_set_aside")));
      }
    }
    CHECK(bench.session().lines()[0].verified == 0);
    const JournalEntry wrong_digit = [&] {
      for (const auto& row : bench.journal()) {
        if (row.raw == "9506000001419")
          return row;
      }
      return JournalEntry{};
    }();
    CHECK(wrong_digit.verdict == "malformed");
    CHECK(wrong_digit.reason.find("check digit") != std::string::npos);
    bench.require_chain_intact();
    // The journal table survived the SQL in the scans, and a real scan still works.
    bench.expect(k_sock, Verdict::accepted);
    bench.require_chain_intact();
  }
  SECTION("with no open order: journaled as read, no session started")
  {
    Bench bench;
    for (const auto& [what, raw] : hostile) {
      INFO(what);
      const StationReply reply = bench.scan(raw);
      CHECK(reply.headline == "NO ORDER");
      CHECK(bench.station().session() == nullptr);
      CHECK(bench.row(reply.journal_seq).raw == raw);
    }
    CHECK(bench.journal().size() == hostile.size());
    bench.require_chain_intact();
  }
}

TEST_CASE("Station::handle_scan from several scanners at once journals every scan once, in reply order",
          "[station][threads]")
{
  Policy policy;
  policy.bounce_window = 0ms;
  Bench bench(policy);
  bench.start(k_incident);
  std::mutex heard_mutex;
  std::vector<std::int64_t> heard;
  bench.station().add_listener([&](const StationReply& reply) {
    std::lock_guard lock(heard_mutex);
    heard.push_back(reply.journal_seq);
  });

  constexpr int k_threads = 4;
  constexpr int k_scans_per_thread = 25;
  std::atomic<int> failures{0};
  std::atomic<int> accepted{0};
  std::vector<std::thread> scanners;
  for (int t = 0; t < k_threads; ++t) {
    scanners.emplace_back([&, t] {
      for (int i = 0; i < k_scans_per_thread; ++i) {
        ScanEvent scan;
        // Mostly bad reads (counted nowhere); thread 0 also offers the insoles, which fit exactly once.
        scan.raw = t == 0 && i == 0 ? k_insole : "9506000001419";
        scan.source = "usb:scanner-" + std::to_string(t);
        scan.source_kind = SourceKind::hid_pos;
        stamp_now(scan);
        auto reply = bench.station().handle_scan(scan);
        if (!reply)
          ++failures;
        else if (reply->verdict == Verdict::accepted)
          ++accepted;
      }
    });
  }
  for (auto& scanner : scanners)
    scanner.join();

  CHECK(failures == 0);
  CHECK(accepted == 1);
  CHECK(bench.session().lines()[1].verified == 1);
  REQUIRE(heard.size() == static_cast<std::size_t>(k_threads * k_scans_per_thread));
  // Listeners hear the events in journal order: no reply overtakes another.
  CHECK(std::is_sorted(heard.begin(), heard.end()));
  CHECK(std::adjacent_find(heard.begin(), heard.end()) == heard.end());
  std::size_t scans = 0;
  for (const auto& row : bench.journal())
    scans += row.type == "scan";
  CHECK(scans == heard.size());
  bench.require_chain_intact();
}

TEST_CASE("Station::handle_scan stores the scan's own UTC time in milliseconds", "[station][journal]")
{
  Bench bench;
  bench.start(k_socks);
  ScanEvent scan = bench.event(k_sock);
  scan.utc =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'741'944'413'589)); // 2025-03-14T09:26:53.589Z
  must(bench.station().handle_scan(scan));
  CHECK(bench.last("scan").utc_ms == 1'741'944'413'589);
}

TEST_CASE("Station::handle_scan counts nothing once the pack is released", "[station][pack]")
{
  Bench bench;
  bench.start(k_socks);
  bench.expect(k_sock, Verdict::accepted);
  bench.expect(k_sock, Verdict::accepted);
  REQUIRE(must(bench.station().request_pack()).headline == "PACK RELEASED");
  const StationReply late = bench.expect(k_sock, Verdict::over_quantity);
  CHECK(contains(late.details, "order ORD-2025-00146 is already released: nothing more goes in this box"));
  CHECK(bench.session().lines()[0].verified == 2);
  CHECK(bench.session().state() == SessionState::released);
  CHECK(bench.last("scan").verdict == "over_quantity");
  // A second request does not write a second release.
  const StationReply again = must(bench.station().request_pack());
  CHECK(contains(again.details, "already released"));
  std::size_t releases = 0;
  for (const auto& row : bench.journal())
    releases += row.type == "pack_released";
  CHECK(releases == 1);
  must(bench.station().mark_packed());
  REQUIRE_FALSE(bench.station().mark_packed());
  // The next order starts with its barcode; nothing is left over from the last.
  bench.start(k_incident);
  CHECK(bench.session().lines()[0].verified == 0);
  bench.require_chain_intact();
}

TEST_CASE("Station::abandon and Station::mark_packed refuse what the state does not allow", "[station]")
{
  Bench bench;
  REQUIRE_FALSE(bench.station().request_pack());
  REQUIRE_FALSE(bench.station().abandon("no order"));
  bench.start(k_socks);
  const auto early = bench.station().mark_packed();
  REQUIRE_FALSE(early);
  CHECK(early.error().type == ErrorType::conflict);
  const auto no_reason = bench.station().abandon("");
  REQUIRE_FALSE(no_reason);
  CHECK(no_reason.error().type == ErrorType::invalid_input);
  CHECK(bench.session().state() == SessionState::active);
  CHECK(must(bench.station().abandon("picker called away")).state == SessionState::abandoned);
  REQUIRE_FALSE(bench.station().abandon("again"));
  // After an abandoned order an item scan is journaled, with no order to count on.
  const StationReply stray = bench.scan(k_sock);
  CHECK(stray.headline == "NO ORDER");
  CHECK(bench.row(stray.journal_seq).raw == k_sock);
  CHECK(bench.row(stray.journal_seq).verdict.empty());
  bench.require_chain_intact();
}

TEST_CASE("Station::request_pack weighs the box when policy requires it and fails closed without a scale",
          "[station][weighing]")
{
  Policy policy;
  policy.weighing.required = true;
  policy.weighing.packaging_g = 100;
  policy.weighing.tolerance_g = 20;
  Bench bench(policy);
  bench.start(k_socks);
  bench.expect(k_sock, Verdict::accepted);
  bench.expect(k_sock, Verdict::accepted);

  // No scale at all: refused, said, journaled.
  auto no_scale = must(bench.station().request_pack());
  CHECK(no_scale.headline == "PACK REFUSED");
  CHECK(contains(no_scale.details, "no scale is configured"));

  // The scale offline: refused.
  bench.station().set_scale([] { return Result<Weight>(make_error(ErrorType::device_offline, "scale is offline")); });
  auto offline = must(bench.station().request_pack());
  CHECK(offline.headline == "PACK REFUSED");
  CHECK(contains(offline.details, "the scale gave no weight (scale is offline)"));

  // 2 × 100 g + 100 g packaging = 300 g; the box weighs 530 g: 230 g too heavy.
  Weight on_scale{530, 0, WeightUnit::g};
  bench.station().set_scale([&] { return Result<Weight>(on_scale); });
  auto heavy = must(bench.station().request_pack());
  CHECK(heavy.headline == "PACK REFUSED");
  INFO(joined(heavy.details));
  CHECK(contains(heavy.details,
                 "the box weighs 530 g, expected 300 g ± 20 g: 230 g too heavy — is something extra inside?"));
  CHECK(bench.session().state() != SessionState::released);
  const auto weighed = bench.last("weight_check");
  CHECK(weighed.detail.find("\"measured_mg\":530000") != std::string::npos);
  CHECK(weighed.detail.find("\"outcome\":\"too_heavy\"") != std::string::npos);

  // The extra item taken out: 0.68 lb = 308.44 g, within 300 g ± 20 g.
  on_scale = Weight{68, -2, WeightUnit::lb};
  auto released = must(bench.station().request_pack());
  CHECK(released.headline == "PACK RELEASED");
  CHECK(bench.session().state() == SessionState::released);
  CHECK(bench.last("weight_check").detail.find("\"outcome\":\"passed\"") != std::string::npos);
}

TEST_CASE("Station::handle_scan takes a packaging code as the box the weight check counts, and a resume keeps it",
          "[station][weighing][packaging]")
{
  Policy policy;
  policy.weighing.required = true;
  policy.weighing.packaging_g = 100;
  policy.weighing.tolerance_g = 20;
  policy.weighing.packagings = {Packaging{"shoe-box", {"PKG-SHOE-BOX"}, 180, 60, std::nullopt}};
  Bench bench(policy);
  bench.start(k_socks);
  bench.expect(k_sock, Verdict::accepted);
  // A resume replays scans by their journal (UTC) time: keep the second pair outside the bounce window.
  std::this_thread::sleep_for(350ms);
  bench.expect(k_sock, Verdict::accepted);
  // 2 × 100 g in the shoe box (180 g) = 380 g: against the station's 100 g packaging it is 60 g too heavy.
  Weight on_scale{380, 0, WeightUnit::g};
  bench.station().set_scale([&] { return Result<Weight>(on_scale); });
  auto before = must(bench.station().request_pack());
  CHECK(before.headline == "PACK REFUSED");
  CHECK(contains(before.details, "expected 300 g ± 20 g: 80 g too heavy"));

  const StationReply chosen = bench.scan("PKG-SHOE-BOX");
  CHECK(chosen.headline == "PACKAGING");
  CHECK(contains(chosen.details, "shoe-box: 180 g, tolerance ± 60 g"));
  CHECK_FALSE(chosen.verdict.has_value());
  const JournalEntry row = bench.row(chosen.journal_seq);
  CHECK(row.type == "scan");
  CHECK(row.verdict == "packaging");
  CHECK(row.detail.find("\"packaging\":\"shoe-box\"") != std::string::npos);
  CHECK(bench.session().lines()[0].verified == 2); // nothing counted

  // After a restart the session still packs into the shoe box.
  Station again("bench-7", bench.store(), must(bench.store().load_catalog()), policy);
  auto resumed = must(again.handle_scan(bench.event(k_socks)));
  CHECK_THAT(resumed.headline, Catch::Contains("RESUMED"));
  again.set_scale([&] { return Result<Weight>(on_scale); });
  auto released = must(again.request_pack());
  INFO(joined(released.details));
  CHECK(released.headline == "PACK RELEASED");
  const auto weighed = bench.last("weight_check");
  CHECK(weighed.detail.find("\"expected_mg\":380000") != std::string::npos);
  CHECK(weighed.detail.find("\"tolerance_mg\":60000") != std::string::npos);
  CHECK(weighed.detail.find("\"packaging\":\"shoe-box\"") != std::string::npos);
}

TEST_CASE("Station::apply_image_check weighs the box again before it releases, and a resume keeps the refusal",
          "[station][weighing][image_check]")
{
  Policy policy;
  policy.weighing.required = true;
  policy.weighing.packaging_g = 100;
  policy.weighing.tolerance_g = 20;
  Bench bench(policy);
  bench.complete_incident_order();
  // 5 units × 100 g + 100 g packaging = 600 g.
  Weight on_scale{600, 0, WeightUnit::g};
  bench.station().set_scale([&] { return Result<Weight>(on_scale); });
  auto asked = must(bench.station().request_pack());
  CHECK(asked.headline == "PACK REFUSED"); // the photo is still due
  CHECK(bench.last("weight_check").detail.find("\"outcome\":\"passed\"") != std::string::npos);

  // Between the weighing and the photo a 230 g item went into the box: the photo passes, the scale does not.
  on_scale = Weight{830, 0, WeightUnit::g};
  const StationReply photo = must(bench.station().apply_image_check(image_check(ImageCheckOutcome::passed)));
  INFO(joined(photo.details));
  CHECK(photo.state == SessionState::awaiting_image_check);
  CHECK(contains(photo.details,
                 "the box weighs 830 g, expected 600 g ± 20 g: 230 g too heavy — is something extra inside?"));
  const auto rows = bench.journal();
  REQUIRE(rows.size() >= 3);
  CHECK(rows[rows.size() - 3].type == "image_check");
  CHECK(rows[rows.size() - 2].type == "weight_check");
  CHECK(rows[rows.size() - 2].detail.find("\"measured_mg\":830000") != std::string::npos);
  CHECK(rows.back().type == "pack_refused");
  CHECK(rows.back().reason.find("230 g too heavy") != std::string::npos);

  // After a restart the session is rebuilt as it was: the refused photo released nothing.
  {
    Station again("bench-7", bench.store(), must(bench.store().load_catalog()), policy);
    ScanEvent order = bench.event(k_incident);
    auto resumed = must(again.handle_scan(order));
    CHECK_THAT(resumed.headline, Catch::Contains("RESUMED"));
    REQUIRE(again.session());
    CHECK(again.session()->state() == SessionState::awaiting_image_check);
  }

  // The extra item taken out, the photo taken again: released at 600 g.
  on_scale = Weight{600, 0, WeightUnit::g};
  const StationReply released = must(bench.station().apply_image_check(image_check(ImageCheckOutcome::passed)));
  CHECK(released.state == SessionState::released);
  CHECK(bench.last("weight_check").detail.find("\"outcome\":\"passed\"") != std::string::npos);
  CHECK(bench.last("pack_released").seq == bench.last("weight_check").seq + 1);
}

TEST_CASE("Station::handle_scan counts a pack in units where policy allows sealed packs, and refuses it where not",
          "[station][packs]")
{
  // (00) SSCC, (02) the socks' each GTIN, (37) two of them: a logistic label on a two-pair pack.
  const std::string two_pairs = "00009506000000000019"
                                "0209506000001975"
                                "372";
  SECTION("eaches only (the default): refused with the instruction, journaled, nothing counted")
  {
    Bench bench;
    bench.start(k_socks);
    const StationReply carton = bench.expect("19506000001972", Verdict::sealed_pack);
    CHECK(carton.headline == "SEALED PACK");
    CHECK(carton.tone == StationReply::Tone::warning);
    CHECK(contains(carton.details, "a case of 12 (Running socks, M): sealed packs are not counted here — open it "
                                   "and scan the items"));
    const StationReply label = bench.scan(two_pairs, 1500, "usb:bench-scanner", SourceKind::hid_pos, "]C1");
    REQUIRE(label.verdict == Verdict::sealed_pack);
    CHECK(contains(label.details, "a logistic unit of 2 (Running socks, M)"));
    CHECK(bench.session().lines()[0].verified == 0);
    CHECK(bench.session().open_alerts().empty());
    const JournalEntry row = bench.last("scan");
    CHECK(row.verdict == "sealed_pack");
    CHECK(row.gtin == "09506000001975");
    CHECK_THAT(row.detail, Catch::Contains(R"("units":2)") && Catch::Contains(R"("pack":"a logistic unit of 2")"));
    bench.expect(k_sock, Verdict::accepted);
    bench.expect(k_sock, Verdict::accepted, 400);
    CHECK(bench.session().state() == SessionState::complete);
  }
  SECTION("sealed packs allowed: the label counts two, survives a restart, and a third pair is over quantity")
  {
    Policy policy;
    policy.sealed_packs = true;
    Bench bench(policy);
    bench.start(k_socks);
    const StationReply label = bench.scan(two_pairs, 1500, "usb:bench-scanner", SourceKind::hid_pos, "]C1");
    REQUIRE(label.verdict == Verdict::accepted);
    CHECK(contains(label.details, "now 2/2 (a logistic unit of 2 counted as 2)"));
    CHECK(bench.session().state() == SessionState::complete);
    CHECK_THAT(bench.last("scan").detail, Catch::Contains(R"("verified":2)") && Catch::Contains(R"("units":2)"));

    // Another station process on the same journal rebuilds the session: still 2/2, not 1/2.
    Station again("bench-7", bench.store(), must(bench.store().load_catalog()), policy);
    const StationReply resumed = must(again.handle_scan(bench.event(k_socks)));
    CHECK_THAT(resumed.headline, Catch::Contains("RESUMED"));
    REQUIRE(again.session());
    CHECK(again.session()->lines()[0].verified == 2);
    const StationReply extra = must(again.handle_scan(bench.event(k_sock)));
    CHECK(extra.verdict == Verdict::over_quantity);
    CHECK(extra.tone == StationReply::Tone::error);
  }
}

TEST_CASE("Station::handle_scan checks a kit's runner against the size ordered and names the kit", "[station][kits]")
{
  Bench bench;
  bench.start("ORD-2025-00148");
  REQUIRE(bench.session().lines().size() == 3);
  CHECK(bench.session().lines()[0].line.description == "Trail runner, size 10, width D (kit KIT-TRAIL)");

  const StationReply nine = bench.expect(k_shoe_9d, Verdict::wrong_variant);
  CHECK(contains(nine.details, "wrong variant for line 1: size: scanned 9, kit KIT-TRAIL needs 10"));
  CHECK(bench.session().state() == SessionState::blocked);
  const JournalEntry row = bench.last("scan");
  CHECK(row.verdict == "wrong_variant");
  CHECK(row.reason == "wrong variant for line 1: size: scanned 9, kit KIT-TRAIL needs 10");
  CHECK(bench.session().lines()[0].verified == 0);

  must(bench.station().resolve_alert(1, by_supervisor("item_set_aside", "size-9 box back to the shelf")));
  bench.expect(k_shoe_10d, Verdict::accepted);
  bench.expect("9506000002040", Verdict::accepted);
  bench.expect(k_laces, Verdict::accepted);
  CHECK(bench.session().open_alerts().empty());
  CHECK(bench.session().state() == SessionState::awaiting_image_check); // $217.00: above the threshold
  bench.require_chain_intact();
}

namespace {

// What a reply and a journal row say, without what differs between two runs (times, session ids, hashes).
std::string reply_text(const Result<StationReply>& reply)
{
  if (!reply) {
    return "error: " + reply.error().message;
  }
  return reply->headline + " | " + (reply->verdict ? std::string(to_string(*reply->verdict)) : "-") + " | " +
         std::to_string(static_cast<int>(reply->tone)) + " | " + std::string(to_string(reply->state)) + " | " +
         joined(reply->details);
}

std::vector<std::string> journal_text(Bench& bench)
{
  std::vector<std::string> rows;
  for (const auto& row : bench.journal()) {
    rows.push_back(std::to_string(row.seq) + " " + row.type + " " + row.raw + " " + row.source + " " + row.verdict +
                   " " + row.reason + " " + row.detail);
  }
  return rows;
}

} // namespace

TEST_CASE("Station::handle_scans answers a batch as handle_scan answers its scans one after another, the units "
          "journaled in one commit",
          "[station][batch]")
{
  Bench one_by_one;
  Bench batched;
  one_by_one.start(k_incident);
  batched.start(k_incident);
  // Units, and between them what is not one (the order's own label, a bad read, a duplicate in the
  // bounce window): the batch must give each the answer it has after the scans before it.
  std::vector<ScanEvent> scans;
  scans.push_back(one_by_one.event(k_shoe_10d));
  scans.push_back(one_by_one.event(k_shoe_9d));
  scans.push_back(one_by_one.event(k_shoe_9d, 100)); // the same read again at once: duplicate
  scans.push_back(one_by_one.event(k_shoe_9d));      // a second pair: over quantity
  scans.push_back(one_by_one.event(k_incident));     // the order's label: journaled on its own
  scans.push_back(one_by_one.event(k_insole));
  scans.push_back(one_by_one.event("9506000001419")); // bad check digit
  scans.push_back(one_by_one.event(k_laces));
  scans.push_back(one_by_one.event(k_not_in_catalog));

  std::vector<std::string> expected;
  for (const auto& scan : scans) {
    expected.push_back(reply_text(one_by_one.station().handle_scan(scan)));
  }

  // A second connection, as QA's tools would open: it only sees committed rows.
  auto observer = must(open_sqlite_store(batched.db_path()));
  std::vector<std::int64_t> heard;
  std::vector<std::int64_t> head_when_heard;
  batched.station().add_listener([&](const StationReply& reply) {
    heard.push_back(reply.journal_seq);
    head_when_heard.push_back(must(observer->head_seq()));
  });
  const auto replies = batched.station().handle_scans(scans);
  REQUIRE(replies.size() == scans.size());
  std::vector<std::string> got;
  for (const auto& reply : replies) {
    got.push_back(reply_text(reply));
  }
  CHECK(got == expected);
  CHECK(journal_text(batched) == journal_text(one_by_one));
  CHECK(batched.session().lines()[0].verified == one_by_one.session().lines()[0].verified);
  CHECK(batched.session().open_alerts().size() == one_by_one.session().open_alerts().size());

  // Each reply names its own last row, listeners hear them in journal order, and only once durable.
  REQUIRE(heard.size() == scans.size());
  CHECK(std::is_sorted(heard.begin(), heard.end()));
  for (std::size_t i = 0; i < heard.size(); ++i) {
    REQUIRE(replies[i]);
    CHECK(replies[i]->journal_seq == heard[i]);
    CHECK(head_when_heard[i] >= heard[i]);
  }
  // The four scans before the order's label went in one append: when the first was heard, the
  // fourth's row was already committed. The label's own row came after.
  CHECK(head_when_heard[0] >= heard[3]);
  CHECK(head_when_heard[0] < heard[4]);
  batched.require_chain_intact();
}

TEST_CASE("Station::handle_scans takes the scans one at a time when their shared append is refused", "[station][batch]")
{
  Bench batched;
  batched.start(k_incident);
  // A supervisor moves the order to another station: this station's session learns it from the
  // refusal of its next rows, as with handle_scan.
  Station other("bench-8", batched.store(), must(batched.store().load_catalog()), Policy{});
  must(other.take_over(k_incident, "sup-lee", "test: moved"));
  const auto replies =
      batched.station().handle_scans({batched.event(k_shoe_9d), batched.event(k_insole), batched.event(k_laces)});
  REQUIRE(replies.size() == 3);
  // The first meets the claim alone (conflict, the session closes here); the others then find no
  // order open, exactly as three handle_scan calls would.
  REQUIRE_FALSE(replies[0]);
  CHECK(replies[0].error().type == ErrorType::conflict);
  REQUIRE(replies[1]);
  CHECK(replies[1]->headline == "NO ORDER");
  REQUIRE(replies[2]);
  CHECK(replies[2]->headline == "NO ORDER");
  CHECK(batched.station().session() == nullptr);
  std::size_t scans_here = 0;
  for (const auto& row : batched.journal()) {
    scans_here += row.type == "scan" && row.station == "bench-7" ? 1 : 0;
  }
  CHECK(scans_here == 2); // the two NO ORDER rows; the refused unit is nowhere
  batched.require_chain_intact();
}
