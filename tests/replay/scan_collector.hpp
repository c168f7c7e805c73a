// Collects what a ScannerManager reports, for assertions from the test thread.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include <pickverify/device_state.hpp>
#include <pickverify/scanner_manager.hpp>

#include "usb_emulator.hpp"

namespace pickverify::test {

struct StateChange {
  std::string device_id;
  std::string profile;
  DeviceState state = DeviceState::offline;
  std::string message;
};

class ScanCollector {
public:
  void attach(ScannerManagerOptions& options)
  {
    options.on_scan = [this](const ScanEvent& event) {
      std::lock_guard lock(m_mutex);
      m_scans.push_back(event);
    };
    options.on_device_state = [this](const std::string& id, const std::string& profile, DeviceState state,
                                     const std::string& message) {
      std::lock_guard lock(m_mutex);
      m_states.push_back(StateChange{id, profile, state, message});
    };
  }

  std::vector<ScanEvent> scans() const
  {
    std::lock_guard lock(m_mutex);
    return m_scans;
  }
  std::vector<StateChange> states() const
  {
    std::lock_guard lock(m_mutex);
    return m_states;
  }
  std::size_t scan_count() const
  {
    std::lock_guard lock(m_mutex);
    return m_scans.size();
  }
  std::size_t count_states(DeviceState state) const
  {
    std::lock_guard lock(m_mutex);
    std::size_t n = 0;
    for (const auto& change : m_states)
      n += change.state == state ? 1 : 0;
    return n;
  }
  bool wait_for_scans(std::size_t n, std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) const
  {
    return UsbEmulator::wait_for([&] { return scan_count() >= n; }, timeout);
  }
  bool wait_for_state(DeviceState state, std::size_t n,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) const
  {
    return UsbEmulator::wait_for([&] { return count_states(state) >= n; }, timeout);
  }

private:
  mutable std::mutex m_mutex;
  std::vector<ScanEvent> m_scans;
  std::vector<StateChange> m_states;
};

} // namespace pickverify::test
