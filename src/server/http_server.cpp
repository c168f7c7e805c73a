// The transport: Boost.Beast on ONE io_context thread for every connection and event stream (the
// measured choice, docs/PERFORMANCE.md "Service"); routes that touch a station or the store run on
// a small thread pool and post their response back to the loop.
#include <utility> // before Boost 1.74 Asio: its C++20 coroutine header uses std::exchange

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <deque>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include <pickverify/expected.hpp>

#include "http.hpp"

namespace pickverify::server {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto k_idle_timeout = std::chrono::seconds(60);
constexpr auto k_heartbeat = std::chrono::seconds(15);
constexpr std::size_t k_header_limit = 16 * 1024;
constexpr std::size_t k_max_queued_events = 1024; // a screen that stops reading is cut off

int from_hex(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// Percent-decoding; false for a broken escape or a NUL.
bool decode(std::string_view in, std::string& out, bool plus_is_space)
{
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (i + 2 >= in.size()) {
        return false;
      }
      const int hi = from_hex(in[i + 1]);
      const int lo = from_hex(in[i + 2]);
      if (hi < 0 || lo < 0) {
        return false;
      }
      const char c = static_cast<char>(hi * 16 + lo);
      if (c == '\0') {
        return false;
      }
      out += c;
      i += 2;
    } else if (plus_is_space && in[i] == '+') {
      out += ' ';
    } else {
      out += in[i];
    }
  }
  return true;
}

// Fills path and query; false for a target no page or route can mean (traversal, bad escapes).
bool parse_target(std::string_view target, Request& request)
{
  const std::size_t question = target.find('?');
  if (!decode(target.substr(0, question), request.path, false) || request.path.empty() || request.path[0] != '/') {
    return false;
  }
  if (request.path.find("/../") != std::string::npos || request.path.find("/./") != std::string::npos ||
      request.path.find('\\') != std::string::npos ||
      (request.path.size() >= 3 && request.path.compare(request.path.size() - 3, 3, "/..") == 0)) {
    return false;
  }
  if (question == std::string_view::npos) {
    return true;
  }
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t equals = pair.find('=');
    std::string key;
    std::string value;
    if (!decode(pair.substr(0, equals), key, true) ||
        !decode(equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1), value, true)) {
      return false;
    }
    if (!key.empty()) {
      request.query[key] = value;
    }
    if (amp == std::string_view::npos) {
      break;
    }
    query.remove_prefix(amp + 1);
  }
  return true;
}

// A response may bring a Content-Security-Policy of its own (stricter: an evidence pack's summary);
// every other gets this one.
std::string security_headers(bool with_csp = true)
{
  return std::string("X-Content-Type-Options: nosniff\r\n"
                     "X-Frame-Options: DENY\r\n"
                     "Referrer-Policy: no-referrer\r\n") +
         (with_csp ? "Content-Security-Policy: default-src 'self'; img-src 'self' data:; object-src 'none'; "
                     "frame-ancestors 'none'; base-uri 'none'; form-action 'self'\r\n"
                   : "");
}

class Connection;

class ServerImpl final : public HttpServer {
public:
  ServerImpl(const Router& router, EventHub& hub, std::size_t max_body, std::size_t workers)
      : m_router(router), m_hub(hub), m_max_body(max_body), m_pool(workers)
  {
  }
  ~ServerImpl() override { stop(); }

  Result<void> listen(const std::string& host, std::uint16_t port)
  {
    beast::error_code error;
    const auto address = asio::ip::make_address(host, error);
    if (error) {
      return make_error(ErrorType::invalid_input, fmt::format("listen: \"{}\" is not an IP address", host));
    }
    const tcp::endpoint endpoint(address, port);
    m_acceptor.open(endpoint.protocol(), error);
    if (!error)
      m_acceptor.set_option(asio::socket_base::reuse_address(true), error);
    if (!error)
      m_acceptor.bind(endpoint, error);
    if (!error)
      m_acceptor.listen(asio::socket_base::max_listen_connections, error);
    if (error) {
      return make_error(ErrorType::io, fmt::format("listen on {}:{}: {}", host, port, error.message()));
    }
    m_port = m_acceptor.local_endpoint().port();
    accept();
    m_thread = std::thread([this] { m_io.run(); });
    return {};
  }

  std::uint16_t port() const override { return m_port; }

