// Which HTTP library holds 200 open server-sent-event streams on 2 cores? The four Debian 12 offers,
// each serving the same stream in its own idiomatic way, against one epoll client in the same process:
//
//   beast      Boost.Beast/Asio 1.74: one io_context thread, async writes (what src/server uses)
//   httplib    cpp-httplib 0.11 as shipped: its thread pool (8 threads on this machine) runs one request each
//   httplib200 cpp-httplib with a 200-thread pool: what it takes to hold 200 streams (a thread each)
//   mhd        libmicrohttpd 0.9.75: one epoll thread, a content reader that suspends until the next event
//   civetweb   civetweb 1.15 with 200 worker threads (a worker per open connection, by design)
//
// Each run: open N streams, then broadcast E events 20 ms apart; every event carries the steady-clock
// nanoseconds at which the server was told to send it. Reports streams served, events delivered,
// latency p50/p99/max, the process's threads and resident memory with the streams open, and CPU time.
//
//   pickverify_bench_sse_servers [streams=200] [events=100] [server...]
#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <netinet/in.h>
#include <set>
#include <string>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <utility> // before Boost 1.74 Asio: its C++20 coroutine header uses std::exchange

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <civetweb.h>
#include <httplib.h>
#include <microhttpd.h>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::int64_t now_ns()
{
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string sse_event(std::int64_t stamp)
{
  return "data: " + std::to_string(stamp) + "\n\n";
}

// A server under test: start on a port, broadcast one event to every open stream, stop.
struct SseServer {
  virtual ~SseServer() = default;
  virtual void start(unsigned short port) = 0;
  virtual void broadcast(const std::string& event) = 0;
  virtual void stop() = 0;
};

// --- Boost.Beast: one thread, every stream an async write queue ----------------------------------
class BeastServer final : public SseServer {
public:
  void start(unsigned short port) override
  {
    m_acceptor.open(tcp::v4());
    m_acceptor.set_option(asio::socket_base::reuse_address(true));
    m_acceptor.bind({asio::ip::make_address("127.0.0.1"), port});
    m_acceptor.listen(1024);
    accept();
    m_thread = std::thread([this] { m_io.run(); });
  }
  void broadcast(const std::string& event) override
  {
    auto shared = std::make_shared<const std::string>(event);
    asio::post(m_io, [this, shared] {
      for (auto& stream : m_streams) {
        stream->send(shared);
      }
    });
  }
  void stop() override
  {
    asio::post(m_io, [this] {
      m_acceptor.close();
      for (auto& stream : m_streams) {
        beast::error_code ignored;
        stream->socket.close(ignored);
      }
      m_streams.clear();
    });
    m_io.stop();
    m_thread.join();
  }

private:
  struct Stream : std::enable_shared_from_this<Stream> {
    explicit Stream(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    beast::flat_buffer buffer;
    http::request<http::empty_body> request;
    std::deque<std::shared_ptr<const std::string>> queue;
    void send(std::shared_ptr<const std::string> data)
    {
      queue.push_back(std::move(data));
      if (queue.size() == 1) {
        write_next();
      }
    }
    void write_next()
    {
      auto self = shared_from_this();
      asio::async_write(socket, asio::buffer(*queue.front()), [self](beast::error_code error, std::size_t) {
        if (error) {
          return;
        }
        self->queue.pop_front();
        if (!self->queue.empty()) {
          self->write_next();
        }
      });
    }
  };
  void accept()
  {
    m_acceptor.async_accept([this](beast::error_code error, tcp::socket socket) {
      if (error) {
        return;
      }
      auto stream = std::make_shared<Stream>(std::move(socket));
      http::async_read(stream->socket, stream->buffer, stream->request,
                       [this, stream](beast::error_code e, std::size_t) {
                         if (e) {
                           return;
                         }
                         m_streams.push_back(stream);
                         stream->send(std::make_shared<const std::string>(
                             "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\r\n"));
                       });
      accept();
    });
  }
  asio::io_context m_io{1};
  tcp::acceptor m_acceptor{m_io};
  std::vector<std::shared_ptr<Stream>> m_streams;
  std::thread m_thread;
};

// --- cpp-httplib: a chunked content provider that waits for the next event ----------------------
class HttplibServer final : public SseServer {
public:
  explicit HttplibServer(std::size_t pool) : m_pool(pool) {}
  void start(unsigned short port) override
  {
    if (m_pool > 0) {
      m_server.new_task_queue = [pool = m_pool] { return new httplib::ThreadPool(pool); };
    }
    m_server.Get("/events", [this](const httplib::Request&, httplib::Response& response) {
      response.set_header("Cache-Control", "no-store");
      response.set_chunked_content_provider(
          "text/event-stream", [this, seen = std::size_t{0}](std::size_t, httplib::DataSink& sink) mutable {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [&] { return m_events.size() > seen || m_stopping; });
            if (m_stopping) {
              return false;
            }
            while (seen < m_events.size()) {
              const std::string& event = m_events[seen++];
              if (!sink.write(event.data(), event.size())) {
                return false;
              }
            }
            return true;
          });
    });
    m_server.bind_to_port("127.0.0.1", port);
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
  }
  void broadcast(const std::string& event) override
  {
    {
      std::lock_guard lock(m_mutex);
      m_events.push_back(event);
    }
    m_cv.notify_all();
  }
  void stop() override
  {
    {
      std::lock_guard lock(m_mutex);
      m_stopping = true;
    }
    m_cv.notify_all();
    m_server.stop();
    m_thread.join();
  }

private:
  std::size_t m_pool;
  httplib::Server m_server;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::vector<std::string> m_events;
  bool m_stopping = false;
  std::thread m_thread;
};

// --- libmicrohttpd: one epoll thread; a stream with nothing to send is suspended -----------------
class MhdServer final : public SseServer {
public:
  void start(unsigned short port) override
  {
    m_daemon = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC, port, nullptr,
                                nullptr, &MhdServer::on_request, this, MHD_OPTION_CONNECTION_LIMIT, 2000u,
                                MHD_OPTION_CONNECTION_TIMEOUT, 0u, MHD_OPTION_END);
  }
  void broadcast(const std::string& event) override
  {
    std::lock_guard lock(m_mutex);
    m_events.push_back(event);
    for (auto* connection : m_suspended) {
      MHD_resume_connection(connection);
    }
    m_suspended.clear();
  }
  void stop() override
  {
    {
      std::lock_guard lock(m_mutex);
      m_stopping = true;
      for (auto* connection : m_suspended) {
        MHD_resume_connection(connection);
      }
      m_suspended.clear();
    }
    MHD_stop_daemon(m_daemon);
  }

private:
  struct Stream {
    MhdServer* server;
    MHD_Connection* connection;
    std::size_t seen = 0;
  };
  static ssize_t read_events(void* cls, std::uint64_t, char* buf, std::size_t max)
  {
    auto* stream = static_cast<Stream*>(cls);
    MhdServer& self = *stream->server;
    std::lock_guard lock(self.m_mutex);
    if (self.m_stopping) {
      return MHD_CONTENT_READER_END_OF_STREAM;
    }
    std::size_t written = 0;
    while (stream->seen < self.m_events.size()) {
      const std::string& event = self.m_events[stream->seen];
      if (written + event.size() > max) {
        break;
      }
      std::memcpy(buf + written, event.data(), event.size());
      written += event.size();
      ++stream->seen;
    }
    if (written == 0) {
      MHD_suspend_connection(stream->connection);
      self.m_suspended.push_back(stream->connection);
    }
    return static_cast<ssize_t>(written);
  }
  static void free_stream(void* cls) { delete static_cast<Stream*>(cls); }
  static MHD_Result on_request(void* cls, MHD_Connection* connection, const char*, const char*, const char*,
                               const char*, std::size_t*, void** state)
  {
    if (*state == nullptr) {
      *state = connection; // first call: headers only
      return MHD_YES;
    }
    auto* stream = new Stream{static_cast<MhdServer*>(cls), connection};
    MHD_Response* response =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, &MhdServer::read_events, stream, &free_stream);
    MHD_add_response_header(response, "Content-Type", "text/event-stream");
    const MHD_Result queued = MHD_queue_response(connection, MHD_HTTP_OK, response);
    MHD_destroy_response(response);
    return queued;
  }
  MHD_Daemon* m_daemon = nullptr;
  std::mutex m_mutex;
  std::vector<std::string> m_events;
  std::vector<MHD_Connection*> m_suspended;
  bool m_stopping = false;
};

