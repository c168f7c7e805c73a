// ScannerManager against emulated devices: hotplug, unplug in the middle of a scan, coming back,
// 50 scans per second, beeps, station assignment, and `devices list`.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <pty.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fmt/format.h>

#include <pickverify/serial_scanner.hpp>

#include "devices_command.hpp" // the app's `devices list|watch`, run against the same emulated devices
#include "scan_collector.hpp"
#include "usb_emulator.hpp"

using namespace pickverify;
using namespace pickverify::test;
using namespace std::chrono_literals;
using pickverify::app::devices_list;
using pickverify::app::devices_watch;

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

std::vector<std::uint8_t> honeywell_report(const std::string& data, const std::string& aim = "]C1",
                                           bool continued = false)
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

  void start(std::vector<DeviceProfile> profiles,
             std::vector<StationAssignment> assignments = {{"bench-1", StationAssignment::Match::any, ""}})
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
  CHECK_FALSE(counters.kernel_driver_bound); // usbhid no longer turns scans into key presses
  CHECK(counters.set_protocol_boot == 1);
  type_digits(bench.usb, key, "9506000001418");
  REQUIRE(bench.collected.wait_for_scans(1));
  const auto scan = bench.collected.scans().front();
  CHECK(scan.raw == "9506000001418");
  CHECK(scan.source == "usb:1-1:05e0:1200");
  CHECK(scan.station == "bench-1");
  bench.manager->stop();
  CHECK(bench.usb.counters(key).kernel_driver_bound); // given back on release
}

TEST_CASE("ScannerManager picks up a scanner plugged in while running and reports it offline when unplugged",
          "[manager][hotplug]")
{
  Bench bench;
  bench.start({keyboard_profile()});
  std::this_thread::sleep_for(100ms);
  CHECK(bench.collected.states().empty()); // nothing plugged in yet

  const auto key = bench.usb.plug(keyboard_spec(3));
  REQUIRE(bench.collected.wait_for_state(DeviceState::online, 1));
  type_digits(bench.usb, key, "9506000001418");
  REQUIRE(bench.collected.wait_for_scans(1));

  bench.usb.unplug(key);
  REQUIRE(bench.collected.wait_for_state(DeviceState::offline, 1));
  const auto offline = bench.collected.states().back();
  CHECK(offline.device_id == "usb:1-3:05e0:1200");
  CHECK(offline.profile == "test-keyboard");
  CHECK(offline.message.find("unplugged") != std::string::npos);
  const auto listed = bench.manager->devices();
  REQUIRE(listed.size() == 1);
  CHECK(listed.front().state == DeviceState::offline);

  // Back: resumes within 2 s, and the scans before and after arrive exactly once each.
  const auto plugged_at = std::chrono::steady_clock::now();
  bench.usb.plug(keyboard_spec(3));
  REQUIRE(bench.collected.wait_for_state(DeviceState::online, 2, 2000ms));
  CHECK(std::chrono::steady_clock::now() - plugged_at < 2s);
  CHECK(bench.collected.states().back().message.find("back online") != std::string::npos);
  type_digits(bench.usb, key, "9506000001487");
  REQUIRE(bench.collected.wait_for_scans(2));
  std::this_thread::sleep_for(150ms);
  const auto scans = bench.collected.scans();
  REQUIRE(scans.size() == 2);
  CHECK(scans[0].raw == "9506000001418");
  CHECK(scans[1].raw == "9506000001487");
}

