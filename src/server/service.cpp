// The service: routes of /api/v1, the pages, the event streams, authentication. Every station call
// goes through the station actor (Station), which journals before it answers; the listener it
// calls afterwards is the only place that reads a station's session, so screens see only what is
// durable.
#include <pickverify/codes.hpp>
#include <pickverify/evidence.hpp>
#include <pickverify/expected.hpp>
#include <pickverify/http_scan_source.hpp>
#include <pickverify/journal_anchor.hpp>
#include <pickverify/journal_export.hpp>
#include <pickverify/server.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "assets.hpp"
#include "auth.hpp"
#include "http.hpp"
#include "metrics.hpp"
#include "tar_archive.hpp"
#include "webhooks.hpp"

namespace pickverify::server {

namespace {

using nlohmann::json;

constexpr const char* k_session_cookie = "pv_session";
constexpr std::size_t k_history = 30;
constexpr std::size_t k_max_journal_rows = 1000;

const Asset* page(std::string_view name)
{
  return find_asset(std::string("/assets/") + std::string(name));
}

Response asset_response(const Asset& asset)
{
  Response response;
  response.content_type = std::string(asset.content_type);
  response.body = std::string(asset.data);
  return response;
}

int http_status(const Error& error)
{
  switch (error.type) {
  case ErrorType::invalid_input:
    return 400;
  case ErrorType::not_found:
    return 404;
  case ErrorType::conflict:
    return 409;
  case ErrorType::device_offline:
    return 503;
  default:
    return 500;
  }
}

std::string tone_name(StationReply::Tone tone)
{
  switch (tone) {
  case StationReply::Tone::ok:
    return "ok";
  case StationReply::Tone::warning:
    return "warning";
  case StationReply::Tone::error:
    return "error";
  }
  return "error";
}

std::int64_t now_ms()
{
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Markup in barcode text is refused before it reaches a station: no device of ours reads "<script".
bool looks_like_markup(std::string_view text)
{
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '<') {
      const char next = text[i + 1];
      if (next == '/' || next == '!' || next == '?' || (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z')) {
        return true;
      }
    }
  }
  return false;
}

// A JSON object body with only the allowed keys; else an error naming what is wrong.
Result<json> parse_body(const Request& request, std::initializer_list<const char*> allowed)
{
  if (request.body.empty()) {
    return make_error(ErrorType::invalid_input, "the request needs a JSON object body");
  }
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded()) {
    return make_error(ErrorType::invalid_input, "the body is not valid JSON: nothing was stored");
  }
  if (!body.is_object()) {
    return make_error(ErrorType::invalid_input, "the body must be a JSON object");
  }
  for (const auto& [key, value] : body.items()) {
    if (std::find_if(allowed.begin(), allowed.end(), [&](const char* name) { return key == name; }) == allowed.end()) {
      std::string names;
      for (const char* name : allowed) {
        names += (names.empty() ? "" : ", ") + std::string(name);
      }
      return make_error(ErrorType::invalid_input,
                        fmt::format("unknown field \"{}\" (allowed: {}): nothing was stored", key, names));
    }
  }
  return body;
}

Result<std::string> string_field(const json& body, const char* name, bool required, std::size_t max_size = 256)
{
  if (!body.contains(name)) {
    if (required) {
      return make_error(ErrorType::invalid_input, fmt::format("field \"{}\" is required", name));
    }
    return std::string{};
  }
  if (!body[name].is_string()) {
    return make_error(ErrorType::invalid_input, fmt::format("field \"{}\" must be a string", name));
  }
  std::string value = body[name].get<std::string>();
  if (value.size() > max_size) {
    return make_error(ErrorType::invalid_input, fmt::format("field \"{}\" is longer than {} bytes", name, max_size));
  }
  if (required && value.empty()) {
    return make_error(ErrorType::invalid_input, fmt::format("field \"{}\" is empty", name));
  }
  return value;
}

struct StationHost {
  Station* station = nullptr;
  std::function<Result<ImageCheckResult>(const ImageCheckRequest&)> image_check;
  std::mutex mutex;          // guards the fields below
  json snapshot;             // the screen's state without its history
  std::string snapshot_text; // with "history": made once per event, the SSE event and every reply carry it
  std::deque<json> history;  // newest first; each entry also serialised once, in history_text
  std::deque<std::string> history_text;
  std::string operator_id; // who signed in last to start a session here
  // The photos of the image check being applied, and of each image-check alert they opened (by
  // alert number, in the session photo_session): the supervisor's card shows the annotated one.
  json pending_photo;
  std::map<std::int32_t, json> alert_photos;
  std::string photo_session;
  // Scans over HTTP waiting for the station: one pool thread at a time hands them to the station as
  // a batch (Station::handle_scans, one journal append), the others queue and free their thread.
  struct QueuedScan {
    ScanEvent event;
    Respond respond;
    std::chrono::steady_clock::time_point queued;
  };
  std::mutex scan_mutex; // guards the two below
  std::vector<QueuedScan> scan_queue;
  bool scan_draining = false;
};

class ServiceImpl final : public Service {
public:
  ServiceImpl(ServiceOptions options, Store& store, std::unique_ptr<UserDirectory> users, TokenTable tokens)
      : m_options(std::move(options)), m_store(store), m_users(std::move(users)), m_tokens(std::move(tokens))
  {
  }
  ~ServiceImpl() override { stop(); }

  Result<void> start(std::vector<StationBinding> bindings)
  {
    for (auto& binding : bindings) {
      auto host = std::make_unique<StationHost>();
      host->station = binding.station;
      host->image_check = std::move(binding.image_check);
      StationHost* raw = host.get();
      m_stations[binding.station->id()] = std::move(host);
      {
        std::lock_guard lock(raw->mutex);
        raw->snapshot = snapshot_of(*raw, nullptr);
        raw->snapshot_text = snapshot_text_of(*raw);
      }
      binding.station->add_listener([this, raw](const StationReply& reply) { on_station_event(*raw, reply); });
    }
    if (!m_options.webhooks.empty()) {
      PV_TRY_ASSIGN(auto webhooks,
                    WebhookDispatcher::start(m_store, m_options.data_dir / "webhooks", m_options.webhooks));
      m_webhooks = std::move(webhooks);
    }
    add_routes();
    // A busy station's scan queue holds one pool thread through each batch's commit (drain_scans): a
    // thread per station lets every station have its batch in the store's group commit at once, and
    // leaves the 4 for the other routes (docs/PERFORMANCE.md, "Service").
    const std::size_t per_station = std::min<std::size_t>(m_stations.size(), 32);
    PV_TRY_ASSIGN(auto server, HttpServer::start(m_options.host, m_options.port, m_router, m_hub,
                                                 m_options.max_body_bytes, m_options.worker_threads + per_station));
    m_server = std::move(server);
    return {};
  }

  std::uint16_t port() const override { return m_server ? m_server->port() : 0; }
  void stop() override
  {
    if (m_server) {
      m_server->stop();
    }
    if (m_webhooks) {
      m_webhooks->stop();
    }
  }

  std::vector<std::string> routes() const override
  {
    std::vector<std::string> out;
    for (const auto& route : m_router.routes()) {
      out.push_back(route.method + " " + route.pattern);
    }
    return out;
  }

private:
  // --- station state for screens ------------------------------------------------------------------
  // Runs inside the station's lock, after the event is journaled.
  void on_station_event(StationHost& host, const StationReply& reply)
  {
    if (reply.verdict) {
      m_metrics.count_scan(std::string(to_string(*reply.verdict)));
    }
    std::string snapshot;
    bool alerts_changed = false;
    {
      std::lock_guard lock(host.mutex);
      const bool had_alerts = !host.snapshot["alerts"].empty();
      json last = {{"tone", tone_name(reply.tone)},
                   {"headline", reply.headline},
                   {"details", reply.details},
                   {"verdict", reply.verdict ? json(std::string(to_string(*reply.verdict))) : json(nullptr)},
                   {"state", std::string(to_string(reply.state))},
                   {"journal_seq", reply.journal_seq},
                   {"utc_ms", now_ms()}};
      host.history.push_front(last);
      host.history_text.push_front(last.dump());
      if (host.history.size() > k_history) {
        host.history.pop_back();
        host.history_text.pop_back();
      }
      host.snapshot = snapshot_of(host, &last);
      host.snapshot_text = snapshot_text_of(host);
      snapshot = host.snapshot_text;
      // The alert queue shows this station's open alerts with its history: it changes only while
      // the station has one (or had one before this event). Other stations' entries are untouched.
      alerts_changed = had_alerts || !host.snapshot["alerts"].empty();
    }
    const std::string station_id = host.station->id();
    m_hub.publish("station:" + station_id, "station", snapshot);
    if (alerts_changed) {
      m_hub.publish("alerts", "alerts", alerts_json({}, {}).dump());
    }
    if (m_webhooks) {
      m_webhooks->wake();
    }
  }

