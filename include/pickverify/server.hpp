// The service: the stations' screens, the supervisor's alert queue and QA's journal pages in a
// browser, and the versioned HTTP API (/api/v1) for WMS and handheld terminals. One event-loop
// thread holds every connection and event stream; station and store work runs on a small pool.
// No HTTP library type appears here.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/catalog.hpp>
#include <pickverify/error.hpp>
#include <pickverify/image_check_request.hpp>
#include <pickverify/image_check_result.hpp>
#include <pickverify/order.hpp>
#include <pickverify/station.hpp>
#include <pickverify/store.hpp>
#include <pickverify/users.hpp>

namespace pickverify::server {

// Who may do what over HTTP. A picker works at a station (its token may be bound to one); a
// supervisor clears and overrides alerts; QA reads the journal; a WMS upserts orders.
enum class ServiceRole { picker, supervisor, qa, wms };
std::string_view to_string(ServiceRole role);
Result<ServiceRole> parse_service_role(std::string_view name);

struct Principal {
  std::string user;
  ServiceRole role = ServiceRole::picker;
  std::string station; // empty: any station
};

// Who the people are: the one seam between the service and the user store. verify_pin answers
// not_found / invalid_input without saying which of user or PIN was wrong.
class UserDirectory {
public:
  virtual ~UserDirectory() = default;
  virtual Result<Principal> verify_pin(const std::string& user, const std::string& pin) = 0;
};

// The users of `pickverify user` (include/pickverify/users.hpp), the same ones `run` signs in: a
// supervisor or admin gets the supervisor's rights, qa QA's, a picker a picker's. Lock-out and
// its count are the user store's, so they hold across the service, the stations and restarts.
std::unique_ptr<UserDirectory> directory_of(std::unique_ptr<UserStore> users);

// API tokens for machines (WMS, handheld terminals), stored as SHA-256 hashes in
// <data-dir>/api-tokens.json; the token itself is shown once, when it is made.
Result<std::string> create_api_token(const std::filesystem::path& data_dir, const std::string& name, ServiceRole role,
                                     const std::string& station);

// One station the service runs: the app owns it (and its devices); the service adds a listener and
// calls it from its pool.
struct StationBinding {
  Station* station = nullptr;
  // Takes the photo for the image check (the station's camera); empty: none, the check stays offline.
  std::function<Result<ImageCheckResult>(const ImageCheckRequest&)> image_check;
};

// A receiver of pack.released and alert.opened (docs/SERVICE.md, "Webhooks"): each POST is signed
// with HMAC-SHA256 over "<unix time>.<body>" with secret, retried with back-off until it answers
// 2xx, and sent at least once, also across restarts.
struct WebhookTarget {
  std::string name;                // 1–64 of a-z 0-9 - _: names its cursor file
  std::string url;                 // http:// or https:// (certificates verified)
  std::string secret;              // at least 16 characters
  std::vector<std::string> events; // "pack.released", "alert.opened"; empty: both
};

struct ServiceOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080; // 0: any free port (tests)
  std::filesystem::path data_dir;
  std::size_t max_body_bytes = 256 * 1024;
  // Pool threads besides one per station (up to 32 stations): a scan holds its thread while it waits
  // for its station and for its group commit, so each station needs one for the commits to fill.
  std::size_t worker_threads = 4;
  // Orders from a WMS in the JSON format of docs/FORMATS.md, checked against the catalog (the app's importer).
  std::function<Result<std::vector<Order>>(std::string_view json, const Catalog& catalog)> parse_orders;
  std::vector<WebhookTarget> webhooks; // cursors in <data_dir>/webhooks/
  // The store signs checkpoints (Store::set_checkpoint_signer was called): POST /api/v1/journal/anchor
  // can journal one. Shown by GET /api/v1/journal/anchor.
  bool checkpoint_signing = false;
  // Writes an order's evidence pack (docs/EVIDENCE.md) into a new folder: the app's writer, which signs
  // it with the station key. Without it the evidence-pack routes answer 503.
  std::function<Result<void>(const std::string& order_id, const std::filesystem::path& folder)> write_evidence_pack;
};

class Service {
public:
  virtual ~Service() = default;
  // Binds and starts serving; the stations must outlive the service.
  static Result<std::unique_ptr<Service>> start(ServiceOptions options, Store& store,
                                                std::vector<StationBinding> stations,
                                                std::unique_ptr<UserDirectory> users);
  virtual std::uint16_t port() const = 0;
  virtual void stop() = 0; // closes every connection; idempotent
  // "GET /api/v1/alerts", one per route: what the OpenAPI document must describe.
  virtual std::vector<std::string> routes() const = 0;
};

// "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:80" → host and port.
Result<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view text);

} // namespace pickverify::server
