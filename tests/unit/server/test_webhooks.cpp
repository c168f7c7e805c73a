// Webhooks against a real HTTP receiver on loopback (cpp-httplib's server in this process): what
// is sent, how it is signed, retried and resent after a restart.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

#define CPPHTTPLIB_OPENSSL_SUPPORT // as the library and src/server/webhooks.cpp are built
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <pickverify/server.hpp>
#include <pickverify/store.hpp>

#include "temp_dir.hpp"
#include "webhooks.hpp"

using namespace pickverify;
using namespace std::chrono_literals;

namespace {

const std::string k_secret = "0123456789abcdef-secret";

struct Received {
  std::string event;
  std::string delivery;
  std::string signature;
  std::string body;
};

// A receiver that answers `failures` requests with 503 before it accepts.
class Receiver {
public:
  explicit Receiver(int failures = 0) : m_failures(failures)
  {
    m_server.Post("/hook", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard lock(m_mutex);
      ++m_attempts;
      if (m_failures > 0) {
        --m_failures;
        response.status = 503;
        return;
      }
      m_received.push_back(Received{request.get_header_value("X-Pickverify-Event"),
                                    request.get_header_value("X-Pickverify-Delivery"),
                                    request.get_header_value("X-Pickverify-Signature"), request.body});
      response.status = 204;
    });
    m_port = m_server.bind_to_any_port("127.0.0.1");
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
    for (int i = 0; i < 500 && !m_server.is_running(); ++i) { // cpp-httplib 0.11 has no wait_until_ready
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  ~Receiver()
  {
    m_server.stop();
    m_thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port) + "/hook"; }
  std::vector<Received> received()
  {
    std::lock_guard lock(m_mutex);
    return m_received;
  }
  int attempts()
  {
    std::lock_guard lock(m_mutex);
    return m_attempts;
  }
  // Waits up to 10 s for n accepted deliveries.
  std::vector<Received> wait_for(std::size_t n)
  {
    for (int i = 0; i < 1000 && received().size() < n; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    return received();
  }

private:
  httplib::Server m_server;
  std::thread m_thread;
  int m_port = 0;
  std::mutex m_mutex;
  int m_failures = 0;
  int m_attempts = 0;
  std::vector<Received> m_received;
};

JournalEntry row(const std::string& type, const std::string& order, const std::string& reason = {})
{
  JournalEntry entry;
  entry.type = type;
  entry.station = "station-1";
  entry.operator_id = "P-17";
  entry.order_id = order;
  entry.session_id = "s-" + order;
  entry.reason = reason;
  if (type == "alert_opened") {
    entry.verdict = "wrong_variant";
    entry.detail = R"({"alert_id":1})";
  }
  return entry;
}

server::WebhookTiming fast()
{
  server::WebhookTiming timing;
  timing.first_retry = 20ms;
  timing.max_retry = 100ms;
  timing.poll = 20ms;
  timing.request_timeout = 2000ms;
  return timing;
}

server::WebhookTarget target(const std::string& url)
{
  return server::WebhookTarget{"wms", url, k_secret, {}};
}

} // namespace

TEST_CASE("webhook_signature is HMAC-SHA256 over \"<unix time>.<body>\"", "[server][webhooks]")
{
  // Python: hmac.new(b'0123456789abcdef-secret', b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
  CHECK(server::webhook_signature(k_secret, 1700000000, R"({"a":1})") ==
        "t=1700000000,v1=6948a2dc6985c92d09b9edade5c97dce2ba201452d91a72e4a20d35abe4d3420");
}

TEST_CASE("WebhookDispatcher sends alert.opened and pack.released in journal order, signed, and retries a 503",
          "[server][webhooks]")
{
  test::TempDir dir;
  auto store = open_sqlite_store(dir / "pickverify.db");
  REQUIRE(store);
  REQUIRE((*store)->append({row("session_started", "ORD-1")})); // before the target existed: not sent
  Receiver receiver(2);
  auto dispatcher = server::WebhookDispatcher::start(**store, dir / "webhooks", {target(receiver.url())}, fast());
  REQUIRE(dispatcher);

  REQUIRE((*store)->append({row("scan", "ORD-1"), row("alert_opened", "ORD-1", "size: scanned 10, order needs 9"),
                            row("scan", "ORD-1"), row("pack_released", "ORD-1", "every line verified")}));
  (*dispatcher)->wake();
  const auto got = receiver.wait_for(2);
  REQUIRE(got.size() == 2);
  CHECK(receiver.attempts() == 4); // two 503s, then the two events
  CHECK(got[0].event == "alert.opened");
  CHECK(got[1].event == "pack.released");

  const auto alert = nlohmann::json::parse(got[0].body);
  CHECK(alert["event"] == "alert.opened");
  CHECK(alert["order_id"] == "ORD-1");
  CHECK(alert["reason"] == "size: scanned 10, order needs 9");
  CHECK(alert["verdict"] == "wrong_variant");
  CHECK(alert["alert_id"] == 1);
  CHECK(alert["journal_seq"] == 3);
  CHECK(got[0].delivery == alert["journal_hash"]);

  // The receiver checks the signature with the shared secret and the timestamp it was given.
  const auto& signature = got[1].signature;
  REQUIRE(signature.rfind("t=", 0) == 0);
  const std::int64_t t = std::stoll(signature.substr(2, signature.find(',') - 2));
  CHECK(server::webhook_signature(k_secret, t, got[1].body) == signature);
  CHECK(server::webhook_signature("another-secret-16chars", t, got[1].body) != signature);

  (*dispatcher)->stop();
  const auto status = (*dispatcher)->status();
  REQUIRE(status.size() == 1);
  CHECK(status[0].delivered == 2);
  CHECK(status[0].failed_attempts == 2);
  CHECK(status[0].cursor == 5);
  std::ifstream cursor(dir / "webhooks" / "wms.cursor");
  std::string text;
  std::getline(cursor, text);
  CHECK(text == "5");
}

TEST_CASE("WebhookDispatcher resends from its cursor after a restart: nothing acknowledged-to-the-picker is lost",
          "[server][webhooks]")
{
  test::TempDir dir;
  auto store = open_sqlite_store(dir / "pickverify.db");
  REQUIRE(store);
  std::string url;
  {
    // The receiver is down while the events happen, and the service stops.
    Receiver gone;
    url = gone.url();
  }
  {
    auto dispatcher = server::WebhookDispatcher::start(**store, dir / "webhooks", {target(url)}, fast());
    REQUIRE(dispatcher);
    REQUIRE((*store)->append({row("session_started", "ORD-7"), row("alert_opened", "ORD-7", "wrong item"),
                              row("pack_released", "ORD-7", "ok")}));
    (*dispatcher)->wake();
    std::this_thread::sleep_for(150ms);
    const auto status = (*dispatcher)->status();
    CHECK(status[0].delivered == 0);
    CHECK(status[0].failed_attempts >= 1);
    CHECK_FALSE(status[0].last_error.empty());
    CHECK(status[0].cursor == 0);
  }
  // Started again with a receiver: both events arrive, in order.
  Receiver receiver;
  server::WebhookTarget again = target(receiver.url());
  auto dispatcher = server::WebhookDispatcher::start(**store, dir / "webhooks", {again}, fast());
  REQUIRE(dispatcher);
  const auto got = receiver.wait_for(2);
  REQUIRE(got.size() == 2);
  CHECK(got[0].event == "alert.opened");
  CHECK(got[1].event == "pack.released");
  CHECK(nlohmann::json::parse(got[1].body)["journal_seq"] == 3);
}

TEST_CASE("WebhookDispatcher::start refuses a bad target and a damaged cursor, naming the webhook",
          "[server][webhooks]")
{
  test::TempDir dir;
  auto store = open_sqlite_store(dir / "pickverify.db");
  REQUIRE(store);
  const auto refused = [&](server::WebhookTarget bad) {
    auto started = server::WebhookDispatcher::start(**store, dir / "webhooks", {bad}, fast());
    REQUIRE_FALSE(started);
    CHECK(started.error().type == ErrorType::invalid_input);
    return started.error().message;
  };
  CHECK_THAT(refused({"WMS!", "http://127.0.0.1/", k_secret, {}}), Catch::Contains("a-z"));
  CHECK_THAT(refused({"wms", "ftp://host/", k_secret, {}}), Catch::Contains("http://"));
  CHECK_THAT(refused({"wms", "http:///x", k_secret, {}}), Catch::Contains("no host"));
  CHECK_THAT(refused({"wms", "http://host/", "short", {}}), Catch::Contains("16 characters"));
  CHECK_THAT(refused({"wms", "http://host/", k_secret, {"pack.shipped"}}), Catch::Contains("pack.shipped"));

  std::filesystem::create_directories(dir / "webhooks");
  std::ofstream(dir / "webhooks" / "wms.cursor") << "twelve\n";
  auto damaged = server::WebhookDispatcher::start(**store, dir / "webhooks", {target("http://127.0.0.1:9/")}, fast());
  REQUIRE_FALSE(damaged);
  CHECK(damaged.error().type == ErrorType::corrupt);
  CHECK_THAT(damaged.error().message, Catch::Contains("wms"));
}

TEST_CASE("WebhookDispatcher::start puts a new receiver at the journal head, a known one at its cursor",
          "[server][webhooks]")
{
  test::TempDir dir;
  auto store = open_sqlite_store(dir / "pickverify.db");
  REQUIRE(store);
  REQUIRE((*store)->append(std::vector<JournalEntry>(40, row("scan", "ORD-3"))));
  REQUIRE((*store)->head_seq().value() == 40);
  const std::string nowhere = "http://127.0.0.1:9/hook"; // nothing is delivered in this test
  {
    auto dispatcher = server::WebhookDispatcher::start(**store, dir / "webhooks", {target(nowhere)}, fast());
    REQUIRE(dispatcher);
    CHECK((*dispatcher)->status().at(0).cursor == 40);
    (*dispatcher)->stop();
  }
  std::ifstream cursor(dir / "webhooks" / "wms.cursor");
  std::string text;
  std::getline(cursor, text);
  CHECK(text == "40");

  // Later: five alerts, and a second receiver added. The first keeps its cursor (it owes them and
  // cannot deliver them), the new one starts at the head as it is now.
  REQUIRE((*store)->append(std::vector<JournalEntry>(5, row("alert_opened", "ORD-3", "wrong item"))));
  auto dispatcher = server::WebhookDispatcher::start(
      **store, dir / "webhooks", {target(nowhere), server::WebhookTarget{"erp", nowhere, k_secret, {}}}, fast());
  REQUIRE(dispatcher);
  const auto status = (*dispatcher)->status();
  REQUIRE(status.size() == 2);
  CHECK(status[0].name == "wms");
  CHECK(status[0].cursor == 40);
  CHECK(status[1].name == "erp");
  CHECK(status[1].cursor == 45);
  (*dispatcher)->stop();
}