  void stop() override
  {
    if (m_stopped.exchange(true)) {
      return;
    }
    m_hub.close_all();
    asio::post(m_io, [this] {
      beast::error_code ignored;
      m_acceptor.close(ignored);
    });
    m_pool.join();
    m_io.stop();
    if (m_thread.joinable()) {
      m_thread.join();
    }
  }

  asio::io_context& io() { return m_io; }
  asio::thread_pool& pool() { return m_pool; }
  const Router& router() const { return m_router; }
  EventHub& hub() { return m_hub; }
  std::size_t max_body() const { return m_max_body; }

private:
  void accept();

  const Router& m_router;
  EventHub& m_hub;
  std::size_t m_max_body;
  asio::io_context m_io{1};
  tcp::acceptor m_acceptor{m_io};
  asio::thread_pool m_pool;
  std::thread m_thread;
  std::uint16_t m_port = 0;
  std::atomic<bool> m_stopped{false};
};

// One client connection: requests in turn (keep-alive); a stream route turns it into an event stream.
class Connection : public std::enable_shared_from_this<Connection>, public EventSink {
public:
  Connection(ServerImpl& server, tcp::socket socket) : m_server(server), m_stream(std::move(socket)) {}

  void start() { read_next(); }

  // EventSink: from any thread; the writes happen on the loop.
  void send(std::shared_ptr<const std::string> event) override
  {
    asio::post(m_stream.get_executor(), [self = shared_from_this(), event = std::move(event)] {
      if (self->m_closed) {
        return;
      }
      if (self->m_queue.size() >= k_max_queued_events) {
        self->close();
        return;
      }
      self->enqueue(event);
    });
  }
  bool closed() const override { return m_closed; }

private:
  void read_next()
  {
    m_parser.emplace();
    m_parser->header_limit(k_header_limit);
    m_parser->body_limit(m_server.max_body());
    m_stream.expires_after(k_idle_timeout);
    http::async_read(m_stream, m_buffer, *m_parser,
                     [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_read(error); });
  }

