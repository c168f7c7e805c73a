// One handler per scanner protocol family (keyboard mode, HID POS, serial), shaped like libcamera's
// pipeline handlers or fwupd's plugins. The manager finds a device, matches its profile and its station
// assignment, and hands it to the handler family that matches; the handler claims it, turns what it
// reads into scans and gives it back. The manager keeps what is the manager's: the libusb event thread
// and the interrupt transfers, hotplug, station assignment, offline reporting. Only
// scanner_handlers.cpp knows every family; the controller and the scale can be two more.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <libusb.h>
#include <tl/expected.hpp>

#include <pickverify/device_profile.hpp>
#include <pickverify/device_state.hpp>
#include <pickverify/error.hpp>
#include <pickverify/scan_event.hpp>
#include <pickverify/scanner_manager.hpp>

namespace pickverify::scanners {

using Clock = std::chrono::steady_clock;

// Where a handler's scans and notices go: the manager, which adds the device's id and station.
// Serial handlers call it from their reader thread; the manager serialises the callbacks.
class ScanSink {
public:
  // raw, aim, source_kind and the time filled in; a scan with empty raw (a bare terminator) is dropped.
  virtual void scan(ScanEvent event) = 0;
  // A device-state change or a note about the device ("oversized report, ignored").
  virtual void notice(DeviceState state, const std::string& message) = 0;

protected:
  ~ScanSink() = default;
};

// A scan a USB handler completed, stamped now.
ScanEvent make_scan(std::string raw, std::optional<std::string> aim, SourceKind kind);

struct ClaimRequest {
  libusb_device* device = nullptr;
  libusb_device_handle* handle = nullptr; // opened by the manager; null for handlers that do not use it
  const DeviceProfile* profile = nullptr;
  std::string bus_path;
  std::string station;
};

// The interrupt-IN endpoint the manager keeps transfers on for a USB handler.
struct InterruptEndpoint {
  int interface = -1;
  std::uint8_t address = 0;
  std::uint16_t packet_size = 0;
};

struct Claimed {
  std::optional<InterruptEndpoint> endpoint; // none: the handler reads on its own (serial)
  std::string description;                   // "hid_pos interface 0", "serial /dev/ttyACM0 at 9600 baud"
};

struct ClaimFailure {
  std::string message;
  bool retry = false; // not ready yet (udev permissions, the kernel's tty): the manager tries again shortly
};

// A HID output report: SET_REPORT(output, report_id) on the interface, `bytes` with the report id first.
struct OutputReport {
  int interface = -1;
  std::uint8_t report_id = 0;
  std::vector<std::uint8_t> bytes;
};

// One claimed device of one family.
class ScannerHandler {
public:
  virtual ~ScannerHandler() = default;

  // Takes the device: picks and claims its interface and sets the protocol up (USB), or opens the tty
  // the kernel made for it and starts reading (serial).
  virtual tl::expected<Claimed, ClaimFailure> claim(const ClaimRequest& request) = 0;
  // One report from the claimed endpoint; completed scans go to the sink.
  virtual void on_report(std::span<const std::uint8_t> report, Clock::time_point now) = 0;
  // Stops reading (the device is going away): drops a scan in progress, returning its bytes.
  virtual std::size_t stop() = 0;
  // Gives the device back (the kernel driver re-attached) once nothing is in flight.
  virtual void release() = 0;

  // When on_timer() wants to run next: keyboard mode's inter-key timeout. Nothing by default.
  virtual std::optional<Clock::time_point> deadline() const { return std::nullopt; }
  virtual void on_timer(Clock::time_point /*now*/) {}
  // Whether the device can be told to beep at all, and the report that sounds `kind` if its
  // descriptor has the usage.
  virtual bool has_beeper() const { return false; }
  virtual std::optional<OutputReport> beep_report(BeepKind /*kind*/) const { return std::nullopt; }
};

// A family: what it matches and how to make a handler for one device.
struct ScannerHandlerFamily {
  std::string_view name;
  bool (*matches)(const DeviceProfile& profile);
  // Whether the manager opens the device through libusb before claim() (and may read its serial number).
  bool opens_usb_device;
  std::unique_ptr<ScannerHandler> (*create)(ScanSink& sink);
};

// Every family, in the order they are asked.
std::span<const ScannerHandlerFamily> scanner_handler_families();
const ScannerHandlerFamily* find_handler_family(const DeviceProfile& profile);

// The families' factories, defined beside each handler.
std::unique_ptr<ScannerHandler> make_keyboard_handler(ScanSink& sink);
std::unique_ptr<ScannerHandler> make_hid_pos_handler(ScanSink& sink);
std::unique_ptr<ScannerHandler> make_serial_handler(ScanSink& sink);

} // namespace pickverify::scanners
