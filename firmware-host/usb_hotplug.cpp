#include "usb_hotplug.hpp"

#include <fmt/format.h>

namespace pickverify::fw {

Result<void> UsbHotplugWatch::open(UsbId id, std::string_view who, bool need_hotplug)
{
  if (const int r = libusb_init(&m_context); r != 0) {
    m_context = nullptr;
    return make_error(ErrorType::unsupported, fmt::format("{}: libusb_init failed: {}", who, libusb_error_name(r)));
  }
  m_has_hotplug = libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) != 0;
  if (m_has_hotplug) {
    const int r = libusb_hotplug_register_callback(
        m_context,
        static_cast<libusb_hotplug_event>(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT),
        LIBUSB_HOTPLUG_ENUMERATE, id.vendor, id.product, LIBUSB_HOTPLUG_MATCH_ANY, &UsbHotplugWatch::on_hotplug, this,
        &m_hotplug);
    if (r != LIBUSB_SUCCESS) {
      m_has_hotplug = false;
      if (need_hotplug) {
        return make_error(ErrorType::unsupported,
                          fmt::format("{}: cannot watch for the device: {}", who, libusb_error_name(r)));
      }
    }
  } else if (need_hotplug) {
    return make_error(ErrorType::unsupported, fmt::format("{}: libusb has no hotplug here", who));
  }
  return {};
}

void UsbHotplugWatch::close()
{
  if (!m_context) {
    return;
  }
  if (m_has_hotplug) {
    libusb_hotplug_deregister_callback(m_context, m_hotplug);
    m_has_hotplug = false;
  }
  {
    std::lock_guard lock(m_mutex);
    for (auto* device : m_arrived) {
      libusb_unref_device(device);
    }
    for (auto* device : m_left) {
      libusb_unref_device(device);
    }
    m_arrived.clear();
    m_left.clear();
  }
  libusb_exit(m_context);
  m_context = nullptr;
}

void UsbHotplugWatch::take(std::vector<libusb_device*>& arrived, std::vector<libusb_device*>& left)
{
  std::lock_guard lock(m_mutex);
  arrived.swap(m_arrived);
  left.swap(m_left);
}

void UsbHotplugWatch::queue(libusb_device* device, bool arrived)
{
  std::lock_guard lock(m_mutex);
  (arrived ? m_arrived : m_left).push_back(libusb_ref_device(device));
}

void UsbHotplugWatch::wake()
{
  if (m_context) {
    libusb_interrupt_event_handler(m_context);
  }
}

void UsbHotplugWatch::handle_events(std::chrono::milliseconds wait)
{
  timeval tv{static_cast<long>(wait.count() / 1000), static_cast<long>((wait.count() % 1000) * 1000)};
  libusb_handle_events_timeout_completed(m_context, &tv, nullptr);
}

int LIBUSB_CALL UsbHotplugWatch::on_hotplug(libusb_context*, libusb_device* device, libusb_hotplug_event event,
                                            void* self)
{
  static_cast<UsbHotplugWatch*>(self)->queue(device, event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED);
  return 0;
}

} // namespace pickverify::fw
