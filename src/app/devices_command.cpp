// `pickverify devices list` and `devices watch`: what a technician setting up a bench needs to see.
#include "devices_command.hpp"

#include <chrono>
#include <mutex>
#include <ostream>
#include <thread>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <pickverify/device_profile.hpp>
#include <pickverify/device_state.hpp>
#include <pickverify/scan_text.hpp>
#include <pickverify/scanner_manager.hpp>

namespace pickverify::app {

namespace {

std::string now_text()
{
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%H:%M:%S}.{:03d}", fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms);
}

} // namespace

int devices_list(std::ostream& out, const std::filesystem::path& profiles_dir)
{
  auto profiles = load_profiles(profiles_dir);
  if (!profiles) {
    out << "error: " << profiles.error().message << '\n';
    return 1;
  }
  auto devices = enumerate_usb_devices(*profiles);
  if (!devices) {
    out << "error: " << devices.error().message << '\n';
    return 1;
  }
  out << fmt::format("Recognised scanners ({} profiles from {}):\n", profiles->size(), profiles_dir.string());
  int recognised = 0;
  for (const auto& device : *devices) {
    if (device.profile.empty())
      continue;
    ++recognised;
    out << fmt::format("  {:<28} {:<36} {:<13} {}\n", device.id, device.profile, to_string(*device.mode),
                       device.mode == ScannerMode::serial ? "attached (read through its /dev/ttyACM* node)"
                                                          : probe_access(device));
  }
  if (recognised == 0)
    out << "  (none)\n";
  out << "Other USB devices (no profile):\n";
  int others = 0;
  for (const auto& device : *devices) {
    if (!device.profile.empty())
      continue;
    ++others;
    out << fmt::format("  {:<28} {}\n", device.id, to_string(device.usb));
  }
  if (others == 0)
    out << "  (none)\n";
  return 0;
}

int devices_watch(std::ostream& out, const std::filesystem::path& profiles_dir, std::atomic<bool>& stop)
{
  auto profiles = load_profiles(profiles_dir);
  if (!profiles) {
    out << "error: " << profiles.error().message << '\n';
    return 1;
  }
  std::mutex out_mutex;
  ScannerManagerOptions options;
  options.profiles = std::move(*profiles);
  options.claim_unassigned = true;
  options.on_scan = [&](const ScanEvent& event) {
    std::lock_guard lock(out_mutex);
    out << fmt::format("{}  scan   {}  {}  {}\n", now_text(), event.source, event.aim.value_or("-"),
                       escape_scan_text(event.raw))
        << std::flush;
  };
  options.on_device_state = [&](const std::string& id, const std::string& profile, DeviceState state,
                                const std::string& message) {
    std::lock_guard lock(out_mutex);
    out << fmt::format("{}  {:<7}{}  {}  {}\n", now_text(), to_string(state), id, profile, message) << std::flush;
  };
  auto manager = ScannerManager::start(std::move(options));
  if (!manager) {
    out << "error: " << manager.error().message << '\n';
    return 1;
  }
  {
    std::lock_guard lock(out_mutex);
    out << "Watching scanners; scan a barcode, Ctrl+C to stop.\n" << std::flush;
  }
  while (!stop.load())
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  (*manager)->stop();
  return 0;
}

} // namespace pickverify::app