  void on_read(beast::error_code error)
  {
    if (error == http::error::end_of_stream || error == asio::error::operation_aborted ||
        error == beast::error::timeout || error == asio::error::connection_reset || error == asio::error::eof) {
      return close();
    }
    if (error == http::error::body_limit) {
      return reply_and_close(error_response(
          413, fmt::format("request body larger than {} bytes: nothing was stored", m_server.max_body())));
    }
    if (error == http::error::header_limit) {
      return reply_and_close(error_response(431, "request headers too large"));
    }
    if (error) {
      return reply_and_close(error_response(400, "malformed HTTP request: " + error.message()));
    }
    auto message = m_parser->release();
    m_keep_alive = message.keep_alive();
    auto request = std::make_shared<Request>();
    request->method = std::string(message.method_string());
    for (const auto& field : message) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      request->headers[name] = std::string(field.value());
    }
    request->body = std::move(message.body());
    if (!parse_target(std::string_view(message.target().data(), message.target().size()), *request)) {
      return reply(error_response(400, "the path is not allowed (escapes, '..' or '\\' in it)"));
    }
    int status = 404;
    const Route* route = m_server.router().match(*request, status);
    if (!route) {
      return reply(error_response(status, status == 405
                                              ? fmt::format("{} is not allowed on {}", request->method, request->path)
                                              : fmt::format("{} is not here", request->path)));
    }
    m_head = request->method == "HEAD";
    switch (route->mode) {
    case RouteMode::inline_loop:
      return reply(route->handle(*request));
    case RouteMode::pool:
      asio::post(m_server.pool(), [self = shared_from_this(), route, request] {
        Response response = route->handle(*request);
        asio::post(self->m_stream.get_executor(),
                   [self, response = std::move(response)]() mutable { self->reply(std::move(response)); });
      });
      return;
    case RouteMode::deferred: {
      Deferred deferred;
      deferred.respond = [self = shared_from_this()](Response response) {
        asio::post(self->m_stream.get_executor(),
                   [self, response = std::move(response)]() mutable { self->reply(std::move(response)); });
      };
      deferred.run_on_pool = [&pool = m_server.pool()](std::function<void()> job) { asio::post(pool, std::move(job)); };
      route->handle_deferred(*request, std::move(deferred));
      return;
    }
    case RouteMode::stream: {
      Response refusal;
      auto start = route->stream(*request, refusal);
      if (!start) {
        return reply(std::move(refusal));
      }
      return open_stream(*start);
    }
    }
  }

  void open_stream(const StreamStart& start)
  {
    m_streaming = true;
    m_stream.expires_never();
    enqueue(std::make_shared<const std::string>(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n" +
        security_headers() + "\r\n" + start.first_event));
    m_server.hub().subscribe(start.topic, shared_from_this());
    heartbeat();
    // Reading detects the client going away.
    m_stream.async_read_some(asio::buffer(m_discard), [self = shared_from_this()](beast::error_code e, std::size_t) {
      if (e) {
        self->close();
      }
    });
  }

  void heartbeat()
  {
    m_timer.expires_after(k_heartbeat);
    m_timer.async_wait([self = shared_from_this()](beast::error_code error) {
      if (error || self->m_closed) {
        return;
      }
      self->enqueue(std::make_shared<const std::string>(": keep-alive\n\n"));
      self->heartbeat();
    });
  }

  void enqueue(std::shared_ptr<const std::string> data)
  {
    m_queue.push_back(std::move(data));
    if (m_queue.size() == 1) {
      write_next();
    }
  }

  void write_next()
  {
    asio::async_write(m_stream.socket(), asio::buffer(*m_queue.front()),
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        if (error) {
                          return self->close();
                        }
                        self->m_queue.pop_front();
                        if (!self->m_queue.empty()) {
                          self->write_next();
                        } else if (self->m_close_after_write) {
                          self->close();
                        } else if (!self->m_streaming && !self->m_closed) {
                          self->read_next();
                        }
                      });
  }

  std::string serialise(const Response& response) const
  {
    std::string head = fmt::format("HTTP/1.1 {} {}\r\n", response.status,
                                   std::string(http::obsolete_reason(static_cast<http::status>(response.status))));
    head += "Content-Type: " + response.content_type + "\r\n";
    head += fmt::format("Content-Length: {}\r\n", response.body.size());
    head += "Cache-Control: no-store\r\n";
    head += security_headers(std::none_of(response.headers.begin(), response.headers.end(), [](const auto& header) {
      return header.first == "Content-Security-Policy";
    }));
    for (const auto& [name, value] : response.headers) {
      head += name + ": " + value + "\r\n";
    }
    if (!m_keep_alive || m_close_after_write) {
      head += "Connection: close\r\n";
    }
    head += "\r\n";
    if (!m_head) {
      head += response.body;
    }
    return head;
  }

  void reply(Response response)
  {
    if (m_closed) {
      return;
    }
    m_close_after_write = m_close_after_write || !m_keep_alive;
    enqueue(std::make_shared<const std::string>(serialise(response)));
  }

  void reply_and_close(Response response)
  {
    m_close_after_write = true;
    m_keep_alive = false;
    reply(std::move(response));
  }

  void close()
  {
    if (m_closed) {
      return;
    }
    m_closed = true;
    m_timer.cancel();
    beast::error_code ignored;
    m_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    m_stream.socket().close(ignored);
  }

  ServerImpl& m_server;
  beast::tcp_stream m_stream;
  beast::flat_buffer m_buffer;
  std::optional<http::request_parser<http::string_body>> m_parser;
  std::deque<std::shared_ptr<const std::string>> m_queue;
  asio::steady_timer m_timer{m_stream.get_executor()};
  char m_discard[512];
  bool m_keep_alive = true;
  bool m_close_after_write = false;
  bool m_streaming = false;
  bool m_head = false;
  std::atomic<bool> m_closed{false};
};

void ServerImpl::accept()
{
  m_acceptor.async_accept(m_io, [this](beast::error_code error, tcp::socket socket) {
    if (error) {
      if (error == asio::error::operation_aborted || !m_acceptor.is_open()) {
        return;
      }
    } else {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Connection>(*this, std::move(socket))->start();
    }
    accept();
  });
}

} // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::start(const std::string& host, std::uint16_t port, const Router& router,
                                                      EventHub& hub, std::size_t max_body_bytes, std::size_t workers)
{
  auto server = std::make_unique<ServerImpl>(router, hub, max_body_bytes, workers);
  PV_TRY(server->listen(host, port));
  return std::unique_ptr<HttpServer>(std::move(server));
}

} // namespace pickverify::server
