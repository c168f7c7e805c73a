#include "station_scanners.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "commands.hpp"

#include <pickverify/device_profile.hpp>
#include <pickverify/device_state.hpp>
#include <pickverify/expected.hpp>
#include <pickverify/scanner_manager.hpp>

namespace pickverify::app {

namespace {

constexpr auto k_presence_check_interval = std::chrono::milliseconds(1000);

// A name for a configured scanner that is not (yet) a device: "scanner profile=honeywell-hidpos".
std::string assignment_id(const StationAssignment& assignment)
{
  return assignment.match == StationAssignment::Match::any
             ? "scanner (any recognised)"
             : fmt::format("scanner {}={}", to_string(assignment.match), assignment.value);
}

bool satisfies(const DeviceInfo& device, const StationAssignment& assignment)
{
  if (device.state != DeviceState::online)
    return false;
  switch (assignment.match) {
  case StationAssignment::Match::profile:
    return device.profile == assignment.value;
  case StationAssignment::Match::bus_path:
    return device.bus_path == assignment.value;
  case StationAssignment::Match::serial_number:
    return device.serial_number == assignment.value;
  case StationAssignment::Match::any:
    break;
  }
  return !device.profile.empty();
}

class UsbStationScanners final : public StationScanners {
public:
  UsbStationScanners(const Context& context, Station& station, Show show)
      : m_context(context), m_station(station), m_show(std::move(show))
  {
  }

  ~UsbStationScanners() override
  {
    {
      std::lock_guard lock(m_mutex);
      m_stopping = true;
    }
    m_wake.notify_all();
    if (m_monitor.joinable()) {
      m_monitor.join();
    }
    if (m_manager) {
      m_manager->stop();
    }
  }

  Result<void> start()
  {
    auto profiles = load_profiles(default_profiles_dir());
    if (!profiles) {
      return tl::unexpected(profiles.error().with_context("device profiles"));
    }
    ScannerManagerOptions options;
    options.profiles = std::move(*profiles);
    for (const auto& assignment : m_context.config.scanners) {
      options.assignments.push_back(StationAssignment{m_station.id(), assignment.match, assignment.value});
      // Fail closed: a configured scanner counts as offline until it is seen.
      m_present[assignment_id(assignment)] = false;
      m_show(m_station.set_device_online(assignment_id(assignment), false, "configured, not seen yet"));
    }
    options.on_scan = [this](const ScanEvent& event) {
      ScanEvent scan = event;
      scan.station = m_station.id();
      auto reply = m_station.handle_scan(scan);
      m_show(reply);
      if (m_manager && scan.source.rfind("usb:", 0) == 0) {
        const bool good = reply && reply->verdict && *reply->verdict == Verdict::accepted;
        (void)m_manager->beep(scan.source, good ? BeepKind::good_read : BeepKind::error);
      }
    };
    options.on_device_state = [this](const std::string& device_id, const std::string& profile, DeviceState state,
                                     const std::string& message) {
      m_show(m_station.set_device_online(device_id, state == DeviceState::online,
                                         fmt::format("{}{}", profile.empty() ? "" : profile + ": ", message)));
    };
    auto manager = ScannerManager::start(std::move(options));
    if (!manager) {
      return tl::unexpected(manager.error().with_context("scanners"));
    }
    m_manager = std::move(*manager);
    check_presence();
    m_monitor = std::thread([this] { monitor(); });
    return {};
  }

  std::string describe() const override
  {
    std::string text = "scanners:";
    for (const auto& assignment : m_context.config.scanners) {
      text += " " + assignment_id(assignment);
    }
    return text + " (plus typed or wedge input on this terminal)";
  }

private:
  void check_presence()
  {
    const auto devices = m_manager->devices();
    for (const auto& assignment : m_context.config.scanners) {
      const bool present = std::any_of(devices.begin(), devices.end(),
                                       [&](const DeviceInfo& device) { return satisfies(device, assignment); });
      bool& known = m_present[assignment_id(assignment)];
      if (present != known) {
        known = present;
        m_show(
            m_station.set_device_online(assignment_id(assignment), present,
                                        present ? "a matching scanner is connected" : "no matching scanner connected"));
      }
    }
  }

  void monitor()
  {
    std::unique_lock lock(m_mutex);
    while (!m_wake.wait_for(lock, k_presence_check_interval, [this] { return m_stopping; })) {
      lock.unlock();
      check_presence();
      lock.lock();
    }
  }

  const Context& m_context;
  Station& m_station;
  Show m_show;
  std::unique_ptr<ScannerManager> m_manager;
  std::map<std::string, bool> m_present;
  std::thread m_monitor;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stopping = false;
};

} // namespace

Result<std::unique_ptr<StationScanners>> StationScanners::start(const Context& context, Station& station, Show show)
{
  if (context.config.scanners.empty()) {
    return std::unique_ptr<StationScanners>{};
  }
  auto scanners = std::make_unique<UsbStationScanners>(context, station, std::move(show));
  PV_TRY(scanners->start());
  return std::unique_ptr<StationScanners>(std::move(scanners));
}

} // namespace pickverify::app
