// The HTTP layer in the service's own terms: requests, responses, routes and event streams. The
// Beast transport (http_server.cpp) is the only file that knows the library.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pickverify/error.hpp>

namespace pickverify::server {

struct Request {
  std::string method; // "GET", "POST", …
  std::string path;   // percent-decoded, without the query
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers; // lower-case names
  std::string body;
  std::vector<std::string> params; // the {…} segments of the matched route, in order
  std::string header(const std::string& name) const;
  std::string cookie(const std::string& name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

Response json_response(int status, const std::string& json_body);
Response error_response(int status, const std::string& message);

// An open server-sent-event stream. send() may be called from any thread.
class EventSink {
public:
  virtual ~EventSink() = default;
  virtual void send(std::shared_ptr<const std::string> event) = 0;
  virtual bool closed() const = 0;
};

// Streams grouped by topic ("station:station-1", "alerts"); publish from any thread.
class EventHub {
public:
  void subscribe(const std::string& topic, std::shared_ptr<EventSink> sink);
  void publish(const std::string& topic, const std::string& event_name, const std::string& data);
  std::size_t open_streams() const;
  void close_all();

private:
  mutable std::mutex m_mutex;
  std::map<std::string, std::vector<std::shared_ptr<EventSink>>> m_topics;
};

std::string format_sse(const std::string& event_name, const std::string& data);

// How a route runs: on the event loop (cheap, never blocks), on the worker pool (touches a station
// or the store), as an event stream (its handler returns the topic and the first event), or
// deferred: started on the event loop (so it must not block either), it answers through `respond`
// whenever it is done, from any thread, exactly once, and may hand work to the pool with
// `run_on_pool` (a scan queued behind its station's batch holds no thread meanwhile).
enum class RouteMode { inline_loop, pool, stream, deferred };

using Respond = std::function<void(Response)>;
struct Deferred {
  Respond respond;
  std::function<void(std::function<void()>)> run_on_pool;
};

struct StreamStart {
  std::string topic;
  std::string first_event; // formatted SSE text sent at once
};

struct Route {
  std::string method;
  std::string pattern; // "/api/v1/stations/{id}/scans"
  RouteMode mode = RouteMode::pool;
  std::function<Response(Request&)> handle;                               // inline_loop and pool
  std::function<Result<StreamStart>(Request&, Response& refusal)> stream; // stream: error → refusal
  std::string summary;                                                    // for the OpenAPI check
  std::function<void(Request&, Deferred)> handle_deferred;                // deferred
};

class Router {
public:
  void add(Route route);
  // The route for method + path, with params filled; nullptr and status 404 / 405 otherwise.
  const Route* match(Request& request, int& status_if_none) const;
  const std::vector<Route>& routes() const { return m_routes; }

private:
  std::vector<Route> m_routes;
};

// Beast on one io_context thread; pool routes run on `workers` threads.
class HttpServer {
public:
  virtual ~HttpServer() = default;
  static Result<std::unique_ptr<HttpServer>> start(const std::string& host, std::uint16_t port, const Router& router,
                                                   EventHub& hub, std::size_t max_body_bytes, std::size_t workers);
  virtual std::uint16_t port() const = 0;
  virtual void stop() = 0;
};

} // namespace pickverify::server
