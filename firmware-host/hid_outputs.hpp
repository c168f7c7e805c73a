// Commodity USB HID outputs as the station's gate lock and stack light: the "USBRelay" HID relay
// boards (16c0:05df) and the Delcom USB HID visual indicator (0fc5:b080). Their profiles live in
// devices/outputs/*.toml; this header holds the profile type, the reports each device takes for a
// set of station outputs and the strict decoding of what each device answers. The libusb driver
// (hid_output_controller.cpp) sends and reads these through HID SET_REPORT / GET_REPORT (Feature).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/controller.hpp>

namespace pickverify::fw {

enum class OutputProtocol { usb_relay, delcom_indicator };
std::string_view to_string(OutputProtocol protocol);

struct OutputProfile {
  std::string name;  // "usbrelay2"
  std::string model; // "USBRelay2 (2-channel HID relay board)"
  std::uint16_t vendor = 0;
  std::uint16_t product = 0;
  OutputProtocol protocol = OutputProtocol::usb_relay;
  // usb_relay: 16c0:05df is V-USB's shared id, so the product string must start with this.
  std::string product_prefix;
  int channels = 1;             // usb_relay: relays on the board (1..8)
  int lock_channel = 1;         // usb_relay: the relay that drives the gate lock (1-based)
  bool unlock_energised = true; // usb_relay: relay on = gate open, so a dead board keeps it locked
  std::uint8_t green_pin = 0;   // delcom: port-1 pins (0..7) of the three LEDs (active low)
  std::uint8_t red_pin = 1;
  std::uint8_t amber_pin = 2;
  std::string source; // "usb-relay.toml:12"
};

// Strict: unknown keys, bad ids, ranges and duplicate names are errors naming file and line.
Result<std::vector<OutputProfile>> parse_output_profiles(std::string_view text, std::string_view file_name);
// Every *.toml in `dir`, sorted by name.
Result<std::vector<OutputProfile>> load_output_profiles(const std::filesystem::path& dir);
// default_profiles_dir() / "outputs".
std::filesystem::path default_output_profiles_dir();

// One HID feature report as it goes on the wire: SET_REPORT(Feature, report_id), 8 data bytes.
struct FeatureReport {
  std::uint8_t report_id = 0;
  std::array<std::uint8_t, 8> data{};
  friend bool operator==(const FeatureReport&, const FeatureReport&) = default;
};

// --- USB HID relay ("USBRelay<n>", V-USB firmware) ---------------------------------------------
// Feature report 0 (no report ids), 8 bytes. SET: [0xFF, n, 0…] switches relay n on, [0xFD, n, 0…]
// off (0xFE / 0xFC all on / off). GET: bytes 0..4 the board's serial (ASCII, NUL padded), byte 7
// the relay states (bit n-1 = relay n on).
constexpr std::uint8_t k_relay_report_id = 0;
constexpr std::uint8_t k_relay_cmd_on = 0xff;
constexpr std::uint8_t k_relay_cmd_all_on = 0xfe;
constexpr std::uint8_t k_relay_cmd_off = 0xfd;
constexpr std::uint8_t k_relay_cmd_all_off = 0xfc;
constexpr std::size_t k_relay_report_size = 8;
constexpr std::size_t k_relay_state_byte = 7;

struct RelayState {
  std::string serial;
  std::uint8_t on_mask = 0;
};
std::vector<FeatureReport> relay_reports(const OutputProfile& profile, const ControllerOutputs& outputs);
Result<RelayState> decode_relay_state(std::span<const std::uint8_t> answer);
// Whether the relay board is in the state `outputs` needs (only the lock relay counts).
bool relay_shows(const OutputProfile& profile, const RelayState& state, const ControllerOutputs& outputs);
bool relay_locked(const OutputProfile& profile, const RelayState& state);

// --- Delcom USB HID visual indicator (Gen 2) ----------------------------------------------------
// Write: feature report 101 (the "major command"), 8 bytes [101, minor, LSB, MSB, 0…]; minor 12
// sets or resets port-1 pins individually (LSB: pins reset = LED on, MSB: pins set = LED off; reset
// wins). Read: GET feature report 100 answers port 0, port 1, clock enable, port 2 (8 bytes);
// report 10 answers the serial (uint32 LE), firmware version, day, month, year − 2000.
constexpr std::uint8_t k_delcom_write_report = 101;
constexpr std::uint8_t k_delcom_read_ports_report = 100;
constexpr std::uint8_t k_delcom_read_firmware_report = 10;
constexpr std::uint8_t k_delcom_minor_set_reset_port1 = 12;
constexpr std::size_t k_delcom_report_size = 8;

struct DelcomFirmware {
  std::uint32_t serial = 0;
  int version = 0;
  int year = 0, month = 0, day = 0;
};
std::vector<FeatureReport> delcom_reports(const OutputProfile& profile, const ControllerOutputs& outputs);
Result<std::uint8_t> decode_delcom_port1(std::span<const std::uint8_t> answer);
Result<DelcomFirmware> decode_delcom_firmware(std::span<const std::uint8_t> answer);
// The colour port 1 shows (off when no LED is on; red when more than one is, which no state asks).
Result<LightColour> delcom_colour(const OutputProfile& profile, std::uint8_t port1);

// The USB HID output driver: hotplug for the profile's VID:PID, the HID interface claimed, the
// station's outputs written as the profile's feature reports and read back; re-asserted when the
// device returns and whenever a read-back differs (a board that reset itself). Unplugged or not
// answering: offline (the station treats a required output as a device offline: red, locked).
Result<std::unique_ptr<Controller>> start_hid_output_controller(OutputProfile profile, ControllerOptions options);

} // namespace pickverify::fw
