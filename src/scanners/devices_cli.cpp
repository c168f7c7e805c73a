// `pickverify devices list` and `devices watch`: what a technician setting up a bench needs to see.
#include <pickverify/scanners.hpp>

#include <chrono>
#include <mutex>
#include <ostream>
#include <thread>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <libusb.h>

#include "scan_text.hpp"

namespace pickverify {

namespace {

// What the technician needs to know before `run`: can the service open it, and is the kernel still
// turning its scans into key presses?
std::string probe_state(const DeviceInfo& info)
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
    std::uint8_t ports[8];
    const int n = libusb_get_port_numbers(list[i], ports, 8);
    std::string path = std::to_string(libusb_get_bus_number(list[i]));
    if (n <= 0)
      path += "-d" + std::to_string(libusb_get_device_address(list[i]));
    for (int p = 0; p < n; ++p)
      path += (p == 0 ? "-" : ".") + std::to_string(ports[p]);
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

std::string now_text()
{
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%H:%M:%S}.{:03d}", fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms);
}

} // namespace

int devices_list(std::ostream& out, const std::filesystem::path& profiles_dir)
{
  auto profiles = load_profiles(profiles_dir);
  if (!profiles) {
    out << "error: " << profiles.error().message << '\n';
    return 1;
  }
  auto devices = enumerate_usb_devices(*profiles);
  if (!devices) {
    out << "error: " << devices.error().message << '\n';
    return 1;
  }
  out << fmt::format("Recognised scanners ({} profiles from {}):\n", profiles->size(), profiles_dir.string());
  int recognised = 0;
  for (const auto& device : *devices) {
    if (device.profile.empty())
      continue;
    ++recognised;
    out << fmt::format("  {:<28} {:<36} {:<13} {}\n", device.id, device.profile, to_string(*device.mode),
                       device.mode == ScannerMode::serial ? "attached (read through its /dev/ttyACM* node)"
                                                          : probe_state(device));
  }
  if (recognised == 0)
    out << "  (none)\n";
  out << "Other USB devices (no profile):\n";
  int others = 0;
  for (const auto& device : *devices) {
    if (!device.profile.empty())
      continue;
    ++others;
    out << fmt::format("  {:<28} {}\n", device.id, to_string(device.usb));
  }
  if (others == 0)
    out << "  (none)\n";
  return 0;
}

int devices_watch(std::ostream& out, const std::filesystem::path& profiles_dir, std::atomic<bool>& stop)
{
  auto profiles = load_profiles(profiles_dir);
  if (!profiles) {
    out << "error: " << profiles.error().message << '\n';
    return 1;
  }
  std::mutex out_mutex;
  ScannerManagerOptions options;
  options.profiles = std::move(*profiles);
  options.claim_unassigned = true;
  options.on_scan = [&](const ScanEvent& event) {
    std::lock_guard lock(out_mutex);
    out << fmt::format("{}  scan   {}  {}  {}\n", now_text(), event.source, event.aim.value_or("-"),
                       scanners::escape_scan_text(event.raw))
        << std::flush;
  };
  options.on_device_state = [&](const std::string& id, const std::string& profile, DeviceState state,
                                const std::string& message) {
    std::lock_guard lock(out_mutex);
    out << fmt::format("{}  {:<7}{}  {}  {}\n", now_text(), to_string(state), id, profile, message) << std::flush;
  };
  auto manager = ScannerManager::start(std::move(options));
  if (!manager) {
    out << "error: " << manager.error().message << '\n';
    return 1;
  }
  {
    std::lock_guard lock(out_mutex);
    out << "Watching scanners; scan a barcode, Ctrl+C to stop.\n" << std::flush;
  }
  while (!stop.load())
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  (*manager)->stop();
  return 0;
}

} // namespace pickverify
