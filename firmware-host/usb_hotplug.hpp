// What the bench's libusb drivers (the station controller, the HID output boards, the HID POS scale)
// share: their own libusb context, a hotplug callback for one VID:PID whose arrivals and departures
// queue up for the driver's event thread, waking that thread, and waiting in libusb for events.
// The driver keeps what is its own: opening, claiming, transfers and its loop.
#pragma once

#include <chrono>
#include <mutex>
#include <string_view>
#include <vector>

#include <libusb.h>

#include <pickverify/device_profile.hpp>
#include <pickverify/error.hpp>

namespace pickverify::fw {

class UsbHotplugWatch {
public:
  UsbHotplugWatch() = default;
  UsbHotplugWatch(const UsbHotplugWatch&) = delete;
  UsbHotplugWatch& operator=(const UsbHotplugWatch&) = delete;
  ~UsbHotplugWatch() { close(); }

  // libusb_init and the hotplug callback (devices already plugged in arrive first). `who` names the
  // driver in errors ("scale usb:0922:8004"). Without hotplug support: an error if `need_hotplug`, else
  // the driver finds devices itself (has_hotplug() false) and queues them with queue().
  Result<void> open(UsbId id, std::string_view who, bool need_hotplug = true);
  // After the event thread has ended: the callback goes, queued devices are unreferenced, libusb_exit.
  void close();

  libusb_context* context() const { return m_context; }
  bool has_hotplug() const { return m_has_hotplug; }

  // Event thread: the devices that arrived and left since the last call, one reference each for the
  // caller to drop (libusb_unref_device).
  void take(std::vector<libusb_device*>& arrived, std::vector<libusb_device*>& left);
  // A driver that polls instead of hotplug queues what it found (adding a reference to each).
  void queue(libusb_device* device, bool arrived);
  // Any thread: makes the event thread's wait return now.
  void wake();
  // Event thread: libusb events for at most `wait`.
  void handle_events(std::chrono::milliseconds wait);

private:
  static int LIBUSB_CALL on_hotplug(libusb_context*, libusb_device* device, libusb_hotplug_event event, void* self);

  libusb_context* m_context = nullptr;
  libusb_hotplug_callback_handle m_hotplug = 0;
  bool m_has_hotplug = false;
  std::mutex m_mutex; // the queues, filled by libusb's hotplug callback
  std::vector<libusb_device*> m_arrived;
  std::vector<libusb_device*> m_left;
};

} // namespace pickverify::fw