// --- civetweb: a worker thread per open connection ------------------------------------------------
class CivetServer final : public SseServer {
public:
  void start(unsigned short port) override
  {
    const std::string ports = "127.0.0.1:" + std::to_string(port);
    const char* options[] = {"listening_ports",    ports.c_str(), "num_threads", "210",
                             "request_timeout_ms", "600000",      nullptr};
    mg_init_library(0);
    m_context = mg_start(nullptr, nullptr, options);
    mg_set_request_handler(m_context, "/events", &CivetServer::handle, this);
  }
  void broadcast(const std::string& event) override
  {
    {
      std::lock_guard lock(m_mutex);
      m_events.push_back(event);
    }
    m_cv.notify_all();
  }
  void stop() override
  {
    {
      std::lock_guard lock(m_mutex);
      m_stopping = true;
    }
    m_cv.notify_all();
    mg_stop(m_context);
  }

private:
  static int handle(mg_connection* connection, void* cls)
  {
    auto& self = *static_cast<CivetServer*>(cls);
    mg_printf(connection, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
    std::size_t seen = 0;
    while (true) {
      std::unique_lock lock(self.m_mutex);
      self.m_cv.wait(lock, [&] { return self.m_events.size() > seen || self.m_stopping; });
      if (self.m_stopping) {
        return 200;
      }
      std::string out;
      while (seen < self.m_events.size()) {
        out += self.m_events[seen++];
      }
      lock.unlock();
      if (mg_write(connection, out.data(), out.size()) <= 0) {
        return 200;
      }
    }
  }
  mg_context* m_context = nullptr;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::vector<std::string> m_events;
  bool m_stopping = false;
};

// --- The client: N sockets on one epoll thread ------------------------------------------------------
struct ClientResult {
  std::vector<std::int64_t> latencies_ns;
  std::set<int> streams_with_events;
};

class Client {
public:
  Client(unsigned short port, int streams) : m_epoll(epoll_create1(0))
  {
    for (int i = 0; i < streams; ++i) {
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_port = htons(port);
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        std::perror("connect");
        close(fd);
        continue;
      }
      const char request[] = "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
      if (write(fd, request, sizeof request - 1) < 0) {
        std::perror("write");
      }
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.fd = fd;
      epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event);
      m_fds.push_back(fd);
      m_buffers[fd];
    }
    m_thread = std::thread([this] { loop(); });
  }
  ClientResult finish()
  {
    m_stop = true;
    m_thread.join();
    for (int fd : m_fds) {
      close(fd);
    }
    close(m_epoll);
    return std::move(m_result);
  }