TEST_CASE("ScannerManager drops a scan cut off by an unplug and says so, then reads the rescan once",
          "[manager][hotplug]")
{
  Bench bench;
  const auto key = bench.usb.plug(keyboard_spec());
  bench.start({keyboard_profile()});
  REQUIRE(bench.collected.wait_for_state(DeviceState::online, 1));
  type_digits(bench.usb, key, "950600", false); // the cable is pulled half way through the scan
  REQUIRE(UsbEmulator::wait_for([&] { return bench.usb.queued(key) == 0; }, 2000ms));
  std::this_thread::sleep_for(5ms);
  bench.usb.unplug(key);
  REQUIRE(bench.collected.wait_for_state(DeviceState::offline, 1));
  const auto offline = bench.collected.states().back().message;
  CHECK(offline.find("unplugged") != std::string::npos);
  CHECK(offline.find("scan in progress was dropped (6 bytes)") != std::string::npos);

  bench.usb.plug(keyboard_spec());
  REQUIRE(bench.collected.wait_for_state(DeviceState::online, 2));
  type_digits(bench.usb, key, "9506000001418");
  REQUIRE(bench.collected.wait_for_scans(1));
  std::this_thread::sleep_for(200ms); // past the inter-key timeout: no stale half scan appears
  const auto scans = bench.collected.scans();
  REQUIRE(scans.size() == 1);
  CHECK(scans[0].raw == "9506000001418");
}

TEST_CASE("ScannerManager keeps up with a HID POS scanner sending 50 scans per second", "[manager][rate]")
{
  Bench bench;
  const auto key = bench.usb.plug(hid_pos_spec());
  bench.start({hid_pos_profile()});
  REQUIRE(bench.collected.wait_for_state(DeviceState::online, 1));
  constexpr int k_scans = 100; // two seconds at 50 per second
  const auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < k_scans; ++i) {
    bench.usb.send(key, honeywell_report(fmt::format("0109506000001906\x1d"
                                                     "10LOT{:03d}",
                                                     i)));
    std::this_thread::sleep_until(begin + (i + 1) * 20ms);
  }
  REQUIRE(bench.collected.wait_for_scans(k_scans));
  std::this_thread::sleep_for(100ms);
  const auto scans = bench.collected.scans();
  REQUIRE(scans.size() == k_scans); // none lost, none doubled
  for (int i = 0; i < k_scans; ++i) {
    CHECK(scans[static_cast<std::size_t>(i)].raw == fmt::format("0109506000001906\x1d"
                                                                "10LOT{:03d}",
                                                                i));
    CHECK(scans[static_cast<std::size_t>(i)].aim == std::optional<std::string>("]C1"));
  }
}

TEST_CASE("ScannerManager::beep sends the good-read and error beep bits the report descriptor names", "[manager][beep]")
{
  Bench bench;
  const auto key = bench.usb.plug(hid_pos_spec());
  bench.start({hid_pos_profile()});
  REQUIRE(bench.collected.wait_for_state(DeviceState::online, 1));
  REQUIRE(bench.manager->beep("usb:1-2:0c2e:0b8f", BeepKind::good_read));
  REQUIRE(bench.manager->beep("usb:1-2:0c2e:0b8f", BeepKind::error));
  REQUIRE(UsbEmulator::wait_for([&] { return bench.usb.counters(key).output_reports.size() == 2; }, 2000ms));
  const auto reports = bench.usb.counters(key).output_reports;
  // Report 4: bit 5 Sound Error Beep, bit 6 Sound Good Read Beep (Honeywell's trigger report).
  CHECK(reports[0] == std::vector<std::uint8_t>{0x04, 0x40});
  CHECK(reports[1] == std::vector<std::uint8_t>{0x04, 0x20});

  auto unknown = bench.manager->beep("usb:9-9:0000:0000", BeepKind::good_read);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().type == ErrorType::device_offline);
}

