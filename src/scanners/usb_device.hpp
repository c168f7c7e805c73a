// libusb helpers the scanner room's handlers and the manager share: a device's bus path and id, its HID
// interfaces, claiming one (the kernel's usbhid detached) and giving it back.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <libusb.h>

#include <pickverify/device_profile.hpp>
#include <pickverify/error.hpp>

namespace pickverify::scanners {

std::string usb_error(int code);

// "1-1.2" (bus 1, port 1, port 2), or "1-d7" (bus 1, address 7) where libusb knows no ports.
std::string bus_path_of(libusb_device* device);
// The id a scanner has in every message, state and scan: "usb:1-1.2:0c2e:0b61".
std::string device_id_of(const std::string& bus_path, UsbId usb);

struct HidInterface {
  int number = -1;
  std::uint8_t endpoint_in = 0;
  std::uint16_t packet_size = 0;
  std::uint16_t report_descriptor_length = 0;
  bool boot_keyboard = false;
};

// HID interfaces with an interrupt IN endpoint, boot keyboards first; an error when there is none.
Result<std::vector<HidInterface>> hid_interfaces(libusb_device* device);

bool has_quirk(const DeviceProfile& profile, std::string_view quirk);

// One claimed HID interface: claim() detaches the kernel driver (unless the profile's quirk says there
// is none) and claims it; release() gives it back so the scanner types into the kernel again.
class ClaimedInterface {
public:
  Result<void> claim(libusb_device_handle* handle, int number, const DeviceProfile& profile);
  void release();
  int number() const { return m_number; }

private:
  libusb_device_handle* m_handle = nullptr;
  int m_number = -1;
  bool m_kernel_driver_detached = false;
  bool m_claimed = false;
};

} // namespace pickverify::scanners
