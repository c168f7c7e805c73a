// Scanner device profiles: what a scanner is (VID:PID, mode, layout, framing), read from the data
// files in devices/, and the udev rules made from them (and from the station's output devices).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/error.hpp>

namespace pickverify {

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

std::string to_string(UsbId id);                          // "0c2e:0b61"
std::optional<UsbId> parse_usb_id(std::string_view text); // "0c2e:0b61" (hex, either case), else nullopt

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
// $PICKVERIFY_DEVICES_DIR if set, else shipped_data_dir()/devices: the installed program's
// <prefix>/share/pickverify/devices, or the source tree's devices/ folder (shipped_data.hpp).
std::filesystem::path default_profiles_dir();
const DeviceProfile* find_profile(const std::vector<DeviceProfile>& profiles, UsbId id);

// A USB device the service opens through libusb that is not a scanner: the station controller and
// the output boards of devices/outputs/ (firmware-host lists them: output_udev_devices).
struct UdevUsbDevice {
  UsbId usb;
  std::string name;        // "usbrelay"
  std::string description; // "USBRelay2 (2-channel HID relay board) (devices/outputs/usb-relay.toml)"
};

// udev rules that let the service's group open every profiled USB scanner, and each of `others`,
// without root. One rule per VID:PID, sorted by it.
std::string generate_udev_rules(const std::vector<DeviceProfile>& profiles,
                                const std::vector<UdevUsbDevice>& others = {});

} // namespace pickverify