  // The session as a screen shows it. Only called inside the station's lock (listener) or before
  // any event reaches it (start).
  json snapshot_of(StationHost& host, const json* last) const
  {
    if (host.photo_session != host.station->session_id()) {
      host.alert_photos.clear();
      host.photo_session = host.station->session_id();
    }
    const Station& station = *host.station;
    json out = {{"station", station.id()},
                {"state", "idle"},
                {"order", nullptr},
                {"lines", json::array()},
                {"alerts", json::array()},
                {"missing", json::array()},
                {"last", last ? *last : json(nullptr)}};
    out["operator"] = host.operator_id;
    const PackSession* session = station.session();
    if (!session) {
      return out;
    }
    out["state"] = std::string(to_string(session->state()));
    out["session_id"] = station.session_id();
    const Order& order = session->order();
    out["order"] = {{"id", order.id},
                    {"value", format_money(order.value)},
                    {"customer", order.customer},
                    {"needs_image_check", session->needs_image_check()},
                    {"image_check_passed", session->image_check_passed()}};
    for (const auto& progress : session->lines()) {
      out["lines"].push_back({{"line_no", progress.line.line_no},
                              {"description", progress.line.description},
                              {"verified", progress.verified},
                              {"quantity", progress.line.quantity},
                              {"done", progress.done()}});
    }
    // A closed session (packed, abandoned, taken over elsewhere) has no alert left to act on.
    const bool closed = session->state() == SessionState::packed || session->state() == SessionState::abandoned;
    for (const auto& alert : session->alerts()) {
      if (!alert.open || closed) {
        continue;
      }
      std::string scanned = alert.gtin14.empty() ? std::string("—") : "GTIN " + alert.gtin14;
      if (const Item* item = station.catalog().find_item(alert.sku)) {
        scanned = fmt::format("{} ({})", item->description, item->sku);
      }
      std::string expected = "nothing on this order";
      if (alert.line_index && *alert.line_index < session->lines().size()) {
        const auto& line = session->lines()[*alert.line_index];
        expected = fmt::format("line {}: {}", line.line.line_no, line.line.description);
      }
      json photo = nullptr;
      if (alert.kind == AlertKind::image_check) {
        scanned = "photo of the pack";
        expected = "every unit of the order, nothing else";
        auto known = host.alert_photos.find(alert.id);
        if (known == host.alert_photos.end() && !host.pending_photo.is_null()) {
          known = host.alert_photos.emplace(alert.id, host.pending_photo).first; // the check that opened it
          host.pending_photo = nullptr;
        }
        if (known != host.alert_photos.end()) {
          photo = known->second;
        }
      }
      out["alerts"].push_back(
          {{"id", fmt::format("{}.{}", station.id(), alert.id)},
           {"number", alert.id},
           {"station", station.id()},
           {"order_id", order.id},
           {"kind", alert.kind == AlertKind::scan ? std::string(to_string(alert.verdict)) : std::string("image_check")},
           {"message", alert.message},
           {"scanned", scanned},
           {"expected", expected},
           {"picker_may_clear",
            alert.kind == AlertKind::scan && station.policy().picker_may_clear.count(alert.verdict) > 0},
           {"photo", photo}});
    }
    out["missing"] = session->missing();
    return out;
  }

  // The screen's state as text: the snapshot with the history spliced in, each entry serialised once
  // when it happened instead of copied and dumped again at every event. Inside host.mutex.
  static std::string snapshot_text_of(const StationHost& host)
  {
    std::string text = host.snapshot.dump();
    text.pop_back(); // the object's closing brace
    text += ",\"history\":[";
    for (std::size_t i = 0; i < host.history_text.size(); ++i) {
      if (i > 0) {
        text += ',';
      }
      text += host.history_text[i];
    }
    text += "]}";
    return text;
  }

  json alerts_json(const std::string& station_filter, const std::string& kind_filter)
  {
    json alerts = json::array();
    for (auto& [id, host] : m_stations) {
      if (!station_filter.empty() && id != station_filter) {
        continue;
      }
      std::lock_guard lock(host->mutex);
      for (const auto& alert : host->snapshot["alerts"]) {
        if (!kind_filter.empty() && alert["kind"] != kind_filter) {
          continue;
        }
        json item = alert;
        item["operator"] = host->snapshot.value("operator", "");
        item["history"] = json(host->history);
        alerts.push_back(item);
      }
    }
    return {{"alerts", alerts}, {"open", alerts.size()}};
  }

  // --- authentication ------------------------------------------------------------------------------
  struct Caller {
    Principal principal;
  };

  // Anyone signed in (any role, or a token); state changes by cookie also need the CSRF header.
  Result<Caller> authenticate(const Request& request)
  {
    const std::string authorization = request.header("authorization");
    if (authorization.rfind("Bearer ", 0) == 0) {
      if (auto principal = m_tokens.find(authorization.substr(7))) {
        return Caller{*principal};
      }
      return make_error(ErrorType::invalid_input, "401:the API token is not valid");
    }
    const std::string cookie = request.cookie(k_session_cookie);
    if (cookie.empty()) {
      return make_error(ErrorType::invalid_input, "401:sign in first (PIN) or send an API token");
    }
    auto session = m_sessions.find(cookie);
    if (!session) {
      return make_error(ErrorType::invalid_input, "401:the session has expired: sign in again");
    }
    if (request.method != "GET" && request.method != "HEAD") {
      const std::string csrf = request.header("x-csrf-token");
      if (csrf.size() != session->csrf.size() || csrf != session->csrf) {
        return make_error(ErrorType::invalid_input, "403:missing or wrong X-CSRF-Token header");
      }
    }
    return Caller{session->principal};
  }

