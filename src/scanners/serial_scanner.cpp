// Serial scanners (CDC-ACM /dev/ttyACM*, USB-serial adapters): the tty in raw mode at the profile's
// speed and framing, one scan per terminated line. A reader thread sleeps in poll() on the tty and a
// wake-up eventfd; its only timeout is the inter-key deadline of a half-received scan.
#include <pickverify/device_profile.hpp>
#include <pickverify/device_state.hpp>
#include <pickverify/serial_line.hpp>
#include <pickverify/serial_scanner.hpp>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <fmt/format.h>

namespace pickverify {

namespace {

constexpr std::size_t k_max_serial_scan_bytes = 8192;

class SerialScannerImpl final : public SerialScanner {
public:
  SerialScannerImpl(int fd, int wake_fd, std::string source, DeviceProfile profile, std::string station,
                    std::function<void(const ScanEvent&)> on_scan,
                    std::function<void(DeviceState, const std::string&)> on_state)
      : m_fd(fd), m_wake_fd(wake_fd), m_source(std::move(source)), m_profile(std::move(profile)),
        m_station(std::move(station)), m_on_scan(std::move(on_scan)), m_on_state(std::move(on_state))
  {
    m_thread = std::thread([this] { run(); });
  }

  ~SerialScannerImpl() override
  {
    stop();
    ::close(m_fd);
    ::close(m_wake_fd);
  }

  void stop() override
  {
    if (m_stopping.exchange(true))
      return;
    const std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(m_wake_fd, &one, sizeof(one));
    if (m_thread.joinable())
      m_thread.join();
  }

  const std::string& source_id() const override { return m_source; }

private:
  void run()
  {
    char buffer[512];
    while (!m_stopping) {
      int timeout_ms = -1;
      if (!m_line.empty()) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(m_last_byte + m_profile.inter_key_timeout -
                                                                       std::chrono::steady_clock::now());
        timeout_ms = static_cast<int>(std::max<long>(0, left.count()));
      }
      pollfd fds[2] = {{m_fd, POLLIN, 0}, {m_wake_fd, POLLIN, 0}};
      const int ready = ::poll(fds, 2, timeout_ms);
      if (ready < 0 && errno == EINTR)
        continue;
      if (fds[1].revents)
        break;
      if (ready == 0) {
        finish_line(); // inter-key timeout: the scanner sent no terminator
        continue;
      }
      if (fds[0].revents & POLLIN) {
        const ssize_t n = ::read(m_fd, buffer, sizeof(buffer));
        if (n > 0) {
          take(std::string_view(buffer, static_cast<std::size_t>(n)));
          continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
          continue;
      }
      if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL | POLLIN)) {
        std::string message = "disconnected";
        if (!m_line.empty())
          message += fmt::format("; a scan in progress was dropped ({} bytes), scan the item again", m_line.size());
        m_line.clear();
        if (m_on_state)
          m_on_state(DeviceState::offline, message);
        break;
      }
    }
  }

  void take(std::string_view bytes)
  {
    m_last_byte = std::chrono::steady_clock::now();
    for (char c : bytes) {
      const bool end = (m_profile.terminator == Terminator::enter && (c == '\r' || c == '\n')) ||
                       (m_profile.terminator == Terminator::tab && c == '\t');
      if (end) {
        finish_line();
        continue;
      }
      if (m_line.size() >= k_max_serial_scan_bytes) {
        m_overflow = true;
        continue;
      }
      m_line.push_back(c);
    }
  }

  void finish_line()
  {
    std::string text = std::move(m_line);
    m_line.clear();
    if (m_overflow) {
      m_overflow = false;
      if (m_on_state)
        m_on_state(DeviceState::online, fmt::format("scan longer than {} bytes dropped", k_max_serial_scan_bytes));
      return;
    }
    if (!m_profile.prefix.empty() && text.starts_with(m_profile.prefix))
      text.erase(0, m_profile.prefix.size());
    if (!m_profile.suffix.empty() && text.ends_with(m_profile.suffix))
      text.erase(text.size() - m_profile.suffix.size());
    if (text.empty())
      return; // the LF of a CR LF pair
    ScanEvent event;
    event.raw = std::move(text);
    event.source = m_source;
    event.source_kind = SourceKind::serial;
    event.station = m_station;
    stamp_now(event);
    if (m_on_scan)
      m_on_scan(event);
  }

  int m_fd;
  int m_wake_fd;
  std::string m_source;
  DeviceProfile m_profile;
  std::string m_station;
  std::function<void(const ScanEvent&)> m_on_scan;
  std::function<void(DeviceState, const std::string&)> m_on_state;
  std::atomic<bool> m_stopping{false};
  std::thread m_thread;
  std::string m_line;
  bool m_overflow = false;
  std::chrono::steady_clock::time_point m_last_byte{};
};

} // namespace

Result<std::unique_ptr<SerialScanner>>
SerialScanner::open(const std::filesystem::path& tty, const DeviceProfile& profile, std::string station,
                    std::function<void(const ScanEvent&)> on_scan,
                    std::function<void(DeviceState, const std::string&)> on_state)
{
  const std::string what = "serial scanner " + tty.string();
  if (profile.mode != ScannerMode::serial)
    return make_error(ErrorType::invalid_input,
                      fmt::format("{}: profile '{}' is not a serial profile", what, profile.name));
  auto line = open_serial_line(tty, profile.serial);
  if (!line) {
    return make_error(line.error().type, fmt::format("{}: {}", what, line.error().message));
  }
  const int fd = *line;
  const int wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) {
    ::close(fd);
    return make_error(ErrorType::io, fmt::format("{}: eventfd: {}", what, std::strerror(errno)));
  }
  return std::unique_ptr<SerialScanner>(std::make_unique<SerialScannerImpl>(
      fd, wake_fd, "serial:" + tty.string(), profile, std::move(station), std::move(on_scan), std::move(on_state)));
}

} // namespace pickverify
