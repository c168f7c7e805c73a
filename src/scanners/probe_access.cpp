// probe_access(): whether the service can open a USB scanner, for `devices list`.
#include <pickverify/scanner_manager.hpp>

#include <libusb.h>

#include "usb_device.hpp"

namespace pickverify {

std::string probe_access(const DeviceInfo& info)
{
  libusb_context* context = nullptr;
  if (libusb_init(&context) != 0)
    return "unknown";
  std::string state = "not found";
  libusb_device** list = nullptr;
  const ssize_t count = libusb_get_device_list(context, &list);
  for (ssize_t i = 0; i < count; ++i) {
    libusb_device_descriptor descriptor{};
    libusb_get_device_descriptor(list[i], &descriptor);
    const std::string path = scanners::bus_path_of(list[i]);
    if (path != info.bus_path || descriptor.idVendor != info.usb.vendor || descriptor.idProduct != info.usb.product)
      continue;
    libusb_device_handle* handle = nullptr;
    const int r = libusb_open(list[i], &handle);
    if (r == LIBUSB_ERROR_ACCESS) {
      state = "no access (udev rules not installed?)";
    } else if (r != 0) {
      state = std::string("cannot open: ") + libusb_error_name(r);
    } else {
      const int active = libusb_kernel_driver_active(handle, 0);
      state = active == 1 ? "attached, kernel driver bound (types into the focused window until claimed)"
                          : "attached, free to claim";
      libusb_close(handle);
    }
    break;
  }
  if (count >= 0)
    libusb_free_device_list(list, 1);
  libusb_exit(context);
  return state;
}

} // namespace pickverify
