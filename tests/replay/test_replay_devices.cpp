// Walks tests/replay/<device>/ folders: each emulated device sends its reports through the real
// libusb driver code, and the scans (and state messages) that come out must be exactly the expected ones.
#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "replay_folder.hpp"
#include "scan_collector.hpp"
#include <pickverify/device_profile.hpp>
#include <pickverify/device_state.hpp>
#include <pickverify/scan_text.hpp>
#include <pickverify/scanner_manager.hpp>

using namespace pickverify;
using namespace pickverify::test;

namespace {

std::vector<std::filesystem::path> replay_folders()
{
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(PICKVERIFY_REPLAY_DIR))
    if (entry.is_directory() && std::filesystem::exists(entry.path() / "device.txt"))
      out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

void run_folder(const ReplayFolder& folder)
{
  UsbEmulator usb;
  const std::string key = usb.plug(folder.spec);
  ScanCollector collected;
  ScannerManagerOptions options;
  options.profiles = {folder.profile};
  options.assignments = {StationAssignment{"bench-1", StationAssignment::Match::any, ""}};
  collected.attach(options);
  auto manager = ScannerManager::start(std::move(options));
  REQUIRE(manager);
  REQUIRE(collected.wait_for_state(DeviceState::online, 1));

  std::size_t plugs = 1;
  for (const auto& step : folder.steps) {
    switch (step.kind) {
    case ReplayStep::Kind::report:
      usb.send(key, step.report);
      break;
    case ReplayStep::Kind::wait:
      REQUIRE(UsbEmulator::wait_for([&] { return usb.queued(key) == 0; }, std::chrono::milliseconds(2000)));
      std::this_thread::sleep_for(step.wait);
      break;
    case ReplayStep::Kind::unplug:
      usb.unplug(key);
      break;
    case ReplayStep::Kind::plug:
      usb.plug(folder.spec);
      REQUIRE(collected.wait_for_state(DeviceState::online, ++plugs));
      break;
    }
  }
  collected.wait_for_scans(folder.scans.size());
  // Long enough for an inter-key timeout to fire and for any scan that should not exist to show up.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  (*manager)->stop();

  const auto scans = collected.scans();
  std::vector<std::string> got, want;
  for (const auto& scan : scans)
    got.push_back(fmt::format("{} {}", scan.aim.value_or("-"), escape_scan_text(scan.raw)));
  for (const auto& scan : folder.scans)
    want.push_back(fmt::format("{} {}", scan.aim.value_or("-"), escape_scan_text(scan.raw)));
  CHECK(got == want);
  const std::string source = fmt::format("usb:1-{}:{}", folder.spec.port, to_string(folder.profile.usb));
  for (const auto& scan : scans) {
    CHECK(scan.station == "bench-1");
    CHECK(scan.source == source);
    CHECK(scan.source_kind ==
          (folder.profile.mode == ScannerMode::hid_pos ? SourceKind::hid_pos : SourceKind::hid_keyboard));
    CHECK(scan.utc.time_since_epoch().count() > 0);
  }
  const auto states = collected.states();
  for (const auto& [state, text] : folder.states) {
    const bool found = std::any_of(states.begin(), states.end(), [&](const StateChange& change) {
      return change.state == state && change.message.find(text) != std::string::npos;
    });
    INFO("expected a " << to_string(state) << " message containing: " << text);
    for (const auto& change : states)
      INFO("  got " << to_string(change.state) << ": " << change.message);
    CHECK(found);
  }
  const auto counters = usb.counters(key);
  CHECK(counters.kernel_driver_detached == 1);
  CHECK(counters.kernel_driver_attached == 1); // handed back to usbhid on release
  CHECK(counters.claims == 1);
  CHECK(counters.releases == 1);
}

} // namespace

TEST_CASE("ScannerManager yields the expected scans from every emulated device in tests/replay", "[replay]")
{
  auto profiles = load_profiles(default_profiles_dir());
  REQUIRE(profiles);
  const auto folders = replay_folders();
  REQUIRE(folders.size() >= 8);
  for (const auto& dir : folders) {
    DYNAMIC_SECTION(dir.filename().string())
    {
      run_folder(read_replay_folder(dir, *profiles));
    }
  }
}
