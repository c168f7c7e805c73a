// One emulated device folder under tests/replay/<device>/ (see tests/README.md for the format).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <pickverify/device_profile.hpp>
#include <pickverify/device_state.hpp>

#include "usb_emulator.hpp"

namespace pickverify::test {

struct ReplayStep {
  enum class Kind { report, wait, unplug, plug } kind = Kind::report;
  std::vector<std::uint8_t> report;
  std::chrono::milliseconds wait{0};
};

struct ExpectedScan {
  std::optional<std::string> aim;
  std::string raw;
};

struct ReplayFolder {
  std::string name;
  EmulatedDeviceSpec spec;
  DeviceProfile profile;
  std::vector<ReplayStep> steps;
  std::vector<ExpectedScan> scans;
  std::vector<std::pair<DeviceState, std::string>> states; // a state message must contain the text
  std::size_t output_reports = 0;                          // beeps expected (HID POS)
};

// Reads a folder; profiles named by `profile = ...` come from `profiles` (devices/) unless the
// folder has its own profile.toml. Throws std::runtime_error with file and line on bad content.
ReplayFolder read_replay_folder(const std::filesystem::path& dir, const std::vector<DeviceProfile>& profiles);

} // namespace pickverify::test
