// Emulated USB HID scanners for tests: umockdev's testbed holds the sysfs/udev view and a
// UMockdevIoctlBase answers usbfs ioctls (SUBMITURB, REAPURB[NDELAY], DISCARDURB, control requests,
// kernel-driver detach/attach), so the real libusb code in src/scanners runs unchanged.
// The process must run under LD_PRELOAD=libumockdev-preload.so.0, and an emulator must exist before
// libusb_init (ScannerManager::start) so libusb sees the testbed.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pickverify::test {

// A control request as the emulated device sees it (USB 2.0 §9.3), for devices with behaviour of
// their own (the station controller's firmware model, relay boards, indicators, scales).
struct ControlRequest {
  std::uint8_t request_type = 0;
  std::uint8_t request = 0;
  std::uint16_t value = 0;
  std::uint16_t index = 0;
  std::uint16_t length = 0;
  std::vector<std::uint8_t> data_out; // the data stage of a host-to-device request
};

struct ControlAnswer {
  enum class Kind { unhandled, stall, reply };
  Kind kind = Kind::unhandled;    // unhandled: the emulator's built-in answers apply
  std::vector<std::uint8_t> data; // device-to-host data stage (cut to wLength)
  static ControlAnswer reply(std::vector<std::uint8_t> bytes) { return {Kind::reply, std::move(bytes)}; }
  static ControlAnswer stall() { return {Kind::stall, {}}; }
};

// The interface triple of a non-HID device (no HID class descriptor is emitted for it).
struct InterfaceClass {
  std::uint8_t interface_class = 0xff;
  std::uint8_t subclass = 0;
  std::uint8_t protocol = 0;
};

struct EmulatedDeviceSpec {
  int port = 1; // sysfs /devices/usb1/1-<port>, device number port + 1, bus path "1-<port>"
  std::uint16_t vendor = 0;
  std::uint16_t product = 0;
  std::string serial;        // empty: the device has no serial-number string
  bool boot_keyboard = true; // interface subclass 1 / protocol 1; false: plain HID (HID POS)
  std::uint16_t packet_size = 8;
  std::vector<std::uint8_t> report_descriptor;
  std::optional<InterfaceClass> vendor_interface; // set: a vendor interface instead of HID
  // Asked first for every control request; runs on umockdev's thread and may call send().
  std::function<ControlAnswer(const ControlRequest&)> on_control;
};

struct EmulatedDeviceCounters {
  int kernel_driver_detached = 0;
  int kernel_driver_attached = 0;
  int claims = 0;
  int releases = 0;
  int set_protocol_boot = 0;
  bool kernel_driver_bound = true;
  std::vector<std::vector<std::uint8_t>> output_reports;  // SET_REPORT payloads (beeps)
  std::vector<std::vector<std::uint8_t>> feature_reports; // SET_REPORT(Feature) payloads
  std::size_t reports_delivered = 0;
};

class UsbEmulator {
public:
  UsbEmulator();
  ~UsbEmulator();
  UsbEmulator(const UsbEmulator&) = delete;
  UsbEmulator& operator=(const UsbEmulator&) = delete;

  // Adds the device (udev "add" uevent); returns its key for the calls below.
  std::string plug(const EmulatedDeviceSpec& spec);
  // A CDC-ACM serial scanner: the USB device, its interface and a tty child /dev/ttyACM<n> backed by
  // a pseudo-terminal. tty_master() is the scanner's end: write scans into it.
  std::string plug_cdc_acm(int port, std::uint16_t vendor, std::uint16_t product, int tty_number = 0);
  int tty_master(const std::string& key) const;
  // The device disappears: its ioctls fail with ENODEV and udev sees "remove".
  void unplug(const std::string& key);
  // Queues an input report; it is handed to the next interrupt IN URB the host submits.
  void send(const std::string& key, std::vector<std::uint8_t> report);
  std::size_t queued(const std::string& key) const;
  EmulatedDeviceCounters counters(const std::string& key) const;

  // Polls `done` every millisecond until it holds or `timeout` passes.
  static bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds timeout);

  struct State;

private:
  std::unique_ptr<State> m_state;
};

// Reads "hex bytes" text (whitespace and # comments allowed) into bytes; throws on bad text (tests only).
std::vector<std::uint8_t> parse_hex(const std::string& text);

} // namespace pickverify::test