  // The caller, with one of the roles, and (for a station-bound token) at this station.
  Result<Caller> authorise(const Request& request, std::initializer_list<ServiceRole> roles,
                           const std::string& station = {})
  {
    auto caller = authenticate(request);
    if (!caller) {
      return caller;
    }
    if (std::find(roles.begin(), roles.end(), caller->principal.role) == roles.end()) {
      std::string names;
      for (auto role : roles) {
        names += (names.empty() ? "" : " or ") + std::string(to_string(role));
      }
      return make_error(ErrorType::invalid_input,
                        fmt::format("403:{} may not do this: it needs {}", to_string(caller->principal.role), names));
    }
    if (!station.empty() && !caller->principal.station.empty() && caller->principal.station != station) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("403:this token is for station {}, not {}", caller->principal.station, station));
    }
    return caller;
  }

  static Response auth_failure(const Error& error)
  {
    const int status = std::stoi(error.message.substr(0, 3));
    Response response = error_response(status, error.message.substr(4));
    if (status == 401) {
      response.headers.emplace_back("WWW-Authenticate", "Bearer");
    }
    return response;
  }

  StationHost* find_station(const std::string& id)
  {
    const auto found = m_stations.find(id);
    return found == m_stations.end() ? nullptr : found->second.get();
  }

  std::string station_snapshot_text(StationHost& host)
  {
    std::lock_guard lock(host.mutex);
    return host.snapshot_text;
  }

  // The reply of a station call as JSON, with the screen's state after it.
  Response station_result(StationHost& host, const Result<StationReply>& reply, int ok_status = 200)
  {
    if (!reply) {
      return error_response(http_status(reply.error()), reply.error().message);
    }
    json out = {{"tone", tone_name(reply->tone)},
                {"headline", reply->headline},
                {"details", reply->details},
                {"verdict", reply->verdict ? json(std::string(to_string(*reply->verdict))) : json(nullptr)},
                {"state", std::string(to_string(reply->state))},
                {"journal_seq", reply->journal_seq}};
    // The screen's state as the last event serialised it, spliced in rather than copied and dumped again.
    std::string body = out.dump();
    body.pop_back(); // the object's closing brace
    body += ",\"station\":";
    body += station_snapshot_text(host);
    body += '}';
    return json_response(ok_status, std::move(body));
  }

  // --- routes -------------------------------------------------------------------------------------
  void add_routes()
  {
    auto add = [this](const char* method, const char* pattern, RouteMode mode, std::function<Response(Request&)> fn,
                      const char* summary) {
      m_router.add(Route{method, pattern, mode, std::move(fn), nullptr, summary, nullptr});
    };
    auto stream = [this](const char* pattern, std::function<Result<StreamStart>(Request&, Response&)> fn,
                         const char* summary) {
      m_router.add(Route{"GET", pattern, RouteMode::stream, nullptr, std::move(fn), summary, nullptr});
    };

    // Pages and their assets.
    add(
        "GET", "/", RouteMode::inline_loop, [](Request&) { return asset_response(*page("index.html")); }, "index");
    add(
        "GET", "/station/{id}", RouteMode::inline_loop,
        [this](Request& r) {
          return find_station(r.params[0]) ? asset_response(*page("station.html"))
                                           : error_response(404, fmt::format("there is no station {}", r.params[0]));
        },
        "station screen");
    add(
        "GET", "/supervisor", RouteMode::inline_loop, [](Request&) { return asset_response(*page("supervisor.html")); },
        "supervisor page");
    add(
        "GET", "/qa", RouteMode::inline_loop, [](Request&) { return asset_response(*page("qa.html")); }, "QA page");
    add(
        "GET", "/assets/{file}", RouteMode::inline_loop,
        [](Request& r) {
          const Asset* asset = find_asset(r.path);
          return asset ? asset_response(*asset) : error_response(404, fmt::format("no asset {}", r.params[0]));
        },
        "page assets");

    // Health and metrics.
    add(
        "GET", "/healthz", RouteMode::inline_loop,
        [](Request&) {
          Response response;
          response.content_type = "text/plain; charset=utf-8";
          response.body = "ok\n";
          return response;
        },
        "liveness");
    add(
        "GET", "/readyz", RouteMode::pool,
        [this](Request&) {
          auto orders = m_store.find_order("readyz-probe");
          if (!orders) {
            return error_response(503, "store: " + orders.error().message);
          }
          return json_response(200, json{{"ready", true}, {"stations", m_stations.size()}}.dump());
        },
        "readiness");
    add(
        "GET", "/metrics", RouteMode::inline_loop,
        [this](Request&) {
          Response response;
          response.content_type = "text/plain; version=0.0.4; charset=utf-8";
          std::size_t open_alerts = 0;
          std::vector<std::pair<std::string, std::string>> states;
          for (auto& [id, host] : m_stations) {
            std::lock_guard lock(host->mutex);
            open_alerts += host->snapshot["alerts"].size();
            states.emplace_back(id, host->snapshot.value("state", "idle"));
          }
          response.body = m_metrics.render(open_alerts, m_hub.open_streams(), states);
          if (m_webhooks) {
            response.body += "# TYPE pickverify_webhook_delivered_total counter\n"
                             "# TYPE pickverify_webhook_failed_attempts_total counter\n"
                             "# TYPE pickverify_webhook_cursor_seq gauge\n";
            for (const auto& target : m_webhooks->status()) {
              response.body += fmt::format("pickverify_webhook_delivered_total{{webhook=\"{0}\"}} {1}\n"
                                           "pickverify_webhook_failed_attempts_total{{webhook=\"{0}\"}} {2}\n"
                                           "pickverify_webhook_cursor_seq{{webhook=\"{0}\"}} {3}\n",
                                           target.name, target.delivered, target.failed_attempts, target.cursor);
            }
          }
          return response;
        },
        "Prometheus metrics");
    add(
        "GET", "/api/v1/openapi.json", RouteMode::inline_loop,
        [](Request&) { return asset_response(*page("openapi.json")); }, "this API");

    // Sign-in.
    add(
        "POST", "/api/v1/login", RouteMode::pool, [this](Request& r) { return login(r); }, "sign in with a PIN");
    add(
        "POST", "/api/v1/logout", RouteMode::inline_loop,
        [this](Request& r) {
          m_sessions.close(r.cookie(k_session_cookie));
          Response response = json_response(200, R"({"signed_out":true})");
          response.headers.emplace_back("Set-Cookie", std::string(k_session_cookie) +
                                                          "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
          return response;
        },
        "sign out");
    add(
        "GET", "/api/v1/me", RouteMode::inline_loop,
        [this](Request& r) {
          auto caller = authenticate(r);
          if (!caller) {
            return auth_failure(caller.error());
          }
          json out = {{"user", caller->principal.user},
                      {"role", std::string(to_string(caller->principal.role))},
                      {"station", caller->principal.station}};
          const std::string cookie = r.cookie(k_session_cookie);
          if (auto session = cookie.empty() ? std::nullopt : m_sessions.find(cookie)) {
            out["csrf"] = session->csrf;
          }
          return json_response(200, out.dump());
        },
        "who is signed in");

    // Stations.
    add(
        "GET", "/api/v1/stations", RouteMode::inline_loop,
        [this](Request& r) {
          if (auto caller = authenticate(r); !caller) {
            return auth_failure(caller.error());
          }
          std::string body = "{\"stations\":[";
          for (auto& [id, host] : m_stations) {
            body += body.back() == '[' ? "" : ",";
            body += station_snapshot_text(*host);
          }
          body += "]}";
          return json_response(200, std::move(body));
        },
        "every station's state");
    add(
        "GET", "/api/v1/stations/{id}", RouteMode::inline_loop,
        [this](Request& r) {
          if (auto caller = authenticate(r); !caller) {
            return auth_failure(caller.error());
          }
          StationHost* host = find_station(r.params[0]);
          return host ? json_response(200, station_snapshot_text(*host))
                      : error_response(404, fmt::format("there is no station {}", r.params[0]));
        },
        "one station's state");
    add(
        "POST", "/api/v1/stations/{id}/session", RouteMode::pool,
        [this](Request& r) {
          return station_call(r, {"order_id"}, [](StationHost& host, const json& body, const Caller& caller) {
            auto order_id = string_field(body, "order_id", true, 64);
            if (!order_id) {
              return Result<StationReply>(tl::unexpected(order_id.error()));
            }
            {
              std::lock_guard lock(host.mutex);
              host.operator_id = caller.principal.user;
            }
            host.station->set_operator(caller.principal.user);
            return host.station->start_order(*order_id);
          });
        },
        "start a session for an order");
    m_router.add(Route{"POST", "/api/v1/stations/{id}/scans", RouteMode::deferred, nullptr, nullptr,
                       "a scan (handheld terminal, keyboard wedge)",
                       [this](Request& r, Deferred deferred) { scan(r, std::move(deferred)); }});
    add(
        "POST", "/api/v1/stations/{id}/pack", RouteMode::pool,
        [this](Request& r) {
          return station_call(
              r, {}, [](StationHost& host, const json&, const Caller&) { return host.station->request_pack(); });
        },
        "ask to release the pack");
    add(
        "POST", "/api/v1/stations/{id}/image-check", RouteMode::pool,
        [this](Request& r) {
          return station_call(r, {}, [](StationHost& host, const json&, const Caller&) -> Result<StationReply> {
            if (!host.image_check) {
              ImageCheckResult offline;
              offline.outcome = ImageCheckOutcome::offline;
              offline.reason = "no camera is configured for this station: the image check cannot pass";
              return host.station->apply_image_check(offline);
            }
            PV_TRY_ASSIGN(auto pending, host.station->begin_image_check());
            auto result = host.image_check(pending.request);
            PV_TRY(result);
            {
              // Read by the listener while apply_image_check journals: an alert it opens gets these.
              std::lock_guard lock(host.mutex);
              host.pending_photo = nullptr;
              if (!result->annotated_hash.empty() || !result->evidence_hash.empty()) {
                const auto url = [](const std::string& hash) {
                  return hash.empty() ? json(nullptr) : json("/api/v1/evidence/" + hash);
                };
                host.pending_photo = {{"annotated", url(result->annotated_hash)},
                                      {"original", url(result->evidence_hash)}};
              }
            }
            auto applied = host.station->apply_image_check(*result, pending.session_id);
            std::lock_guard lock(host.mutex);
            host.pending_photo = nullptr;
            return applied;
          });
        },
        "take the photo and run the image check");
    add(
        "POST", "/api/v1/stations/{id}/packed", RouteMode::pool,
        [this](Request& r) {
          return station_call(
              r, {}, [](StationHost& host, const json&, const Caller&) { return host.station->mark_packed(); });
        },
        "the box is closed");
    add(
        "POST", "/api/v1/stations/{id}/abandon", RouteMode::pool,
        [this](Request& r) {
          return station_call(r, {"reason"}, [](StationHost& host, const json& body, const Caller&) {
            auto reason = string_field(body, "reason", true, 500);
            if (!reason) {
              return Result<StationReply>(tl::unexpected(reason.error()));
            }
            return host.station->abandon(*reason);
          });
        },
        "abandon the open session");
    stream(
        "/api/v1/stations/{id}/events",
        [this](Request& r, Response& refusal) -> Result<StreamStart> {
          if (auto caller = authenticate(r); !caller) {
            refusal = auth_failure(caller.error());
            return make_error(ErrorType::invalid_input, "refused");
          }
          StationHost* host = find_station(r.params[0]);
          if (!host) {
            refusal = error_response(404, fmt::format("there is no station {}", r.params[0]));
            return make_error(ErrorType::not_found, "refused");
          }
          return StreamStart{"station:" + r.params[0], format_sse("station", station_snapshot_text(*host))};
        },
        "the station screen's live events (SSE)");

    // Alerts.
    add(
        "GET", "/api/v1/alerts", RouteMode::inline_loop,
        [this](Request& r) {
          if (auto caller = authenticate(r); !caller) {
            return auth_failure(caller.error());
          }
          return json_response(200, alerts_json(r.query["station"], r.query["kind"]).dump());
        },
        "open alerts across stations");
    stream(
        "/api/v1/alerts/events",
        [this](Request& r, Response& refusal) -> Result<StreamStart> {
          if (auto caller = authorise(r, {ServiceRole::supervisor, ServiceRole::qa}); !caller) {
            refusal = auth_failure(caller.error());
            return make_error(ErrorType::invalid_input, "refused");
          }
          return StreamStart{"alerts", format_sse("alerts", alerts_json({}, {}).dump())};
        },
        "the alert queue's live events (SSE)");
    add(
        "POST", "/api/v1/alerts/{id}/clear", RouteMode::pool, [this](Request& r) { return resolve(r, false); },
        "clear an alert (reason code, note, PIN)");
    add(
        "POST", "/api/v1/alerts/{id}/override", RouteMode::pool, [this](Request& r) { return resolve(r, true); },
        "override an alert: count the item as if it matched");
    add(
        "POST", "/api/v1/alerts/{id}/takeover", RouteMode::pool, [this](Request& r) { return take_over(r); },
        "take the alert's order over to another station (reason code, note, PIN)");

    // Catalog.
    add(
        "GET", "/api/v1/catalog", RouteMode::pool, [this](Request& r) { return catalog(r); },
        "the catalog the stations verify against (filters sku, style, gtin)");

    // Orders.
    add(
        "POST", "/api/v1/orders", RouteMode::pool, [this](Request& r) { return upsert_orders(r); },
        "upsert orders from a WMS (idempotent by id)");
    add(
        "GET", "/api/v1/orders/{id}", RouteMode::pool,
        [this](Request& r) {
          if (auto caller = authenticate(r); !caller) {
            return auth_failure(caller.error());
          }
          auto order = m_store.find_order(r.params[0]);
          if (!order) {
            return error_response(500, order.error().message);
          }
          if (!*order) {
            return error_response(404, fmt::format("order {} is not known", r.params[0]));
          }
          return json_response(200, order_json(**order).dump());
        },
        "one order");
    add(
        "GET", "/api/v1/orders/{id}/evidence-pack", RouteMode::pool, [this](Request& r) { return evidence_pack(r); },
        "make the order's evidence pack: its manifest, or with format=tar the whole pack");
    add(
        "GET", "/api/v1/orders/{id}/evidence-pack/{file}", RouteMode::pool,
        [this](Request& r) { return evidence_pack_file(r, false); }, "a file of the order's evidence pack");
    add(
        "GET", "/api/v1/orders/{id}/evidence-pack/photos/{file}", RouteMode::pool,
        [this](Request& r) { return evidence_pack_file(r, true); }, "a photo of the order's evidence pack");

    // Journal.
    add(
        "GET", "/api/v1/journal", RouteMode::pool, [this](Request& r) { return journal_query(r); },
        "search the journal");
    add(
        "GET", "/api/v1/journal/verify", RouteMode::pool,
        [this](Request& r) {
          if (auto caller = authorise(r, {ServiceRole::qa, ServiceRole::supervisor}); !caller) {
            return auth_failure(caller.error());
          }
          auto report = m_store.verify_chain();
          if (!report) {
            return error_response(500, report.error().message);
          }
          return json_response(
              200, json{{"intact", report->intact()},
                        {"event_count", report->event_count},
                        {"head_hash", report->head_hash},
                        {"first_bad_seq", report->first_bad_seq ? json(*report->first_bad_seq) : json(nullptr)},
                        {"problem", report->problem}}
                       .dump());
        },
        "recompute the hash chain");
    add(
        "GET", "/api/v1/journal/export", RouteMode::pool, [this](Request& r) { return journal_export(r); },
        "export journal rows as CSV or JSON Lines");
    add(
        "GET", "/api/v1/journal/anchor", RouteMode::pool, [this](Request& r) { return anchor_status(r); },
        "the latest signed checkpoint and how far the journal is past it");
    add(
        "POST", "/api/v1/journal/anchor", RouteMode::pool, [this](Request& r) { return anchor_now(r); },
        "journal a signed checkpoint of the head now: the anchor file to keep elsewhere");

    // Evidence photos (content-addressed, <data-dir>/evidence/ab/<sha256>.jpg).
    add(
        "GET", "/api/v1/evidence/{sha256}", RouteMode::pool, [this](Request& r) { return evidence(r); },
        "an evidence photo by its SHA-256");

    // Reports.
    add(
        "GET", "/api/v1/reports/mismatches", RouteMode::pool, [this](Request& r) { return mismatch_report(r); },
        "mismatch rate by day, station, picker or SKU");
  }

  Response evidence(Request& request)
  {
    if (auto caller = authenticate(request); !caller) {
      return auth_failure(caller.error());
    }
    const std::string& hash = request.params[0];
    // Only 64 lower-case hex digits name a file: nothing else can reach the file system.
    if (!is_sha256_hex(hash)) {
      return error_response(400, "an evidence id is the photo's SHA-256: 64 lower-case hex digits");
    }
    const auto path = evidence_path(m_options.data_dir, hash);
    std::ifstream file(path, std::ios::binary);
    if (!file) {
      return error_response(404, fmt::format("no evidence photo {}", hash));
    }
    std::ostringstream bytes;
    bytes << file.rdbuf();
    if (sha256_hex(bytes.str()) != hash) {
      return error_response(500, fmt::format("evidence photo {} does not match its hash: it was changed", hash));
    }
    Response response;
    response.content_type = "image/jpeg";
    response.body = bytes.str();
    return response;
  }

  // --- evidence packs (docs/EVIDENCE.md): made by the app's writer, kept per order under
  // <data_dir>/evidence-packs/ so that its summary's photos can be fetched after it ----------------
  std::filesystem::path pack_folder(const std::string& order_id) const
  {
    return m_options.data_dir / "evidence-packs" / sha256_hex(order_id).substr(0, 32);
  }

  // A fresh pack in place of the last one; the caller holds m_pack_mutex.
  Result<void> make_pack(const std::string& order_id)
  {
    const auto folder = pack_folder(order_id);
    auto fresh = folder;
    fresh += ".new";
    std::error_code ec;
    std::filesystem::remove_all(fresh, ec);
    std::filesystem::create_directories(fresh.parent_path(), ec);
    if (auto written = m_options.write_evidence_pack(order_id, fresh); !written) {
      std::filesystem::remove_all(fresh, ec);
      return tl::unexpected(written.error());
    }
    std::filesystem::remove_all(folder, ec);
    std::filesystem::rename(fresh, folder, ec);
    if (ec) {
      return make_error(ErrorType::io, fmt::format("{}: {}", folder.string(), ec.message()));
    }
    return {};
  }

  static Result<std::string> read_file(const std::filesystem::path& path)
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return make_error(ErrorType::not_found, fmt::format("{}: missing", path.filename().string()));
    }
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
  }

  Response evidence_pack(Request& request)
  {
    if (auto caller = authorise(request, {ServiceRole::qa, ServiceRole::supervisor}); !caller) {
      return auth_failure(caller.error());
    }
    for (const auto& [key, value] : request.query) {
      if (key != "format") {
        return error_response(400, fmt::format("unknown query parameter \"{}\" (allowed: format)", key));
      }
    }
    const auto format = request.query.count("format") ? request.query.at("format") : std::string("json");
    if (format != "json" && format != "tar") {
      return error_response(400, fmt::format("format={} is not json or tar", json(format).dump()));
    }
    if (!m_options.write_evidence_pack) {
      return error_response(503, "this service makes no evidence packs (no pack writer)");
    }
    const std::string& order_id = request.params[0];
    std::lock_guard lock(m_pack_mutex);
    if (auto made = make_pack(order_id); !made) {
      return error_response(http_status(made.error()), made.error().message);
    }
    const auto folder = pack_folder(order_id);
    if (format == "tar") {
      auto archive = tar_folder(folder, "evidence-pack");
      if (!archive) {
        return error_response(500, archive.error().message);
      }
      std::string name = order_id;
      for (auto& c : name) {
        const bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                          c == '_' || c == '.';
        c = safe ? c : '_';
      }
      Response response;
      response.content_type = "application/x-tar";
      response.body = std::move(*archive);
      response.headers.emplace_back("Content-Disposition",
                                    fmt::format("attachment; filename=\"{}-evidence.tar\"", name));
      return response;
    }
    auto manifest = read_file(folder / "manifest.json");
    if (!manifest) {
      return error_response(500, manifest.error().message);
    }
    const std::string base = "/api/v1/orders/" + percent_encode(order_id) + "/evidence-pack";
    return json_response(200, json{{"order_id", order_id},
                                   {"view", base + "/summary.html"},
                                   {"pdf", base + "/summary.pdf"},
                                   {"download", base + "?format=tar"},
                                   {"manifest", json::parse(*manifest, nullptr, false)}}
                                  .dump());
  }

  // One file of the order's last pack (made now when there is none): only the pack's own names.
  Response evidence_pack_file(Request& request, bool photo)
  {
    if (auto caller = authorise(request, {ServiceRole::qa, ServiceRole::supervisor}); !caller) {
      return auth_failure(caller.error());
    }
    const std::string& order_id = request.params[0];
    const std::string& file = request.params[1];
    static const std::map<std::string, std::string> k_files = {
        {"summary.html", "text/html; charset=utf-8"}, {"summary.pdf", "application/pdf"},
        {"journal.jsonl", "application/x-ndjson"},    {"checkpoint.json", "application/json"},
        {"manifest.json", "application/json"},        {"manifest.sig", "text/plain; charset=utf-8"}};
    std::string content_type = "image/jpeg";
    if (photo) {
      const bool named =
          file.size() == 68 && file.compare(64, 4, ".jpg") == 0 && is_sha256_hex(std::string_view(file).substr(0, 64));
      if (!named) {
        return error_response(404, "a pack's photo is named <sha256>.jpg (64 lower-case hex digits)");
      }
    } else {
      const auto known = k_files.find(file);
      if (known == k_files.end()) {
        return error_response(404, fmt::format("an evidence pack has no file {} (it has summary.html, summary.pdf, "
                                               "journal.jsonl, checkpoint.json, manifest.json, manifest.sig, photos/)",
                                               json(file).dump()));
      }
      content_type = known->second;
    }
    if (!m_options.write_evidence_pack) {
      return error_response(503, "this service makes no evidence packs (no pack writer)");
    }
    std::lock_guard lock(m_pack_mutex);
    const auto folder = pack_folder(order_id);
    std::error_code ec;
    if (!std::filesystem::exists(folder / "manifest.json", ec)) {
      if (auto made = make_pack(order_id); !made) {
        return error_response(http_status(made.error()), made.error().message);
      }
    }
    auto bytes = read_file(photo ? folder / "photos" / file : folder / file);
    if (!bytes) {
      return error_response(
          404, fmt::format("order {}'s evidence pack has no {}{}", order_id, photo ? "photos/" : "", file));
    }
    Response response;
    response.content_type = content_type;
    response.body = std::move(*bytes);
    if (file == "summary.html") {
      // The summary is made by us from escaped text, with its own <style> and its photos beside it:
      // no script at all, inline style only.
      response.headers.emplace_back("Content-Security-Policy",
                                    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                                    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    }
    return response;
  }

  static std::string percent_encode(const std::string& text)
  {
    std::string out;
    for (const unsigned char c : text) {
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
          c == '.' || c == '~') {
        out += static_cast<char>(c);
      } else {
        out += fmt::format("%{:02X}", c);
      }
    }
    return out;
  }

  // An alert's station and number from its id ("station-1.3"); nullptr when there is no such station.
  StationHost* alert_station(const std::string& id, long& number)
  {
    const std::size_t dot = id.rfind('.');
    StationHost* host = dot == std::string::npos ? nullptr : find_station(id.substr(0, dot));
    if (!host) {
      return nullptr;
    }
    char* end = nullptr;
    const std::string number_text = id.substr(dot + 1);
    number = std::strtol(number_text.c_str(), &end, 10);
    if (number_text.empty() || *end != '\0' || number < 1 || number > 1'000'000) {
      return nullptr;
    }
    return host;
  }

  // A supervisor moves the order of an open alert to another station (their own bench): the taking
  // station journals the takeover and a fresh session (every unit verified again there); the
  // station the order left closes its session, so its screen and the alert queue show it gone.
  Response take_over(Request& request)
  {
    const std::string& id = request.params[0];
    long number = 0;
    StationHost* from = alert_station(id, number);
    if (!from) {
      return error_response(404, fmt::format("there is no alert {} (ids look like station-1.3)", id));
    }
    auto caller = authorise(request, {ServiceRole::supervisor});
    if (!caller) {
      return auth_failure(caller.error());
    }
    auto body = parse_body(request, {"station", "reason_code", "note", "pin"});
    if (!body) {
      return error_response(400, body.error().message);
    }
    auto to_id = string_field(*body, "station", true, 64);
    auto reason = string_field(*body, "reason_code", true, 64);
    auto note = string_field(*body, "note", false, 1000);
    auto pin = string_field(*body, "pin", true, 64);
    for (const auto* field : {&to_id, &reason, &note, &pin}) {
      if (!*field) {
        return error_response(400, field->error().message);
      }
    }
    StationHost* to = find_station(*to_id);
    if (!to) {
      return error_response(404, fmt::format("there is no station {} to take the order to", *to_id));
    }
    if (!caller->principal.station.empty() && caller->principal.station != *to_id) {
      return error_response(403,
                            fmt::format("this token is for station {}, not {}", caller->principal.station, *to_id));
    }
    if (auto again = m_users->verify_pin(caller->principal.user, *pin); !again) {
      return again.error().type == ErrorType::invalid_input
                 ? error_response(403, "the PIN does not match the signed-in supervisor: nothing was changed")
                 : refused_sign_in(again.error());
    }
    std::string order_id;
    std::string kind;
    {
      std::lock_guard lock(from->mutex);
      for (const auto& alert : from->snapshot["alerts"]) {
        if (alert.value("id", "") == id) {
          order_id = alert.value("order_id", "");
          kind = alert.value("kind", "");
        }
      }
    }
    if (order_id.empty()) {
      return error_response(404, fmt::format("alert {} is not open", id));
    }
    if (to == from) {
      return error_response(409, fmt::format("order {} is already at station {}: clear or override the alert there",
                                             order_id, to->station->id()));
    }
    const std::string why =
        fmt::format("alert {} ({}): {}{}", id, kind, *reason, note->empty() ? std::string() : " — " + *note);
    auto reply = to->station->take_over(order_id, caller->principal.user, why);
    if (!reply) {
      return station_result(*to, reply);
    }
    // The old station's session no longer holds the order: close it there (journaled, changes nothing
    // of the claim), so its screen and the queue stop showing the alert.
    (void)from->station->abandon(fmt::format("order {} taken over by supervisor {} to station {}", order_id,
                                             caller->principal.user, to->station->id()));
    return station_result(*to, reply);
  }

  static json item_json(const Item& item)
  {
    json packs = json::array();
    for (const auto& pack : item.packs) {
      packs.push_back({{"level", pack.level}, {"gtin", pack.gtin}, {"quantity", pack.quantity}});
    }
    return {{"sku", item.sku},
            {"style", item.style},
            {"description", item.description},
            {"gtins", item.gtins},
            {"attributes", item.attributes},
            {"weight_g", item.weight_g},
            {"value", format_money(item.unit_value)},
            {"value_minor", item.unit_value.minor},
            {"currency", item.unit_value.currency},
            {"image_check_required", item.image_check_required},
            {"serial_tracked", item.serial_tracked},
            {"serial_label", item.serial_label},
            {"no_visible_barcode", item.no_visible_barcode},
            {"packs", packs}};
  }

  // The catalog the stations hold (loaded at start): all of it, or the items of a SKU, a style or
  // a GTIN (an each's or a pack's).
  Response catalog(Request& request)
  {
    if (auto caller = authenticate(request); !caller) {
      return auth_failure(caller.error());
    }
    for (const auto& [key, value] : request.query) {
      if (key != "sku" && key != "style" && key != "gtin") {
        return error_response(400, fmt::format("unknown query parameter \"{}\" (allowed: sku, style, gtin)", key));
      }
    }
    if (m_stations.empty()) {
      return error_response(503, "this service runs no station, so it holds no catalog");
    }
    const Catalog& catalog = m_stations.begin()->second->station->catalog();
    const auto query = [&](const char* key) {
      const auto found = request.query.find(key);
      return found == request.query.end() ? std::string() : found->second;
    };
    const std::string sku = query("sku");
    const std::string style = query("style");
    const std::string gtin_text = query("gtin");
    std::string gtin;
    if (!gtin_text.empty()) {
      auto normalized = normalize_gtin(gtin_text);
      if (!normalized) {
        return error_response(400, fmt::format("gtin={}: {}", json(gtin_text).dump(), normalized.error().message));
      }
      gtin = *normalized;
    }
    json items = json::array();
    for (const auto& item : catalog.items()) {
      if ((!sku.empty() && item.sku != sku) || (!style.empty() && item.style != style) ||
          (!gtin.empty() && catalog.find_by_gtin(gtin) != &item)) {
        continue;
      }
      items.push_back(item_json(item));
    }
    json kits = json::array();
    for (const auto& kit : catalog.kits()) {
      if (!gtin.empty() || !style.empty() || (!sku.empty() && kit.sku != sku)) {
        continue;
      }
      json components = json::array();
      for (const auto& component : kit.components) {
        // As the catalog's JSON names a part: an exact item, or a style the order line completes.
        json part = {{"quantity", component.quantity}};
        if (!component.sku.empty()) {
          part["sku"] = component.sku;
        } else {
          part["style"] = component.style;
          part["attributes"] = component.fixed_attributes;
          part["from_order"] = component.from_order;
        }
        components.push_back(part);
      }
      kits.push_back({{"sku", kit.sku}, {"description", kit.description}, {"components", components}});
    }
    if ((!sku.empty() || !gtin.empty()) && items.empty() && kits.empty()) {
      return error_response(404, !gtin.empty() ? fmt::format("no catalog item has GTIN {}", gtin)
                                               : fmt::format("no catalog item or kit has SKU {}", json(sku).dump()));
    }
    return json_response(200, json{{"items", items}, {"kits", kits}}.dump());
  }

  // The latest checkpoint row of the journal (its signature checked) and the head now.
  Response anchor_status(Request& request)
  {
    if (auto caller = authorise(request, {ServiceRole::qa, ServiceRole::supervisor}); !caller) {
      return auth_failure(caller.error());
    }
    std::optional<JournalEntry> last;
    auto read = m_store.read_journal({}, [&](const JournalEntry& entry) {
      if (entry.type == "checkpoint") {
        last = entry;
      }
      return true;
    });
    if (!read) {
      return error_response(500, read.error().message);
    }
    auto head = m_store.head_seq();
    if (!head) {
      return error_response(500, head.error().message);
    }
    json out = {{"head_seq", *head}, {"signing", m_options.checkpoint_signing}, {"checkpoint", nullptr}};
    if (last) {
      auto checkpoint = Checkpoint::from_json(last->detail);
      if (!checkpoint) {
        return error_response(500, fmt::format("journal row {}: {}", last->seq, checkpoint.error().message));
      }
      out["checkpoint"] = json::parse(checkpoint->to_json());
      out["checkpoint_row"] = last->seq;
      out["signature_valid"] = checkpoint->signature_valid();
      out["rows_since"] = *head - last->seq;
    }
    return json_response(200, out.dump());
  }

  // `pickverify audit anchor` over HTTP: the checkpoint is journaled, and its JSON is the anchor file.
  Response anchor_now(Request& request)
  {
    if (auto caller = authorise(request, {ServiceRole::qa, ServiceRole::supervisor}); !caller) {
      return auth_failure(caller.error());
    }
    if (!request.body.empty()) {
      return error_response(400, "this request takes no body");
    }
    auto checkpoint = m_store.append_checkpoint();
    if (!checkpoint) {
      return checkpoint.error().type == ErrorType::conflict
                 ? error_response(409, "this service signs no checkpoints (it has no station key): " +
                                           checkpoint.error().message)
                 : error_response(500, checkpoint.error().message);
    }
    Response response = json_response(200, checkpoint->to_json() + "\n");
    response.headers.emplace_back("Content-Disposition",
                                  fmt::format("attachment; filename=\"anchor-{}.json\"", checkpoint->seq));
    return response;
  }

  // Scans (less duplicates) and mismatches (the verdicts that open an alert by default) per group.
  Response mismatch_report(Request& request)
  {
    if (auto caller = authorise(request, {ServiceRole::qa, ServiceRole::supervisor}); !caller) {
      return auth_failure(caller.error());
    }
    const std::string by = request.query["by"].empty() ? std::string("day") : request.query["by"];
    if (by != "day" && by != "station" && by != "picker" && by != "sku") {
      return error_response(400, fmt::format("by={} is not one of day, station, picker, sku", by));
    }
    auto filter = journal_filter(request);
    if (!filter) {
      return error_response(400, filter.error().message);
    }
    // A mismatch is a verdict that blocks packing with an alert (the policy's alert_on: by default wrong
    // variant, wrong item, over quantity, unknown code, a serial packed elsewhere); every other refusal
    // (malformed, serial missing, sealed pack) is counted by verdict beside it.
    const Station* first = m_stations.empty() ? nullptr : m_stations.begin()->second->station;
    std::set<std::string> mismatch_verdicts;
    for (const Verdict verdict : first ? first->policy().alert_on : Policy{}.alert_on) {
      mismatch_verdicts.emplace(to_string(verdict));
    }
    const Catalog* catalog = first ? &first->catalog() : nullptr;
    struct Counts {
      std::int64_t scans = 0;
      std::int64_t mismatches = 0;
      std::map<std::string, std::int64_t> verdicts; // every verdict but accepted
    };
    std::map<std::string, Counts> groups;
    auto read = m_store.read_journal(*filter, [&](const JournalEntry& entry) {
      if (entry.type != "scan" || entry.verdict.empty() || entry.verdict == "duplicate") {
        return true;
      }
      std::string key;
      if (by == "day") {
        key = format_utc_ms(entry.utc_ms).substr(0, 10);
      } else if (by == "station") {
        key = entry.station;
      } else if (by == "picker") {
        key = entry.operator_id;
      } else {
        const Item* item = catalog && !entry.gtin.empty() ? catalog->find_by_gtin(entry.gtin) : nullptr;
        key = item ? item->sku : entry.gtin.empty() ? std::string("(no GTIN)") : "GTIN " + entry.gtin;
      }
      auto& counts = groups[key];
      ++counts.scans;
      counts.mismatches += mismatch_verdicts.count(entry.verdict) ? 1 : 0;
      if (entry.verdict != "accepted") {
        ++counts.verdicts[entry.verdict];
      }
      return true;
    });
    if (!read) {
      return error_response(500, read.error().message);
    }
    json out = json::array();
    for (const auto& [key, counts] : groups) {
      out.push_back(
          {{"key", key},
           {"scans", counts.scans},
           {"mismatches", counts.mismatches},
           {"rate", counts.scans ? static_cast<double>(counts.mismatches) / static_cast<double>(counts.scans) : 0.0},
           {"verdicts", counts.verdicts}});
    }
    return json_response(200, json{{"by", by}, {"mismatch_verdicts", mismatch_verdicts}, {"groups", out}}.dump());
  }

  // A locked account (after too many wrong PINs) says so and when to retry; a store failure is the
  // service's, not the person's; everything else reads alike.
  static Response refused_sign_in(const Error& error)
  {
    switch (error.type) {
    case ErrorType::conflict:
      return error_response(429, error.message);
    case ErrorType::invalid_input:
      return error_response(401, "unknown user or wrong PIN");
    default:
      return error_response(503, "the user store cannot be read: " + error.message);
    }
  }

  Response login(Request& request)
  {
    auto body = parse_body(request, {"user", "pin"});
    if (!body) {
      return error_response(400, body.error().message);
    }
    auto user = string_field(*body, "user", true, 64);
    auto pin = string_field(*body, "pin", true, 64);
    if (!user || !pin) {
      return error_response(400, (!user ? user.error() : pin.error()).message);
    }
    auto principal = m_users->verify_pin(*user, *pin);
    if (!principal) {
      return refused_sign_in(principal.error());
    }
    std::string csrf;
    const std::string cookie = m_sessions.open(*principal, csrf);
    Response response = json_response(200, json{{"user", principal->user},
                                                {"role", std::string(to_string(principal->role))},
                                                {"station", principal->station},
                                                {"csrf", csrf}}
                                               .dump());
    // Behind the TLS proxy of docs/SERVICE.md ("TLS"), which says so in X-Forwarded-Proto, the cookie is
    // also Secure: a browser then never sends it over plain HTTP.
    const bool over_tls = request.header("x-forwarded-proto") == "https";
    response.headers.emplace_back("Set-Cookie", fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200{}",
                                                            k_session_cookie, cookie, over_tls ? "; Secure" : ""));
    return response;
  }

  Response station_call(Request& request, std::initializer_list<const char*> fields,
                        const std::function<Result<StationReply>(StationHost&, const json&, const Caller&)>& call)
  {
    StationHost* host = find_station(request.params[0]);
    if (!host) {
      return error_response(404, fmt::format("there is no station {}", request.params[0]));
    }
    auto caller = authorise(request, {ServiceRole::picker, ServiceRole::supervisor}, request.params[0]);
    if (!caller) {
      return auth_failure(caller.error());
    }
    json body = json::object();
    if (fields.size() > 0 || !request.body.empty()) {
      auto parsed = parse_body(request, fields);
      if (!parsed) {
        return error_response(400, parsed.error().message);
      }
      body = std::move(*parsed);
    }
    return station_result(*host, call(*host, body, *caller));
  }

  // On the event loop: the request is checked there (a token lookup and a small JSON body), then
  // queued for its station. The first scan of an idle station takes a pool thread to hand the
  // station its queue, batch after batch, until the queue is empty; later ones only queue.
  void scan(Request& request, Deferred deferred)
  {
    std::optional<ScanEvent> event;
    StationHost* host = nullptr;
    if (Response refusal = scan_event(request, host, event); !event) {
      return deferred.respond(std::move(refusal));
    }
    {
      std::lock_guard lock(host->scan_mutex);
      host->scan_queue.push_back({std::move(*event), std::move(deferred.respond), std::chrono::steady_clock::now()});
      if (host->scan_draining) {
        return; // the thread handing the station its scans takes this one with the next batch
      }
      host->scan_draining = true;
    }
    deferred.run_on_pool([this, host] { drain_scans(*host); });
  }

  // On the pool, one thread per station at a time: the queued scans go to the station as one batch
  // (Station::handle_scans: the units among them share one journal append); each is answered once
  // its batch is journaled.
  void drain_scans(StationHost& host)
  {
    std::unique_lock lock(host.scan_mutex);
    while (!host.scan_queue.empty()) {
      std::vector<StationHost::QueuedScan> batch;
      batch.swap(host.scan_queue);
      lock.unlock();
      std::vector<ScanEvent> events;
      events.reserve(batch.size());
      for (const auto& queued : batch) {
        events.push_back(queued.event);
      }
      std::vector<Result<StationReply>> replies;
      try {
        replies = host.station->handle_scans(events);
      } catch (const std::exception& e) {
        // Out of memory, say: every queued scan still gets an answer, and the queue keeps draining.
        replies.assign(batch.size(), make_error(ErrorType::internal, fmt::format("scan not taken: {}", e.what())));
      }
      const auto done = std::chrono::steady_clock::now();
      for (std::size_t i = 0; i < batch.size(); ++i) {
        m_metrics.observe_scan_seconds(std::chrono::duration<double>(done - batch[i].queued).count());
        batch[i].respond(station_result(host, replies[i]));
      }
      lock.lock();
    }
    host.scan_draining = false;
  }

  // The scan a request asks for, validated as a handheld terminal's driver validates it; else the
  // refusal (event stays empty).
  Response scan_event(Request& request, StationHost*& host, std::optional<ScanEvent>& event)
  {
    host = find_station(request.params[0]);
    if (!host) {
      return error_response(404, fmt::format("there is no station {}", request.params[0]));
    }
    auto caller = authorise(request, {ServiceRole::picker, ServiceRole::supervisor}, request.params[0]);
    if (!caller) {
      return auth_failure(caller.error());
    }
    auto body = parse_body(request, {"data", "aim", "terminal"});
    if (!body) {
      return error_response(400, body.error().message);
    }
    auto data = string_field(*body, "data", true, 4096);
    auto aim = string_field(*body, "aim", false, 3);
    auto terminal = string_field(*body, "terminal", false, 64);
    for (const auto* field : {&data, &aim, &terminal}) {
      if (!*field) {
        return error_response(400, field->error().message);
      }
    }
    if (looks_like_markup(*data)) {
      return error_response(400, "barcode text holds markup (\"<…\"): no label reads like that; nothing was stored");
    }
    HttpScanRequest scan_request;
    scan_request.station = request.params[0];
    scan_request.terminal = terminal->empty() ? std::string("web") : *terminal;
    scan_request.data = *data;
    if (!aim->empty()) {
      scan_request.aim = *aim;
    }
    // The same validation and ScanEvent a handheld terminal's driver makes, then the station actor.
    HttpScanSource source([&](const ScanEvent& e) { event = e; });
    auto submitted = source.submit(scan_request);
    if (!submitted) {
      event.reset();
      return error_response(400, submitted.error().message + ": nothing was stored");
    }
    return {};
  }

  Response resolve(Request& request, bool override_mismatch)
  {
    const std::string& id = request.params[0];
    long number = 0;
    StationHost* host = alert_station(id, number);
    if (!host) {
      return error_response(404, fmt::format("there is no alert {} (ids look like station-1.3)", id));
    }
    auto caller =
        authorise(request,
                  override_mismatch ? std::initializer_list<ServiceRole>{ServiceRole::supervisor}
                                    : std::initializer_list<ServiceRole>{ServiceRole::supervisor, ServiceRole::picker},
                  host->station->id());
    if (!caller) {
      return auth_failure(caller.error());
    }
    auto body = parse_body(request, {"reason_code", "note", "pin"});
    if (!body) {
      return error_response(400, body.error().message);
    }
    auto reason = string_field(*body, "reason_code", true, 64);
    auto note = string_field(*body, "note", false, 1000);
    auto pin = string_field(*body, "pin", caller->principal.role == ServiceRole::supervisor, 64);
    for (const auto* field : {&reason, &note, &pin}) {
      if (!*field) {
        return error_response(400, field->error().message);
      }
    }
    if (caller->principal.role == ServiceRole::supervisor) {
      // The supervisor confirms this decision with their own PIN, whatever the session says.
      if (auto again = m_users->verify_pin(caller->principal.user, *pin); !again) {
        return again.error().type == ErrorType::invalid_input
                   ? error_response(403, "the PIN does not match the signed-in supervisor: nothing was changed")
                   : refused_sign_in(again.error());
      }
    }
    AlertResolution resolution;
    resolution.role = caller->principal.role == ServiceRole::supervisor ? Role::supervisor : Role::picker;
    resolution.operator_id = caller->principal.user;
    resolution.reason_code = *reason;
    resolution.note = *note;
    resolution.override_mismatch = override_mismatch;
    auto reply = host->station->resolve_alert(static_cast<std::int32_t>(number), resolution);
    if (!reply && reply.error().type == ErrorType::conflict &&
        reply.error().message.find("may not clear") != std::string::npos) {
      return error_response(403, reply.error().message);
    }
    return station_result(*host, reply);
  }

  static json order_json(const Order& order)
  {
    json lines = json::array();
    for (const auto& line : order.lines) {
      json item = {{"line", line.line_no}, {"quantity", line.quantity}, {"description", line.description}};
      if (!line.sku.empty()) {
        item["sku"] = line.sku;
      } else {
        item["style"] = line.style;
        item["attributes"] = line.required_attributes;
      }
      lines.push_back(item);
    }
    return {{"id", order.id},
            {"value", format_money(order.value)},
            {"value_minor", order.value.minor},
            {"currency", order.value.currency},
            {"customer", order.customer},
            {"image_check", order.image_check_flagged},
            {"lines", lines}};
  }

  Response upsert_orders(Request& request)
  {
    if (auto caller = authorise(request, {ServiceRole::wms, ServiceRole::supervisor}); !caller) {
      return auth_failure(caller.error());
    }
    if (!m_options.parse_orders || m_stations.empty()) {
      return error_response(503, "this service has no order importer or no station catalog");
    }
    const json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded()) {
      return error_response(400, "the body is not valid JSON: nothing was stored");
    }
    auto orders = m_options.parse_orders(request.body, m_stations.begin()->second->station->catalog());
    if (!orders) {
      return error_response(400, orders.error().message + ": nothing was stored");
    }
    for (const auto& order : *orders) {
      if (looks_like_markup(order.id) || looks_like_markup(order.customer)) {
        return error_response(400, fmt::format("order {}: markup (\"<…\") in the id or customer: nothing was stored",
                                               json(order.id).dump()));
      }
    }
    if (auto saved = m_store.save_orders(*orders); !saved) {
      return error_response(500, saved.error().message);
    }
    json ids = json::array();
    for (const auto& order : *orders) {
      ids.push_back(order.id);
    }
    return json_response(200, json{{"saved", orders->size()}, {"ids", ids}}.dump());
  }

  Result<JournalFilter> journal_filter(Request& request)
  {
    JournalFilter filter;
    auto time = [&](const char* key, std::optional<std::int64_t>& into) -> Result<void> {
      const auto found = request.query.find(key);
      if (found == request.query.end() || found->second.empty()) {
        return {};
      }
      char* end = nullptr;
      const long long value = std::strtoll(found->second.c_str(), &end, 10);
      if (*end != '\0' || value < 0) {
        return make_error(ErrorType::invalid_input,
                          fmt::format("{}={} is not a time in epoch milliseconds", key, found->second));
      }
      into = value;
      return {};
    };
    PV_TRY(time("from", filter.from_utc_ms));
    PV_TRY(time("to", filter.to_utc_ms));
    if (!request.query["order"].empty()) {
      filter.order_id = request.query["order"];
    }
    if (!request.query["station"].empty()) {
      filter.station = request.query["station"];
    }
    return filter;
  }

  Response journal_query(Request& request)
  {
    if (auto caller = authorise(request, {ServiceRole::qa, ServiceRole::supervisor}); !caller) {
      return auth_failure(caller.error());
    }
    static const std::set<std::string> k_keys = {"from",     "to",      "order", "station",
                                                 "operator", "verdict", "type",  "limit"};
    for (const auto& [key, value] : request.query) {
      if (!k_keys.count(key)) {
        return error_response(400, fmt::format("unknown query parameter \"{}\"", key));
      }
    }
    auto filter = journal_filter(request);
    if (!filter) {
      return error_response(400, filter.error().message);
    }
    std::size_t limit = 200;
    if (!request.query["limit"].empty()) {
      limit = std::clamp<std::size_t>(
          static_cast<std::size_t>(std::strtoul(request.query["limit"].c_str(), nullptr, 10)), 1, k_max_journal_rows);
    }
    const std::string operator_id = request.query["operator"];
    const std::string verdict = request.query["verdict"];
    const std::string type = request.query["type"];
    std::deque<json> rows; // the newest `limit` matching rows
    std::size_t matched = 0;
    auto read = m_store.read_journal(*filter, [&](const JournalEntry& entry) {
      if ((!operator_id.empty() && entry.operator_id != operator_id) ||
          (!verdict.empty() && entry.verdict != verdict) || (!type.empty() && entry.type != type)) {
        return true;
      }
      ++matched;
      rows.push_back({{"seq", entry.seq},
                      {"time", format_utc_ms(entry.utc_ms)},
                      {"type", entry.type},
                      {"station", entry.station},
                      {"operator", entry.operator_id},
                      {"order_id", entry.order_id},
                      {"raw", escape_raw(entry.raw)},
                      {"gtin", entry.gtin},
                      {"verdict", entry.verdict},
                      {"reason", entry.reason},
                      {"evidence_hash", entry.evidence_hash},
                      {"hash", entry.hash}});
      if (rows.size() > limit) {
        rows.pop_front();
      }
      return true;
    });
    if (!read) {
      return error_response(500, read.error().message);
    }
    json out = json::array();
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
      out.push_back(*it);
    }
    return json_response(200, json{{"rows", out}, {"matched", matched}, {"shown", out.size()}}.dump());
  }

  Response journal_export(Request& request)
  {
    if (auto caller = authorise(request, {ServiceRole::qa, ServiceRole::supervisor}); !caller) {
      return auth_failure(caller.error());
    }
    auto format = parse_export_format(request.query["format"].empty() ? "jsonl" : request.query["format"]);
    if (!format) {
      return error_response(400, format.error().message);
    }
    auto filter = journal_filter(request);
    if (!filter) {
      return error_response(400, filter.error().message);
    }
    std::ostringstream out;
    auto written = export_journal(m_store, *filter, *format, out);
    if (!written) {
      return error_response(500, written.error().message);
    }
    Response response;
    response.content_type = *format == ExportFormat::csv ? "text/csv; charset=utf-8" : "application/x-ndjson";
    response.body = out.str();
    response.headers.emplace_back("Content-Disposition",
                                  fmt::format("attachment; filename=\"journal.{}\"", to_string(*format)));
    return response;
  }

  ServiceOptions m_options;
  Store& m_store;
  std::unique_ptr<UserDirectory> m_users;
  TokenTable m_tokens;
  SessionTable m_sessions;
  std::map<std::string, std::unique_ptr<StationHost>> m_stations;
  EventHub m_hub;
  Metrics m_metrics;
  std::mutex m_pack_mutex;                       // one evidence pack made or read at a time
  std::unique_ptr<WebhookDispatcher> m_webhooks; // declared after the store and the stations it reads
  Router m_router;
  std::unique_ptr<HttpServer> m_server;
};

} // namespace

Result<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view text)
{
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= text.size()) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("--listen \"{}\" is not HOST:PORT (e.g. 127.0.0.1:8080)", std::string(text)));
  }
  std::string host(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text(text.substr(colon + 1));
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (*end != '\0' || port < 0 || port > 65535) {
    return make_error(ErrorType::invalid_input, fmt::format("--listen: port \"{}\" is not 0–65535", port_text));
  }
  if (host == "localhost") {
    host = "127.0.0.1";
  }
  return std::make_pair(host, static_cast<std::uint16_t>(port));
}

Result<std::unique_ptr<Service>> Service::start(ServiceOptions options, Store& store,
                                                std::vector<StationBinding> stations,
                                                std::unique_ptr<UserDirectory> users)
{
  if (!users) {
    return make_error(ErrorType::invalid_input, "the service needs a user directory");
  }
  PV_TRY_ASSIGN(auto tokens, load_api_tokens(options.data_dir));
  auto service = std::make_unique<ServiceImpl>(std::move(options), store, std::move(users), TokenTable(tokens));
  PV_TRY(service->start(std::move(stations)));
  return std::unique_ptr<Service>(std::move(service));
}

} // namespace pickverify::server
