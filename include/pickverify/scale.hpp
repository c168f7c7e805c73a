// Check-weighing scales: USB HID POS scales (usage page 0x8D, the 6-byte scale data report) over
// libusb, and serial scales speaking Mettler Toledo MT-SICS (SI / S) over a tty. Only a stable
// reading is a weight: motion, overload, under-zero and faults are states, never readings.
// No libusb or termios type appears here.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <pickverify/device_profile.hpp>
#include <pickverify/error.hpp>
#include <pickverify/weight.hpp>

namespace pickverify {

enum class ScaleStatus { stable, zero, in_motion, under_zero, overload, fault, needs_calibration, needs_rezero };

std::string_view to_string(ScaleStatus status);

struct ScaleReading {
  ScaleStatus status = ScaleStatus::fault;
  std::optional<Weight> weight; // set for stable and zero only
  std::chrono::steady_clock::time_point at{};
  // A weight the station may use: stable (or stable at zero).
  bool usable() const { return weight.has_value(); }
};

// "stable 1,240 g (1.24 kg)", "in motion", "overload: not a reading".
std::string describe(const ScaleReading& reading);

// HID POS scale data report (HID Point of Sale Usage Tables, usage page 0x8D): report id 0x03,
// status (1 fault … 4 weight stable … 8 requires rezeroing), unit (usage − 0x50: 1 mg, 2 g, 3 kg,
// 11 oz, 12 lb), signed base-10 exponent, weight uint16 little-endian.
Result<ScaleReading> decode_hid_pos_scale_report(std::span<const std::uint8_t> report);

// One MT-SICS response line to SI or S (without CR LF): "S S      1.240 kg" → stable 1.240 kg;
// "S D ..." in motion; "S +" overload; "S -" under zero; "S I" busy; "ES"/"ET"/"EL" errors.
Result<ScaleReading> parse_mt_sics_line(std::string_view line);

enum class ScaleState { online, offline };

struct ScaleOptions {
  std::string name = "scale"; // for messages: "scale usb:1-4:0922:8003"
  // Serial scales are asked this often (MT-SICS SI); USB scales report by themselves.
  std::chrono::milliseconds poll_interval{200};
  std::chrono::milliseconds answer_timeout{500}; // serial: no answer this long → offline
  std::function<void(ScaleState, const std::string& message)> on_state;
  std::function<void(const ScaleReading&)> on_reading;
};

class Scale {
public:
  virtual ~Scale() = default;
  virtual bool online() const = 0;
  virtual std::optional<ScaleReading> latest() const = 0;
  // The scale's current stable reading (it still says stable: nothing moved since), or the first
  // one to come within `timeout`. Errors name why none
  // came: device_offline, or the scale's state ("in motion for 3 s", "overload: not a reading").
  virtual Result<Weight> wait_stable(std::chrono::milliseconds timeout) = 0;
  virtual std::string describe() const = 0;
  virtual void stop() = 0;
};

// A USB HID POS scale with this VID:PID (libusb, hotplug: offline until it arrives).
Result<std::unique_ptr<Scale>> start_hid_pos_scale(std::uint16_t vendor, std::uint16_t product, ScaleOptions options);
// A serial MT-SICS scale on `tty` (raw, 8N1 at `baud`).
Result<std::unique_ptr<Scale>> open_mt_sics_scale(const std::filesystem::path& tty, int baud, ScaleOptions options);
// A scale model from devices/scales/*.toml: a USB HID POS scale's VID:PID, or a serial MT-SICS
// scale's line speed. `--scale NAME` (USB) or `--scale NAME:TTY` (serial) opens one.
enum class ScaleProtocol { hid_pos, mt_sics };
std::string_view to_string(ScaleProtocol protocol);

struct ScaleProfile {
  std::string name;  // "dymo-m25"
  std::string model; // "DYMO M25 digital postal scale, 25 kg"
  ScaleProtocol protocol = ScaleProtocol::hid_pos;
  UsbId usb;          // hid_pos
  int baud = 9600;    // mt_sics
  std::string source; // "usb-hid-pos.toml:14"
};

// Strict: unknown keys, a hid_pos scale without 'usb', an mt_sics one with it, a baud rate the
// serial line does not offer and duplicate names are errors naming file and line.
Result<std::vector<ScaleProfile>> parse_scale_profiles(std::string_view text, std::string_view file_name);
// Every *.toml in `dir` (default: default_profiles_dir() / "scales"); no such folder: none.
Result<std::vector<ScaleProfile>> load_scale_profiles(const std::filesystem::path& dir = {});

// For the demo: a scale whose weight is set by hand ("weigh 1240" at the terminal).
class VirtualScale : public Scale {
public:
  virtual void put(const Weight& weight) = 0;
};
std::unique_ptr<VirtualScale> start_virtual_scale(ScaleOptions options);

} // namespace pickverify