private:
  void loop()
  {
    epoll_event events[256];
    char buffer[16384];
    while (!m_stop) {
      const int n = epoll_wait(m_epoll, events, 256, 50);
      const std::int64_t now = now_ns();
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        const ssize_t got = read(fd, buffer, sizeof buffer);
        if (got <= 0) {
          epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
          continue;
        }
        std::string& pending = m_buffers[fd];
        pending.append(buffer, static_cast<std::size_t>(got));
        std::size_t at;
        while ((at = pending.find("data: ")) != std::string::npos) {
          const std::size_t end = pending.find('\n', at);
          if (end == std::string::npos) {
            break;
          }
          const std::int64_t stamp = std::stoll(pending.substr(at + 6, end - at - 6));
          m_result.latencies_ns.push_back(now - stamp);
          m_result.streams_with_events.insert(fd);
          pending.erase(0, end + 1);
        }
      }
    }
  }
  int m_epoll;
  std::vector<int> m_fds;
  std::map<int, std::string> m_buffers;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
  ClientResult m_result;
};

long process_threads()
{
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) {
      return std::stol(line.substr(8));
    }
  }
  return -1;
}

long resident_kib()
{
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stol(line.substr(6));
    }
  }
  return -1;
}

double cpu_seconds()
{
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

std::unique_ptr<SseServer> make_server(const std::string& name)
{
  if (name == "beast")
    return std::make_unique<BeastServer>();
  if (name == "httplib")
    return std::make_unique<HttplibServer>(0);
  if (name == "httplib200")
    return std::make_unique<HttplibServer>(210);
  if (name == "mhd")
    return std::make_unique<MhdServer>();
  if (name == "civetweb")
    return std::make_unique<CivetServer>();
  return nullptr;
}

void run(const std::string& name, unsigned short port, int streams, int events)
{
  auto server = make_server(name);
  if (!server) {
    std::fprintf(stderr, "unknown server %s\n", name.c_str());
    return;
  }
  const long threads_before = process_threads();
  server->start(port);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Client client(port, streams);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  const double cpu_before = cpu_seconds();
  for (int i = 0; i < events; ++i) {
    server->broadcast(sse_event(now_ns()));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const double cpu = cpu_seconds() - cpu_before;
  const long threads = process_threads() - threads_before - 1; // less the client's thread
  const long rss = resident_kib();
  auto result = client.finish();
  server->stop();

  auto& lat = result.latencies_ns;
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) {
    return lat.empty()
               ? 0.0
               : static_cast<double>(lat[static_cast<std::size_t>(p * static_cast<double>(lat.size() - 1))]) / 1e6;
  };
  std::printf("%-11s streams %4d served %4zu  events %6zu/%6d  p50 %7.2f ms  p99 %8.2f ms  max %8.2f ms  "
              "threads %4ld  rss %7ld KiB  cpu %5.2f s\n",
              name.c_str(), streams, result.streams_with_events.size(), lat.size(), streams * events, pct(0.5),
              pct(0.99), lat.empty() ? 0.0 : static_cast<double>(lat.back()) / 1e6, threads, rss, cpu);
  std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv)
{
  const int streams = argc > 1 ? std::atoi(argv[1]) : 200;
  const int events = argc > 2 ? std::atoi(argv[2]) : 100;
  std::vector<std::string> servers;
  for (int i = 3; i < argc; ++i) {
    servers.emplace_back(argv[i]);
  }
  if (servers.empty()) {
    servers = {"beast", "mhd", "httplib", "httplib200", "civetweb"};
  }
  unsigned short port = 18480;
  for (const auto& name : servers) {
    run(name, port++, streams, events);
  }
  return 0;
}