TEST_CASE("ScannerManager assigns scanners to stations by serial number, bus path or profile", "[manager][assignment]")
{
  Bench bench;
  auto by_serial = keyboard_spec(1);
  by_serial.serial = "S/N-4711";
  const auto a = bench.usb.plug(by_serial);
  const auto b = bench.usb.plug(keyboard_spec(2));
  const auto c = bench.usb.plug(hid_pos_spec(3));
  const auto unassigned = bench.usb.plug(keyboard_spec(4, 0x1201));
  auto other = keyboard_profile(0x1201);
  other.name = "test-keyboard-other";
  bench.start({keyboard_profile(), hid_pos_profile(), other},
              {{"bench-serial", StationAssignment::Match::serial_number, "S/N-4711"},
               {"bench-path", StationAssignment::Match::bus_path, "1-2"},
               {"bench-profile", StationAssignment::Match::profile, "test-hidpos"}});
  REQUIRE(bench.collected.wait_for_state(DeviceState::online, 3));
  type_digits(bench.usb, a, "1");
  type_digits(bench.usb, b, "2");
  bench.usb.send(c, honeywell_report("3"));
  REQUIRE(bench.collected.wait_for_scans(3));
  std::map<std::string, std::string> station_of;
  for (const auto& scan : bench.collected.scans())
    station_of[scan.raw] = scan.station;
  CHECK(station_of["1"] == "bench-serial");
  CHECK(station_of["2"] == "bench-path");
  CHECK(station_of["3"] == "bench-profile");
  // Recognised but assigned nowhere: left alone, still a keyboard for the desktop.
  CHECK(bench.usb.counters(unassigned).claims == 0);
  CHECK(bench.usb.counters(unassigned).kernel_driver_bound);
}

TEST_CASE("devices_list shows recognised scanners with profile, mode and state, then the others", "[manager][cli]")
{
  UsbEmulator usb;
  usb.plug(keyboard_spec(1));
  usb.plug(hid_pos_spec(2));
  std::ostringstream out;
  REQUIRE(devices_list(out, default_profiles_dir()) == 0);
  const std::string text = out.str();
  INFO(text);
  CHECK(text.find("usb:1-1:05e0:1200") != std::string::npos);
  CHECK(text.find("zebra-keyboard") != std::string::npos);
  CHECK(text.find("kernel driver bound") != std::string::npos);
  CHECK(text.find("honeywell-voyager-1400g-hidpos") != std::string::npos);
  CHECK(text.find("hid_pos") != std::string::npos);
  const auto others = text.find("Other USB devices");
  REQUIRE(others != std::string::npos);
  CHECK(text.find("1d6b:0002", others) != std::string::npos); // the root hub has no profile
}

TEST_CASE("devices_watch prints scans and state changes live until stopped", "[manager][cli]")
{
  UsbEmulator usb;
  const auto key = usb.plug(keyboard_spec(1));
  std::ostringstream out; // written by the watch thread; read only after it ended
  std::atomic<bool> stop{false};
  int result = -1;
  std::thread watch([&] { result = devices_watch(out, default_profiles_dir(), stop); });
  std::this_thread::sleep_for(300ms);
  type_digits(usb, key, "9506000001418");
  std::this_thread::sleep_for(300ms);
  stop = true;
  watch.join();
  CHECK(result == 0);
  const std::string text = out.str();
  INFO(text);
  CHECK(text.find("online usb:1-1:05e0:1200  zebra-keyboard") != std::string::npos);
  CHECK(text.find("scan   usb:1-1:05e0:1200  -  9506000001418") != std::string::npos);
}

