// The pack-station controller: gate lock, stack light and buzzer, gate sensor, pack button and
// emergency stop (firmware-host/PROTOCOL.md). One interface, two implementations built the same
// way: the USB device through libusb (hotplug, reconnect, outputs re-asserted on return) and a
// virtual one that runs the firmware model in-process for the demo and for machines without the
// device. No libusb type appears here.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/device_profile.hpp>
#include <pickverify/error.hpp>
#include <pickverify/session.hpp>

namespace pickverify {

enum class LightColour { off, red, amber, green };
enum class LightPattern { steady, blink_slow, blink_fast };
// chirp and error_tone play once per command that carries them; alarm repeats until replaced.
enum class BuzzerPattern { silent, chirp, error_tone, alarm };

std::string_view to_string(LightColour colour);
std::string_view to_string(LightPattern pattern);
std::string_view to_string(BuzzerPattern pattern);

struct ControllerOutputs {
  bool locked = true; // fail closed: the default is a locked gate under a red light
  LightColour colour = LightColour::red;
  LightPattern pattern = LightPattern::steady;
  BuzzerPattern buzzer = BuzzerPattern::silent;
  friend bool operator==(const ControllerOutputs&, const ControllerOutputs&) = default;
};

// "gate LOCKED, light red steady, buzzer error_tone"
std::string describe(const ControllerOutputs& outputs);

struct ControllerInputs {
  bool gate_closed = false;
  bool pack_button = false;
  bool emergency_stop = false;
  bool watchdog_armed = false;
  bool watchdog_tripped = false; // the host was silent too long; the device locked itself
  ControllerOutputs outputs;     // what the device has in force now
  std::uint16_t event_sequence = 0;
  std::uint32_t uptime_ms = 0;
};

std::string describe(const ControllerInputs& inputs);

struct ControllerInfo {
  int protocol_major = 0;
  int protocol_minor = 0;
  std::string firmware_version; // "1.2.3"
  std::string serial;
  std::uint16_t capabilities = 0;
  std::chrono::milliseconds watchdog_min{0};
  std::chrono::milliseconds watchdog_max{0};
  std::string device_id; // "usb:1-3:1209:0001" or "virtual"
};

std::string describe(const ControllerInfo& info);

// What the gate, light and buzzer show for a station. `reply_tone_error`: the event just handled
// was refused or mismatched (sounds the error tone once). `device_offline`: a device the station
// needs is offline, which overrides everything but a released pack never wins over it.
//   blocked → red, error tone, locked;   verifying (active, complete, awaiting image check) → amber, locked;
//   released → green, unlocked;          any required device offline → red (slow blink), locked;
//   idle, packed, abandoned → light off, locked.
ControllerOutputs outputs_for(SessionState state, bool device_offline, bool reply_tone_error);

enum class ControllerState { online, offline };

struct ControllerOptions {
  // The device-side watchdog: silent longer than this, the device locks and shows red by itself.
  // The host sends a heartbeat every third of it.
  std::chrono::milliseconds watchdog_timeout{1500};
  // Only the device with this serial number ("" = the first controller found).
  std::string serial;
  // Called on the controller's thread, one at a time: keep them short.
  std::function<void(ControllerState, const std::string& message)> on_state;
  std::function<void(const ControllerInputs&)> on_inputs; // every input-change / watchdog event
};

class Controller {
public:
  virtual ~Controller() = default;

  // Remembers `outputs` as the station's wish and sends them now (or as soon as the device is
  // back: a reconnected device gets them again within a second). One-shot buzzer patterns are
  // sent once, never re-asserted. Errors only for values the device cannot show.
  virtual Result<void> set_outputs(const ControllerOutputs& outputs) = 0;
  virtual ControllerOutputs wanted_outputs() const = 0;
  virtual bool online() const = 0;
  // Asks the device (round trip). device_offline when it is not there.
  virtual Result<ControllerInputs> read_inputs() = 0;
  virtual Result<ControllerInfo> info() = 0;
  virtual std::string describe() const = 0;
  // Stops heartbeats and releases the device: its watchdog then locks the gate on its own.
  virtual void stop() = 0;
};

// The USB controller (firmware-host/protocol.hpp) through libusb with hotplug. Starts even when no
// device is plugged in yet (then offline until it arrives).
Result<std::unique_ptr<Controller>> start_usb_controller(ControllerOptions options);

// Commodity USB HID outputs instead of the station controller (profiles in devices/outputs/):
// "relay" — the gate lock on a USB HID relay board (16c0:05df "USBRelay<n>"), light and buzzer
// not shown; "delcom" — the light on a Delcom visual indicator (0fc5:b080), no lock; "relay+delcom"
// — both, online only while both are. `profiles_dir` empty: default_profiles_dir() / "outputs".
bool is_commodity_controller_kind(std::string_view kind);
Result<std::unique_ptr<Controller>> start_commodity_controller(std::string_view kind, ControllerOptions options,
                                                               const std::filesystem::path& profiles_dir = {});

// The bench's USB devices other than scanners, for the udev rules (generate_udev_rules): the station
// controller (firmware-host/protocol.hpp's VID:PID), every profile in `outputs_dir` (empty:
// default_profiles_dir() / "outputs") and the USB scales of its sibling scales/ folder (a folder
// that does not exist holds none). A profile that does not parse is an error naming it.
Result<std::vector<UdevUsbDevice>> output_udev_devices(const std::filesystem::path& outputs_dir = {});

// The firmware model in-process: the same protocol, the same watchdog, no USB. `show` receives a
// line each time the outputs in force change (the station screen prints it).
std::unique_ptr<Controller> start_virtual_controller(ControllerOptions options,
                                                     std::function<void(const std::string& line)> show = {});

} // namespace pickverify
