// The scan endpoint over real HTTP on loopback (cpp-httplib's client against the service): several
// terminals at several stations at once, every acknowledged scan journaled in its station's reply
// order, the reply carrying the station's screen; the alert queue's events follow its alerts.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#define CPPHTTPLIB_OPENSSL_SUPPORT // as the library and src/server/webhooks.cpp are built
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <pickverify/server.hpp>
#include <pickverify/store.hpp>

#include "temp_dir.hpp"

using namespace pickverify;
using namespace std::chrono_literals;

namespace {

Item item(std::string sku, std::string gtin14, Attributes attributes = {})
{
  Item out;
  out.sku = sku;
  out.style = sku.substr(0, sku.rfind('-'));
  out.description = sku;
  out.gtins = {std::move(gtin14)};
  out.attributes = std::move(attributes);
  out.unit_value = Money{1000, "USD"};
  return out;
}

Catalog scan_catalog()
{
  Catalog catalog;
  REQUIRE(catalog.add_item(item("TR-RUN-09-D", "09506000001418", {{"size", "9"}})));
  REQUIRE(catalog.add_item(item("TR-RUN-10-D", "09506000001487", {{"size", "10"}})));
  REQUIRE(catalog.add_item(item("ACC-INSOLE-M", "09506000001692")));
  return catalog;
}

Order order_of(const std::string& id)
{
  Order order;
  order.id = id;
  order.value = Money{1000, "USD"};
  OrderLine shoes;
  shoes.line_no = 1;
  shoes.sku = "TR-RUN-09-D";
  shoes.quantity = 10000;
  OrderLine insoles;
  insoles.line_no = 2;
  insoles.sku = "ACC-INSOLE-M";
  insoles.quantity = 10000;
  order.lines = {shoes, insoles};
  return order;
}

// N stations on one SQLite store, each with an open order, served on a free port.
struct Bench {
  explicit Bench(int stations)
  {
    auto opened = open_sqlite_store(dir / "pickverify.db");
    REQUIRE(opened);
    store = std::move(*opened);
    std::vector<Order> orders;
    for (int i = 1; i <= stations; ++i) {
      orders.push_back(order_of("ORD-" + std::to_string(i)));
    }
    REQUIRE(store->save_orders(orders));
    std::vector<server::StationBinding> bindings;
    for (int i = 1; i <= stations; ++i) {
      owned.push_back(std::make_unique<Station>("s" + std::to_string(i), *store, scan_catalog(), Policy{}));
      REQUIRE(owned.back()->start_order("ORD-" + std::to_string(i)));
      bindings.push_back(server::StationBinding{owned.back().get(), nullptr});
    }
    auto made = server::create_api_token(dir.path(), "terminals", server::ServiceRole::supervisor, "");
    REQUIRE(made);
    token = *made;
    auto users = open_sqlite_user_store(dir / "pickverify.db", HashCost::minimum());
    REQUIRE(users);
    server::ServiceOptions options;
    options.port = 0;
    options.data_dir = dir.path();
    auto started =
        server::Service::start(options, *store, std::move(bindings), server::directory_of(std::move(*users)));
    REQUIRE(started);
    service = std::move(*started);
  }
  ~Bench() { service->stop(); }

  httplib::Client client() const
  {
    httplib::Client out("127.0.0.1", service->port());
    out.set_bearer_token_auth(token.c_str());
    out.set_read_timeout(10, 0);
    return out;
  }

  test::TempDir dir;
  std::unique_ptr<Store> store;
  std::vector<std::unique_ptr<Station>> owned;
  std::string token;
  std::unique_ptr<server::Service> service;
};

std::string scan_body(const std::string& data, const std::string& terminal)
{
  return nlohmann::json{{"data", data}, {"terminal", terminal}}.dump();
}

} // namespace