namespace {

double process_cpu_seconds()
{
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return double(tv.tv_sec) + double(tv.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

} // namespace

// Under umockdev an emulated usbfs node always polls writable, so libusb's poll() returns at once and
// the emulator answers REAPURBNDELAY with EAGAIN in a loop: claimed emulated USB devices cannot show
// idle cost. What the process itself waits on is real here: libusb's hotplug monitor with the event
// thread parked in libusb_handle_events, and two serial scanners on real pseudo-terminals.
TEST_CASE("ScannerManager and two idle serial scanners use under 1% of a core", "[manager][idle]")
{
  Bench bench;
  bench.start({keyboard_profile(), hid_pos_profile()});
  DeviceProfile serial;
  serial.name = "test-serial";
  serial.vendor = "Zebra";
  serial.usb = UsbId{0x05e0, 0x1701};
  serial.mode = ScannerMode::serial;
  std::vector<std::unique_ptr<SerialScanner>> scanners;
  std::vector<int> masters;
  for (int i = 0; i < 2; ++i) {
    int master = -1, slave = -1;
    char name[128] = {};
    REQUIRE(openpty(&master, &slave, name, nullptr, nullptr) == 0);
    masters.push_back(master);
    auto opened = SerialScanner::open(name, serial, "bench-1", [](const ScanEvent&) {});
    REQUIRE(opened);
    scanners.push_back(std::move(*opened));
    ::close(slave);
  }
  std::this_thread::sleep_for(200ms);
  const double cpu_begin = process_cpu_seconds();
  const auto wall_begin = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(3s);
  const double cpu = process_cpu_seconds() - cpu_begin;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_begin).count();
  INFO(fmt::format("idle: {:.4f} s CPU in {:.2f} s = {:.3f}% of a core", cpu, wall, 100 * cpu / wall));
  CHECK(cpu / wall < 0.01);
  scanners.clear();
  for (int master : masters)
    ::close(master);
}

TEST_CASE("ScannerManager reads a USB CDC-ACM scanner through its tty, and reports it unplugged", "[manager][serial]")
{
  Bench bench;
  DeviceProfile cdc;
  cdc.name = "test-cdc";
  cdc.vendor = "Zebra";
  cdc.usb = UsbId{0x05e0, 0x1701};
  cdc.mode = ScannerMode::serial;
  cdc.serial.baud = 9600;
  const auto key = bench.usb.plug_cdc_acm(5, 0x05e0, 0x1701);
  bench.start({cdc});
  REQUIRE(bench.collected.wait_for_state(DeviceState::online, 1));
  CHECK(bench.collected.states().back().message == "claimed: serial /dev/ttyACM0 at 9600 baud");
  const int master = bench.usb.tty_master(key);
  REQUIRE(master >= 0);
  const std::string sent = "0109506000001906\x1d"
                           "10LOT42\r\n9506000001418\r\n";
  REQUIRE(::write(master, sent.data(), sent.size()) == ssize_t(sent.size()));
  REQUIRE(bench.collected.wait_for_scans(2));
  const auto scans = bench.collected.scans();
  CHECK(scans[0].raw == "0109506000001906\x1d"
                        "10LOT42");
  CHECK(scans[1].raw == "9506000001418");
  CHECK(scans[0].source == "usb:1-5:05e0:1701");
  CHECK(scans[0].source_kind == SourceKind::serial);
  CHECK(scans[0].station == "bench-1");

  bench.usb.unplug(key);
  REQUIRE(bench.collected.wait_for_state(DeviceState::offline, 1));
  std::this_thread::sleep_for(100ms);
  CHECK(bench.collected.count_states(DeviceState::offline) == 1); // reported once, not by both paths
}

TEST_CASE("ScannerManager switches a Honeywell HID POS scanner's output to HID POS when its profile says so",
          "[manager][quirk]")
{
  Bench bench;
  const auto key = bench.usb.plug(hid_pos_spec());
  auto profile = hid_pos_profile();
  profile.quirks = {"hidpos_output_redirection"};
  bench.start({profile});
  REQUIRE(bench.collected.wait_for_state(DeviceState::online, 1));
  const auto counters = bench.usb.counters(key);
  REQUIRE(counters.feature_reports.size() == 1);
  CHECK(counters.feature_reports[0] == std::vector<std::uint8_t>{0xfe, 0x01});
  CHECK(counters.output_reports.empty()); // no beep was asked for
  bench.usb.send(key, honeywell_report("9506000001418", "]E0"));
  REQUIRE(bench.collected.wait_for_scans(1));
  CHECK(bench.collected.scans()[0].raw == "9506000001418");
}
