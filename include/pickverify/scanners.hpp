// Barcode scanners: device profiles (data in devices/), the scanner manager (USB HID keyboard and
// HID POS over libusb, hotplug), serial and HTTP scan sources, and the `devices` tool entry points.
// No libusb or termios type appears here: every source yields a pickverify::ScanEvent.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/error.hpp>
#include <pickverify/scan_event.hpp>

namespace pickverify {

// --- Device profiles ----------------------------------------------------------------------------

enum class ScannerMode { hid_keyboard, hid_pos, serial };
enum class KeyboardLayout { us, de, fr };
enum class Terminator { enter, tab, none };
// Where the AIM symbology id comes from: nowhere, the first three characters of the data
// (scanner programmed to prefix it), or the HID POS report's symbology-identifier fields.
enum class AimSource { none, prefix, report };
enum class Parity { none, even, odd };

std::string_view to_string(ScannerMode mode);
std::string_view to_string(KeyboardLayout layout);
std::string_view to_string(Terminator terminator);
std::string_view to_string(AimSource aim);

struct UsbId {
  std::uint16_t vendor = 0;
  std::uint16_t product = 0;
  friend bool operator==(const UsbId&, const UsbId&) = default;
};

std::string to_string(UsbId id); // "0c2e:0b61"

struct SerialSettings {
  int baud = 9600;
  int data_bits = 8;
  Parity parity = Parity::none;
  int stop_bits = 1;
};

struct DeviceProfile {
  std::string name;   // unique, e.g. "honeywell-voyager-1400g-hidpos"
  std::string vendor; // "Honeywell"
  std::string model;  // "Voyager 1400g (HID POS)"
  UsbId usb;
  ScannerMode mode = ScannerMode::hid_keyboard;
  KeyboardLayout layout = KeyboardLayout::us; // keyboard mode: the layout the scanner types in
  Terminator terminator = Terminator::enter;
  std::string prefix; // stripped from each scan when present (the scanner is programmed to send it)
  std::string suffix;
  std::chrono::milliseconds inter_key_timeout{50}; // keyboard mode: silence that ends a scan
  AimSource aim = AimSource::none;
  bool beep = false; // HID POS: the host may sound good-read / error beeps (if the descriptor has them)
  SerialSettings serial;
  std::vector<std::string> quirks; // "no_kernel_driver" (nothing to detach),
                                   // "hidpos_output_redirection" (Honeywell: set feature report 0xFE = 1)
  std::string source_file;         // where the profile came from, for messages
  int source_line = 0;
};

// Parses one profile file's text. `file_name` only names the file in errors ("honeywell.toml:12: ...").
Result<std::vector<DeviceProfile>> parse_profiles(std::string_view text, std::string_view file_name);
// Loads every *.toml in `dir` (sorted by name); a duplicate name or VID:PID across files is an error
// naming both places.
Result<std::vector<DeviceProfile>> load_profiles(const std::filesystem::path& dir);
// $PICKVERIFY_DEVICES_DIR if set, else /usr/share/pickverify/devices if it exists, else the source
// tree's devices/ folder (PICKVERIFY_SOURCE_DIR).
std::filesystem::path default_profiles_dir();
const DeviceProfile* find_profile(const std::vector<DeviceProfile>& profiles, UsbId id);

// udev rules that let the service's group open every profiled USB scanner without root.
std::string generate_udev_rules(const std::vector<DeviceProfile>& profiles);

// --- Scanner manager ----------------------------------------------------------------------------

enum class DeviceState { online, offline };
std::string_view to_string(DeviceState state);

enum class BeepKind { good_read, error };

// Which scanners feed which station. The first assignment that matches a device wins.
struct StationAssignment {
  enum class Match { profile, bus_path, serial_number, any };
  std::string station;
  Match match = Match::any;
  std::string value; // profile name, bus path ("1-1.2") or serial number; unused for `any`
};

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

// --- Serial scanners (CDC-ACM /dev/ttyACM*, USB-serial) -----------------------------------------

class SerialScanner {
public:
  // Opens and configures the tty (raw mode, the profile's speed/framing). The reader thread
  // delivers one ScanEvent per terminated line; the inter-key timeout ends an unterminated one.
  static Result<std::unique_ptr<SerialScanner>>
  open(const std::filesystem::path& tty, const DeviceProfile& profile, std::string station,
       std::function<void(const ScanEvent&)> on_scan,
       std::function<void(DeviceState, const std::string& message)> on_state = {});
  virtual ~SerialScanner() = default;
  virtual void stop() = 0;
  virtual const std::string& source_id() const = 0; // "serial:/dev/ttyACM0"
};

// --- HTTP input (handheld terminals); the web service calls submit() for POST /stations/{id}/scans

struct HttpScanRequest {
  std::string station;
  std::string data;               // the scanned text as the terminal sent it
  std::optional<std::string> aim; // "]C1" when the terminal knows it
  std::string terminal;           // terminal id, becomes the source: "http:<terminal>"
};

class HttpScanSource {
public:
  explicit HttpScanSource(std::function<void(const ScanEvent&)> on_scan, std::size_t max_data_bytes = 4096);
  // Validates and delivers the scan; returns the event as delivered (for the HTTP response).
  Result<ScanEvent> submit(const HttpScanRequest& request) const;

private:
  std::function<void(const ScanEvent&)> m_on_scan;
  std::size_t m_max_data_bytes;
};

// --- `pickverify devices ...` entry points ------------------------------------------------------

// Lists each attached USB device it recognises (profile, mode, state) and then the unrecognised
// ones. Returns a process exit code (0 ok, 1 error: message written to `out`).
int devices_list(std::ostream& out, const std::filesystem::path& profiles_dir);
// Claims every recognised scanner and prints each scan and state change live until `stop`.
int devices_watch(std::ostream& out, const std::filesystem::path& profiles_dir, std::atomic<bool>& stop);

} // namespace pickverify
