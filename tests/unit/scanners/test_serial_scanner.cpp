// The real termios path on a pseudo-terminal: the scanner's side is the slave (what the driver opens),
// the test writes what the scanner would send into the master.
#include <catch2/catch.hpp>

#include <mutex>
#include <thread>

#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <pickverify/device_profile.hpp>
#include <pickverify/device_state.hpp>
#include <pickverify/serial_scanner.hpp>

using namespace pickverify;
using namespace std::chrono_literals;

namespace {

struct Pty {
  int master = -1;
  int slave = -1;
  std::string name;
  Pty()
  {
    char buffer[128] = {};
    REQUIRE(openpty(&master, &slave, buffer, nullptr, nullptr) == 0);
    name = buffer;
  }
  ~Pty()
  {
    if (master >= 0)
      ::close(master);
    if (slave >= 0)
      ::close(slave);
  }
  void write(const std::string& bytes) const
  {
    REQUIRE(::write(master, bytes.data(), bytes.size()) == ssize_t(bytes.size()));
  }
};

struct Received {
  std::mutex mutex;
  std::vector<ScanEvent> scans;
  std::vector<std::pair<DeviceState, std::string>> states;

  std::function<void(const ScanEvent&)> on_scan()
  {
    return [this](const ScanEvent& event) {
      std::lock_guard lock(mutex);
      scans.push_back(event);
    };
  }
  std::function<void(DeviceState, const std::string&)> on_state()
  {
    return [this](DeviceState state, const std::string& message) {
      std::lock_guard lock(mutex);
      states.emplace_back(state, message);
    };
  }
  bool wait(std::size_t n, std::chrono::milliseconds timeout = 2000ms)
  {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      {
        std::lock_guard lock(mutex);
        if (scans.size() >= n)
          return true;
      }
      std::this_thread::sleep_for(1ms);
    }
    return false;
  }
};

DeviceProfile serial_profile()
{
  DeviceProfile profile;
  profile.name = "test-cdc";
  profile.vendor = "Zebra";
  profile.usb = UsbId{0x05e0, 0x1701};
  profile.mode = ScannerMode::serial;
  profile.serial.baud = 115200;
  profile.inter_key_timeout = std::chrono::milliseconds(50);
  return profile;
}

} // namespace

TEST_CASE("SerialScanner::open puts the tty in raw mode at the profile's speed and framing", "[serial]")
{
  Pty pty;
  auto profile = serial_profile();
  profile.serial.baud = 9600;
  profile.serial.stop_bits = 2;
  Received received;
  auto scanner = SerialScanner::open(pty.name, profile, "bench-1", received.on_scan());
  REQUIRE(scanner);
  termios settings{};
  REQUIRE(tcgetattr(pty.slave, &settings) == 0);
  CHECK(cfgetispeed(&settings) == B9600);
  CHECK((settings.c_cflag & CSIZE) == CS8);
  CHECK((settings.c_cflag & CSTOPB) != 0);
  CHECK((settings.c_lflag & ICANON) == 0); // raw: no line editing
  CHECK((settings.c_lflag & ECHO) == 0);
  CHECK((*scanner)->source_id() == "serial:" + pty.name);
  // 7-bit and parity framing cannot be tested here: Linux pseudo-terminals refuse CS7/PARENB (EINVAL).
}

TEST_CASE("SerialScanner delivers one scan per CR, LF or CR LF terminated line, bytes exactly as sent", "[serial]")
{
  Pty pty;
  Received received;
  auto scanner = SerialScanner::open(pty.name, serial_profile(), "bench-1", received.on_scan());
  REQUIRE(scanner);
  pty.write("9506000001418\r\n9506000001");
  pty.write("487\r0109506000001906\x1d"
            "10LOT42\n");
  REQUIRE(received.wait(3));
  (*scanner)->stop();
  REQUIRE(received.scans.size() == 3);
  CHECK(received.scans[0].raw == "9506000001418");
  CHECK(received.scans[1].raw == "9506000001487");
  CHECK(received.scans[2].raw == "0109506000001906\x1d"
                                 "10LOT42");
  CHECK(received.scans[0].source_kind == SourceKind::serial);
  CHECK(received.scans[0].station == "bench-1");
  CHECK(received.scans[0].source == "serial:" + pty.name);
}

TEST_CASE("SerialScanner ends a line without terminator after the inter-key timeout", "[serial]")
{
  Pty pty;
  Received received;
  auto profile = serial_profile();
  profile.terminator = Terminator::none;
  profile.prefix = "]E0";
  auto scanner = SerialScanner::open(pty.name, profile, "bench-1", received.on_scan());
  REQUIRE(scanner);
  pty.write("]E09506000001418");
  REQUIRE(received.wait(1));
  std::this_thread::sleep_for(100ms);
  pty.write("9506000001487");
  REQUIRE(received.wait(2));
  CHECK(received.scans[0].raw == "9506000001418");
  CHECK(received.scans[1].raw == "9506000001487");
}

TEST_CASE("SerialScanner reports the scanner gone when the line hangs up", "[serial]")
{
  Pty pty;
  Received received;
  auto scanner = SerialScanner::open(pty.name, serial_profile(), "bench-1", received.on_scan(), received.on_state());
  REQUIRE(scanner);
  pty.write("95060");
  std::this_thread::sleep_for(20ms);
  ::close(pty.master);
  pty.master = -1;
  const auto until = std::chrono::steady_clock::now() + 2s;
  while (std::chrono::steady_clock::now() < until) {
    std::lock_guard lock(received.mutex);
    if (!received.states.empty())
      break;
  }
  std::lock_guard lock(received.mutex);
  REQUIRE(received.states.size() == 1);
  CHECK(received.states[0].first == DeviceState::offline);
  CHECK(received.states[0].second == "disconnected; a scan in progress was dropped (5 bytes), scan the item again");
  CHECK(received.scans.empty());
}

TEST_CASE("SerialScanner::open refuses what is not a serial scanner", "[serial]")
{
  auto profile = serial_profile();
  auto missing = SerialScanner::open("/dev/ttyNONE9", profile, "s", {});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().type == ErrorType::device_offline);
  auto not_tty = SerialScanner::open("/dev/null", profile, "s", {});
  REQUIRE_FALSE(not_tty);
  CHECK(not_tty.error().message.find("not a terminal") != std::string::npos);
  profile.mode = ScannerMode::hid_pos;
  CHECK_FALSE(SerialScanner::open("/dev/null", profile, "s", {}));
}
