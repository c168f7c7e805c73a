// The station controller as an emulated USB device: the firmware model (firmware-host) answers the
// vendor control requests that the real libusb driver sends through umockdev, and a ticker runs
// the firmware's main loop (watchdog) and sends its interrupt-IN events.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include "firmware_model.hpp"
#include "usb_emulator.hpp"

namespace pickverify::test {

class EmulatedController {
public:
  explicit EmulatedController(UsbEmulator& usb, int port = 3) : m_usb(usb), m_port(port)
  {
    m_ticker = std::thread([this] {
      while (!m_stop) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        std::lock_guard lock(m_mutex);
        if (m_plugged)
          if (auto event = m_model->tick(fw::FirmwareModel::Clock::now()))
            m_usb.send(m_key, *event);
      }
    });
  }

  ~EmulatedController()
  {
    m_stop = true;
    m_ticker.join();
  }

  // Plugs the device in; `fresh` models a power cycle (the firmware boots again: locked, red).
  void plug(bool fresh = true)
  {
    std::lock_guard lock(m_mutex);
    if (fresh || !m_model)
      m_model = std::make_shared<fw::FirmwareModel>();
    EmulatedDeviceSpec spec;
    spec.port = m_port;
    spec.vendor = fw::k_usb_vendor;
    spec.product = fw::k_usb_product;
    spec.boot_keyboard = false;
    spec.packet_size = fw::k_event_size;
    spec.vendor_interface = InterfaceClass{fw::k_interface_class, fw::k_interface_subclass, fw::k_protocol_major};
    std::weak_ptr<fw::FirmwareModel> model = m_model;
    spec.on_control = [model](const ControlRequest& request) {
      auto firmware = model.lock();
      if (!firmware || request.request_type != fw::k_request_type_in)
        return ControlAnswer::stall();
      auto answer = firmware->answer(request.request, request.value, request.index, request.length);
      return answer.empty() ? ControlAnswer::stall() : ControlAnswer::reply(std::move(answer));
    };
    m_key = m_usb.plug(spec);
    m_plugged = true;
  }

  void unplug()
  {
    std::lock_guard lock(m_mutex);
    m_plugged = false;
    m_usb.unplug(m_key);
  }

  // A physical input changed: the firmware sends its event.
  void set_inputs(std::uint8_t inputs)
  {
    std::lock_guard lock(m_mutex);
    if (auto event = m_model->set_inputs(inputs, fw::FirmwareModel::Clock::now()))
      m_usb.send(m_key, *event);
  }

  // Bytes on the interrupt endpoint exactly as given (malformed events).
  void send_raw(std::vector<std::uint8_t> bytes)
  {
    std::lock_guard lock(m_mutex);
    m_usb.send(m_key, std::move(bytes));
  }

  fw::FirmwareModel& model()
  {
    std::lock_guard lock(m_mutex);
    return *m_model;
  }

private:
  UsbEmulator& m_usb;
  int m_port;
  std::mutex m_mutex;
  std::shared_ptr<fw::FirmwareModel> m_model;
  std::string m_key;
  bool m_plugged = false;
  std::atomic<bool> m_stop{false};
  std::thread m_ticker;
};

} // namespace pickverify::test
