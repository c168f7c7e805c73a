// ScannerManager against emulated devices: hotplug, unplug in the middle of a scan, coming back,
// 50 scans per second, beeps, station assignment, and `devices list`.
#include <catch2/catch.hpp>

#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "scan_collector.hpp"
#include "usb_emulator.hpp"

using namespace pickverify;
using namespace pickverify::test;
using namespace std::chrono_literals;

namespace {

const std::string k_boot_keyboard_descriptor =
    "05 01 09 06 a1 01 05 07 19 e0 29 e7 15 00 25 01 75 01 95 08 81 02 95 01 75 08 81 01"
    " 95 05 75 01 05 08 19 01 29 05 91 02 95 01 75 03 91 01 95 06 75 08 15 00 25 65 05 07"
    " 19 00 29 65 81 00 c0";

const std::string k_honeywell_descriptor =
    "05 8c 09 02 a1 01 09 12 a1 02 85 02 15 00 26 ff 00 75 08 95 01 05 01 09 3b 81 02 95 03 05 8c"
    " 09 fb 09 fc 09 fd 81 02 95 38 09 fe 82 02 01 06 66 ff 95 02 09 04 09 00 81 02 05 8c 25 01"
    " 75 01 95 08 09 ff 81 02 c0 09 14 a1 02 85 04 15 00 25 01 75 01 95 08 09 00 09 5f 09 60 09 00"
    " 09 00 09 85 09 86 91 86 c0 c0";

DeviceProfile keyboard_profile(std::uint16_t product = 0x1200)
{
  DeviceProfile profile;
  profile.name = "test-keyboard";
  profile.vendor = "Zebra";
  profile.usb = UsbId{0x05e0, product};
  profile.mode = ScannerMode::hid_keyboard;
  return profile;
}

DeviceProfile hid_pos_profile()
{
  DeviceProfile profile;
  profile.name = "test-hidpos";
  profile.vendor = "Honeywell";
  profile.usb = UsbId{0x0c2e, 0x0b8f};
  profile.mode = ScannerMode::hid_pos;
  profile.aim = AimSource::report;
  profile.beep = true;
  return profile;
}

EmulatedDeviceSpec keyboard_spec(int port = 1, std::uint16_t product = 0x1200)
{
  EmulatedDeviceSpec spec;
  spec.port = port;
  spec.vendor = 0x05e0;
  spec.product = product;
  spec.report_descriptor = parse_hex(k_boot_keyboard_descriptor);
  return spec;
}

EmulatedDeviceSpec hid_pos_spec(int port = 2)
{
  EmulatedDeviceSpec spec;
  spec.port = port;
  spec.vendor = 0x0c2e;
  spec.product = 0x0b8f;
  spec.boot_keyboard = false;
  spec.packet_size = 64;
  spec.report_descriptor = parse_hex(k_honeywell_descriptor);
  return spec;
}

// Press + release per digit, then Enter (US layout).
void type_digits(UsbEmulator& usb, const std::string& key, const std::string& digits, bool enter = true)
{
  for (char c : digits) {
    const std::uint8_t usage = c == '0' ? 0x27 : static_cast<std::uint8_t>(0x1e + (c - '1'));
    usb.send(key, {0, 0, usage, 0, 0, 0, 0, 0});
    usb.send(key, {0, 0, 0, 0, 0, 0, 0, 0});
  }
  if (enter) {
    usb.send(key, {0, 0, 0x28, 0, 0, 0, 0, 0});
    usb.send(key, {0, 0, 0, 0, 0, 0, 0, 0});
  }
}

std::vector<std::uint8_t> honeywell_report(const std::string& data, const std::string& aim = "]C1", bool continued = false)
{
  std::vector<std::uint8_t> report(64, 0);
  report[0] = 2;
  report[1] = static_cast<std::uint8_t>(data.size());
  std::copy(aim.begin(), aim.end(), report.begin() + 2);
  std::copy(data.begin(), data.end(), report.begin() + 5);
  report[63] = continued ? 1 : 0;
  return report;
}

struct Bench {
  UsbEmulator usb;
  ScanCollector collected;
  std::unique_ptr<ScannerManager> manager;

  void start(std::vector<DeviceProfile> profiles, std::vector<StationAssignment> assignments = {
                                                      {"bench-1", StationAssignment::Match::any, ""}})
  {
    ScannerManagerOptions options;
    options.profiles = std::move(profiles);
    options.assignments = std::move(assignments);
    collected.attach(options);
    auto started = ScannerManager::start(std::move(options));
    REQUIRE(started);
    manager = std::move(*started);
  }
  ~Bench()
  {
    if (manager)
      manager->stop();
  }
};

} // namespace

TEST_CASE("ScannerManager claims a keyboard-mode scanner and types its scans to the station only", "[manager]")
{
  Bench bench;
  const auto key = bench.usb.plug(keyboard_spec());
  bench.start({keyboard_profile()});
  REQUIRE(bench.collected.wait_for_state(DeviceState::online, 1));
  const auto counters = bench.usb.counters(key);
  CHECK(counters.kernel_driver_detached == 1);
  CHECK_FALSE(counters.kernel_driver_bound);   // usbhid no longer turns scans into key presses
  CHECK(counters.set_protocol_boot == 1);
  type_digits(bench.usb, key, "9506000001418");
  REQUIRE(bench.collected.wait_for_scans(1));
  const auto scan = bench.collected.scans().front();
  CHECK(scan.raw == "9506000001418");
  CHECK(scan.source == "usb:1-1:05e0:1200");
  CHECK(scan.station == "bench-1");
  bench.manager->stop();
  CHECK(bench.usb.counters(key).kernel_driver_bound);   // given back on release
}