TEST_CASE("POST /api/v1/stations/{id}/scans from terminals at several stations at once: every acknowledged scan is "
          "journaled in its station's reply order and the chain verifies",
          "[server][scan]")
{
  constexpr int k_stations = 4;
  constexpr int k_terminals_per_station = 3;
  constexpr int k_scans = 20;
  Bench bench(k_stations);
  const auto before = bench.store->verify_chain();
  REQUIRE(before);

  struct Ack {
    std::string station;
    std::string terminal;
    std::string thread;
    std::int64_t seq = 0;
  };
  std::mutex mutex;
  std::vector<Ack> acks;
  std::vector<std::string> failures;
  std::vector<std::thread> terminals;
  for (int s = 1; s <= k_stations; ++s) {
    for (int t = 0; t < k_terminals_per_station; ++t) {
      terminals.emplace_back([&, s, t] {
        const std::string station = "s" + std::to_string(s);
        const std::string thread = "t" + std::to_string(s) + "-" + std::to_string(t);
        auto client = bench.client();
        for (int i = 0; i < k_scans; ++i) {
          // A terminal id per scan: the same code from one source inside the bounce window is a duplicate.
          const std::string terminal = thread + "-" + std::to_string(i);
          const char* code = i % 2 ? "9506000001692" : "9506000001418";
          auto reply =
              client.Post("/api/v1/stations/" + station + "/scans", scan_body(code, terminal), "application/json");
          std::lock_guard lock(mutex);
          if (!reply || reply->status != 200) {
            failures.push_back(reply ? reply->body : httplib::to_string(reply.error()));
            continue;
          }
          const auto body = nlohmann::json::parse(reply->body, nullptr, false);
          if (body.is_discarded() || body.value("verdict", "") != "accepted" || !body.contains("station")) {
            failures.push_back("unexpected reply: " + reply->body);
            continue;
          }
          // The screen in the reply is this station's, at or after this scan.
          const auto& screen = body["station"];
          if (screen.value("station", "") != station || screen["last"].value("journal_seq", 0) < body["journal_seq"]) {
            failures.push_back("screen not after the scan: " + reply->body);
          }
          acks.push_back(Ack{station, terminal, thread, body["journal_seq"].get<std::int64_t>()});
        }
      });
    }
  }
  for (auto& thread : terminals) {
    thread.join();
  }
  INFO((failures.empty() ? std::string() : failures.front()));
  REQUIRE(failures.empty());
  REQUIRE(acks.size() == std::size_t{k_stations * k_terminals_per_station * k_scans});

  std::map<std::int64_t, JournalEntry> journal;
  REQUIRE(bench.store->read_journal(JournalFilter{}, [&](const JournalEntry& entry) {
    journal[entry.seq] = entry;
    return true;
  }));
  std::map<std::string, std::int64_t> last_seq_of_thread;
  for (const auto& ack : acks) {
    INFO("seq " << ack.seq << " at " << ack.station);
    const auto found = journal.find(ack.seq);
    REQUIRE(found != journal.end());
    CHECK(found->second.type == "scan");
    CHECK(found->second.station == ack.station);
    CHECK(found->second.source == "http:" + ack.terminal);
    CHECK(found->second.verdict == "accepted");
    // One client waits for each reply: its scans are journaled in the order it sent them.
    CHECK(ack.seq > last_seq_of_thread[ack.thread]);
    last_seq_of_thread[ack.thread] = ack.seq;
  }
  std::size_t scan_rows = 0;
  for (const auto& [seq, entry] : journal) {
    scan_rows += entry.type == "scan" ? 1 : 0;
  }
  CHECK(scan_rows == acks.size());
  const auto chain = bench.store->verify_chain();
  REQUIRE(chain);
  CHECK(chain->intact());
  CHECK(chain->event_count == before->event_count + static_cast<std::int64_t>(acks.size()));

  // Each station's screen counts what its terminals had acknowledged.
  auto client = bench.client();
  for (int s = 1; s <= k_stations; ++s) {
    auto screen = client.Get("/api/v1/stations/s" + std::to_string(s));
    REQUIRE(screen);
    REQUIRE(screen->status == 200);
    const auto body = nlohmann::json::parse(screen->body);
    int verified = 0;
    for (const auto& line : body["lines"]) {
      verified += line["verified"].get<int>();
    }
    CHECK(verified == k_terminals_per_station * k_scans);
  }
}

TEST_CASE("GET /api/v1/alerts/events: an event when a station's open alerts change or it has one open, none for a "
          "scan at a station without",
          "[server][scan][alerts]")
{
  Bench bench(2);
  std::mutex mutex;
  std::vector<nlohmann::json> events;
  std::atomic<bool> stop{false};
  std::thread listener([&] {
    auto client = bench.client();
    client.Get("/api/v1/alerts/events", [&](const char* data, std::size_t size) {
      std::string chunk(data, size);
      for (std::size_t at = chunk.find("data: "); at != std::string::npos; at = chunk.find("data: ", at + 1)) {
        const auto end = chunk.find('\n', at);
        auto parsed = nlohmann::json::parse(chunk.substr(at + 6, end - at - 6), nullptr, false);
        std::lock_guard lock(mutex);
        events.push_back(parsed);
      }
      return !stop.load();
    });
  });
  const auto count = [&] {
    std::lock_guard lock(mutex);
    return events.size();
  };
  const auto wait_for = [&](std::size_t n) {
    for (int i = 0; i < 500 && count() < n; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    return count();
  };
  REQUIRE(wait_for(1) == 1); // the queue as the stream opens
  auto client = bench.client();
  const auto post = [&](const std::string& station, const std::string& code) {
    auto reply = client.Post("/api/v1/stations/" + station + "/scans", scan_body(code, "t1"), "application/json");
    REQUIRE(reply);
    CHECK(reply->status == 200);
  };
  post("s1", "9506000001418"); // accepted, no alert anywhere: the queue is unchanged
  post("s1", "9506000001487"); // size 10 on a size-9 order: an alert opens
  REQUIRE(wait_for(2) == 2);
  {
    std::lock_guard lock(mutex);
    CHECK(events[0]["open"] == 0);
    CHECK(events[1]["open"] == 1);
    CHECK(events[1]["alerts"][0]["station"] == "s1");
  }
  post("s2", "9506000001692"); // another station without alerts: nothing for the queue
  post("s1", "9506000001692"); // s1 has an alert open: its card's history changed
  REQUIRE(wait_for(3) == 3);
  std::this_thread::sleep_for(100ms);
  stop = true;
  post("s1", "9506000001692"); // wakes the stream so the listener sees stop
  listener.join();
  std::lock_guard lock(mutex);
  CHECK(events.size() == 4);
  CHECK(events[2]["open"] == 1);
  CHECK(events[2]["alerts"][0]["history"].size() == events[1]["alerts"][0]["history"].size() + 1);
}
