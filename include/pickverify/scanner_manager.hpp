// The scanner manager: USB HID keyboard and HID POS scanners over libusb (hotplug), USB serial
// scanners through their tty, assigned to stations. No libusb type appears here.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/device_profile.hpp>
#include <pickverify/device_state.hpp>
#include <pickverify/error.hpp>
#include <pickverify/scan_event.hpp>

namespace pickverify {

enum class BeepKind { good_read, error };

// Which scanners feed which station. The first assignment that matches a device wins.
struct StationAssignment {
  enum class Match { profile, bus_path, serial_number, any };
  std::string station;
  Match match = Match::any;
  std::string value; // profile name, bus path ("1-1.2") or serial number; unused for `any`
};

// "profile", "bus_path", "serial_number", "any": the names the configuration uses.
std::string_view to_string(StationAssignment::Match match);
std::optional<StationAssignment::Match> parse_assignment_match(std::string_view name);

struct ScannerManagerOptions {
  std::vector<DeviceProfile> profiles;
  std::vector<StationAssignment> assignments;
  // Claim recognised scanners that no assignment matches too (their scans carry station "").
  // `devices watch` uses this; `run` leaves it off so unassigned scanners stay untouched.
  bool claim_unassigned = false;
  std::function<void(const ScanEvent&)> on_scan;
  std::function<void(const std::string& device_id, const std::string& profile, DeviceState state,
                     const std::string& message)>
      on_device_state;
};

struct DeviceInfo {
  std::string id;       // "usb:1-1.2:0c2e:0b61"
  std::string bus_path; // "1-1.2"
  UsbId usb;
  std::string serial_number;
  std::string profile; // empty when no profile matches
  std::optional<ScannerMode> mode;
  std::string station;
  DeviceState state = DeviceState::offline;
  std::string message;
};

class ScannerManager {
public:
  // Starts the event thread and claims every matching scanner already plugged in: HID scanners
  // through libusb, USB serial scanners (CDC-ACM, USB-serial) through the tty the kernel made.
  // Callbacks run on the manager's threads one at a time, never concurrently; keep them short.
  static Result<std::unique_ptr<ScannerManager>> start(ScannerManagerOptions options);
  virtual ~ScannerManager() = default;

  // Releases every device (re-attaching the kernel driver) and joins the event thread.
  virtual void stop() = 0;
  virtual std::vector<DeviceInfo> devices() const = 0;
  // Sounds a beep on a HID POS scanner whose profile allows it and whose descriptor has the usage.
  virtual Result<void> beep(std::string_view device_id, BeepKind kind) = 0;
};

// Every USB device on the system, with the profile it matches (if any); no device is opened.
Result<std::vector<DeviceInfo>> enumerate_usb_devices(const std::vector<DeviceProfile>& profiles);

// What `devices list` says of a device before `run` claims it: can the service open it, and is the
// kernel still turning its scans into key presses? ("attached, free to claim", "no access (udev rules
// not installed?)", "not found" ...). The device is opened and closed again; nothing is claimed.
std::string probe_access(const DeviceInfo& device);

} // namespace pickverify
