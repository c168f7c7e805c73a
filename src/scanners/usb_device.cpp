#include "usb_device.hpp"

#include <algorithm>

#include <fmt/format.h>

#include <pickverify/usb_protocol.hpp>

namespace pickverify::scanners {

std::string usb_error(int code)
{
  return libusb_error_name(code);
}

std::string bus_path_of(libusb_device* device)
{
  std::uint8_t ports[8];
  const int count = libusb_get_port_numbers(device, ports, 8);
  std::string path = std::to_string(libusb_get_bus_number(device));
  if (count <= 0)
    return path + "-d" + std::to_string(libusb_get_device_address(device));
  for (int i = 0; i < count; ++i)
    path += (i == 0 ? "-" : ".") + std::to_string(ports[i]);
  return path;
}

std::string device_id_of(const std::string& bus_path, UsbId usb)
{
  return fmt::format("usb:{}:{}", bus_path, to_string(usb));
}

Result<std::vector<HidInterface>> hid_interfaces(libusb_device* device)
{
  libusb_config_descriptor* config = nullptr;
  if (int r = libusb_get_active_config_descriptor(device, &config); r != 0)
    return make_error(ErrorType::unsupported, "cannot read configuration descriptor: " + usb_error(r));
  std::vector<HidInterface> choices;
  for (int i = 0; i < config->bNumInterfaces; ++i) {
    if (config->interface[i].num_altsetting < 1)
      continue;
    const libusb_interface_descriptor& alt = config->interface[i].altsetting[0];
    if (alt.bInterfaceClass != usb::k_class_hid)
      continue;
    HidInterface choice;
    choice.number = alt.bInterfaceNumber;
    choice.boot_keyboard =
        alt.bInterfaceSubClass == usb::k_hid_subclass_boot && alt.bInterfaceProtocol == usb::k_hid_protocol_keyboard;
    // The HID class descriptor (HID 1.11 §6.2.1) tells the report descriptor's length.
    if (alt.extra_length >= 9 && alt.extra[1] == usb::k_descriptor_type_hid &&
        alt.extra[6] == usb::k_descriptor_type_report)
      choice.report_descriptor_length = static_cast<std::uint16_t>(alt.extra[7] | (alt.extra[8] << 8));
    for (int e = 0; e < alt.bNumEndpoints; ++e) {
      const auto& endpoint = alt.endpoint[e];
      if ((endpoint.bEndpointAddress & usb::k_endpoint_direction_in) &&
          (endpoint.bmAttributes & usb::k_endpoint_transfer_type_mask) == LIBUSB_TRANSFER_TYPE_INTERRUPT) {
        choice.endpoint_in = endpoint.bEndpointAddress;
        choice.packet_size = endpoint.wMaxPacketSize;
        break;
      }
    }
    if (choice.endpoint_in != 0)
      choices.push_back(choice);
  }
  libusb_free_config_descriptor(config);
  std::stable_sort(choices.begin(), choices.end(),
                   [](const auto& a, const auto& b) { return a.boot_keyboard && !b.boot_keyboard; });
  if (choices.empty())
    return make_error(ErrorType::unsupported, "no HID interface with an interrupt IN endpoint");
  return choices;
}

bool has_quirk(const DeviceProfile& profile, std::string_view quirk)
{
  return std::find(profile.quirks.begin(), profile.quirks.end(), quirk) != profile.quirks.end();
}

Result<void> ClaimedInterface::claim(libusb_device_handle* handle, int number, const DeviceProfile& profile)
{
  m_handle = handle;
  m_number = number;
  const bool no_kernel_driver = has_quirk(profile, "no_kernel_driver");
  if (!no_kernel_driver && libusb_kernel_driver_active(handle, number) == 1) {
    // The kernel's usbhid would otherwise turn the scans into key presses for whatever window has focus.
    if (int r = libusb_detach_kernel_driver(handle, number); r != 0)
      return make_error(ErrorType::io, "cannot detach the kernel driver: " + usb_error(r));
    m_kernel_driver_detached = true;
  }
  if (int r = libusb_claim_interface(handle, number); r != 0)
    return make_error(ErrorType::io, fmt::format("cannot claim interface {}: {}", number, usb_error(r)));
  m_claimed = true;
  return {};
}

void ClaimedInterface::release()
{
  if (!m_handle)
    return;
  if (m_claimed)
    libusb_release_interface(m_handle, m_number);
  if (m_kernel_driver_detached)
    libusb_attach_kernel_driver(m_handle, m_number);
  m_claimed = false;
  m_kernel_driver_detached = false;
  m_handle = nullptr;
}

} // namespace pickverify::scanners
