// A serial scale speaking MT-SICS (Mettler Toledo Standard Interface Command Set, level 0): the
// reader thread sends "SI" (send weight immediately) every poll interval and reads one CR LF line
// back within the answer timeout, sleeping in poll() in between. Two silent polls → offline; an
// answer again → online.
#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <fmt/format.h>

#include <pickverify/serial_line.hpp>

#include "scale_base.hpp"

namespace pickverify {

namespace {

constexpr std::size_t k_max_line = 128;
constexpr int k_silent_polls_offline = 2;

class MtSicsScale final : public fw::ScaleBase {
public:
  MtSicsScale(int fd, std::string tty, ScaleOptions options)
      : ScaleBase(std::move(options)), m_fd(fd), m_tty(std::move(tty))
  {
    if (::pipe2(m_wake, O_CLOEXEC | O_NONBLOCK) != 0)
      m_wake[0] = m_wake[1] = -1;
    m_thread = std::thread([this] {
      pthread_setname_np(pthread_self(), "pv-scale-serial");
      run();
    });
  }

  ~MtSicsScale() override
  {
    stop();
    ::close(m_fd);
    if (m_wake[0] >= 0) {
      ::close(m_wake[0]);
      ::close(m_wake[1]);
    }
  }

  std::string describe() const override { return fmt::format("{}: MT-SICS on {}", m_options.name, m_tty); }

  void stop() override
  {
    if (m_stopping.exchange(true))
      return;
    const char one = 1;
    [[maybe_unused]] auto n = ::write(m_wake[1], &one, 1);
    if (m_thread.joinable())
      m_thread.join();
  }

private:
  // Waits for fd readable until `deadline`; false on timeout or stop.
  bool wait_readable(std::chrono::steady_clock::time_point deadline)
  {
    while (!m_stopping) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return false;
      pollfd fds[2] = {{m_fd, POLLIN, 0}, {m_wake[0], POLLIN, 0}};
      const int r = ::poll(fds, 2, static_cast<int>(left.count()));
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0 || (fds[1].revents & POLLIN))
        return false;
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
        return true;
    }
    return false;
  }

  void run()
  {
    int silent = 0;
    while (!m_stopping) {
      const auto asked = std::chrono::steady_clock::now();
      static constexpr char k_command[] = "SI\r\n";
      if (::write(m_fd, k_command, sizeof(k_command) - 1) < 0) {
        set_online(false, fmt::format("cannot write to {}: {}", m_tty, std::strerror(errno)));
      }
      auto line = read_line(asked + m_options.answer_timeout);
      if (m_stopping)
        break;
      if (!line) {
        if (++silent >= k_silent_polls_offline)
          set_online(false, fmt::format("no answer to SI within {} ms", m_options.answer_timeout.count()));
      } else {
        silent = 0;
        set_online(true, fmt::format("answering on {}", m_tty));
        auto reading = parse_mt_sics_line(*line);
        if (reading)
          publish(*reading);
        else
          report(reading.error().message);
      }
      // Sleep until the next poll (or stop).
      const auto next = asked + m_options.poll_interval;
      while (!m_stopping && std::chrono::steady_clock::now() < next) {
        if (wait_readable(next))
          drain(); // unasked bytes: a scale in continuous mode or line noise
      }
    }
  }

  void drain()
  {
    char buffer[256];
    while (::read(m_fd, buffer, sizeof(buffer)) > 0) {
    }
  }

  // One line ending in LF (CR dropped), or nullopt on timeout. Over-long lines are cut and reported.
  std::optional<std::string> read_line(std::chrono::steady_clock::time_point deadline)
  {
    while (wait_readable(deadline)) {
      char c;
      const ssize_t n = ::read(m_fd, &c, 1);
      if (n <= 0) {
        if (n < 0 && errno == EAGAIN)
          continue;
        return std::nullopt;
      }
      if (c == '\n') {
        std::string line = std::move(m_partial);
        m_partial.clear();
        return line;
      }
      if (c != '\r' && m_partial.size() < k_max_line)
        m_partial += c;
    }
    return std::nullopt;
  }

  int m_fd;
  std::string m_tty;
  int m_wake[2] = {-1, -1};
  std::string m_partial;
  std::atomic<bool> m_stopping{false};
  std::thread m_thread;
};

} // namespace

Result<std::unique_ptr<Scale>> open_mt_sics_scale(const std::filesystem::path& tty, int baud, ScaleOptions options)
{
  SerialSettings framing;
  framing.baud = baud; // MT-SICS: 8 data bits, no parity, 1 stop bit
  auto line = open_serial_line(tty, framing);
  if (!line) {
    return make_error(line.error().type, fmt::format("scale: {}: {}", tty.string(), line.error().message));
  }
  const int fd = *line;
  return std::unique_ptr<Scale>(std::make_unique<MtSicsScale>(fd, tty.string(), std::move(options)));
}

} // namespace pickverify
