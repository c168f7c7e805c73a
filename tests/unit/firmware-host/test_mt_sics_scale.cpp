// The MT-SICS scale driver against a scale on a pseudo-terminal: real termios, real poll().
#include <catch2/catch.hpp>

#include <pickverify/scale.hpp>

#include <atomic>
#include <mutex>
#include <pty.h>
#include <thread>
#include <unistd.h>

using namespace pickverify;
using namespace std::chrono_literals;

namespace {

// The scale's end of the line: answers each "SI" with the current response.
class PtyScale {
public:
  PtyScale()
  {
    REQUIRE(::openpty(&m_master, &m_slave, m_name, nullptr, nullptr) == 0);
    m_thread = std::thread([this] { run(); });
  }
  ~PtyScale()
  {
    m_stop = true;
    m_thread.join();
    ::close(m_master);
    ::close(m_slave);
  }
  std::string path() const { return m_name; }
  void answer(std::string line)
  {
    std::lock_guard lock(m_mutex);
    m_answer = std::move(line);
  }
  int commands() const { return m_commands; }

private:
  void run()
  {
    std::string got;
    while (!m_stop) {
      char c;
      fd_set set;
      FD_ZERO(&set);
      FD_SET(m_master, &set);
      timeval tv{0, 20000};
      if (::select(m_master + 1, &set, nullptr, nullptr, &tv) <= 0)
        continue;
      if (::read(m_master, &c, 1) != 1)
        continue;
      got += c;
      if (got.size() >= 2 && got.substr(got.size() - 2) == "\r\n") {
        if (got == "SI\r\n") {
          ++m_commands;
          std::string reply;
          {
            std::lock_guard lock(m_mutex);
            reply = m_answer;
          }
          if (!reply.empty()) {
            reply += "\r\n";
            [[maybe_unused]] auto n = ::write(m_master, reply.data(), reply.size());
          }
        }
        got.clear();
      }
    }
  }
  int m_master = -1, m_slave = -1;
  char m_name[64] = {};
  std::mutex m_mutex;
  std::string m_answer = "S D      0.500 kg";
  std::atomic<int> m_commands{0};
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

} // namespace

TEST_CASE("MT-SICS scale on a pty: waits through motion for a stable reading, goes offline when silent",
          "[firmware-host][scale]")
{
  PtyScale pty;
  std::mutex mutex;
  std::vector<std::string> states;
  ScaleOptions options;
  options.poll_interval = 50ms;
  options.answer_timeout = 100ms;
  options.on_state = [&](ScaleState state, const std::string& message) {
    std::lock_guard lock(mutex);
    states.push_back((state == ScaleState::online ? "online " : "offline ") + message);
  };
  auto scale = open_mt_sics_scale(pty.path(), 9600, options);
  REQUIRE(scale);

  auto in_motion = (*scale)->wait_stable(300ms);
  REQUIRE_FALSE(in_motion);
  CHECK(in_motion.error().message == "scale gave no stable reading within 300 ms (last: in motion: not a reading)");

  std::thread settle([&] {
    std::this_thread::sleep_for(150ms);
    pty.answer("S S      1.240 kg");
  });
  auto stable = (*scale)->wait_stable(2s);
  settle.join();
  REQUIRE(stable);
  CHECK(stable->grams_text() == "1,240 g");

  pty.answer("S +");
  std::this_thread::sleep_for(200ms);
  auto overload = (*scale)->wait_stable(200ms);
  REQUIRE_FALSE(overload);
  CHECK(overload.error().message.find("overload: not a reading") != std::string::npos);

  pty.answer("garbage line");
  std::this_thread::sleep_for(150ms);
  CHECK((*scale)->online());

  pty.answer(""); // the scale stops answering
  const auto until = std::chrono::steady_clock::now() + 2s;
  while ((*scale)->online() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(10ms);
  CHECK_FALSE((*scale)->online());
  auto offline = (*scale)->wait_stable(100ms);
  REQUIRE_FALSE(offline);
  CHECK(offline.error().type == ErrorType::device_offline);
  CHECK(pty.commands() >= 5);
  std::lock_guard lock(mutex);
  bool named_garbage = false;
  for (const auto& s : states)
    named_garbage = named_garbage || s.find("is not a weight response") != std::string::npos;
  CHECK(named_garbage);
  CHECK(states.back() == "offline scale: no answer to SI within 100 ms");
}
