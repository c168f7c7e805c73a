// A USB HID POS scale, one client of the process's USB hub (src/scanners/usb_hub.hpp: the libusb
// context, event thread and hotplug path the scanners and the controller share): the hub hands it
// the devices with its VID:PID; it claims the HID interface (the kernel's usbhid detached and given
// back on release) and keeps one interrupt-IN transfer waiting for the next scale data report
// (on_transfer). Nothing is timed but open retries: the hub's thread sleeps in libusb until a report
// or a hotplug event arrives.
#include <atomic>

#include <fmt/format.h>
#include <libusb.h>

#include <pickverify/expected.hpp>
#include <pickverify/usb_protocol.hpp>

#include "scale_base.hpp"
#include "usb_hub.hpp"

namespace pickverify {

namespace {

using namespace std::chrono_literals;
constexpr int k_open_attempts = 8;
constexpr auto k_open_retry_interval = 200ms;

class HidPosScale final : public fw::ScaleBase, scanners::UsbClient {
public:
  HidPosScale(std::uint16_t vendor, std::uint16_t product, ScaleOptions options)
      : ScaleBase(std::move(options)), m_vendor(vendor), m_product(product)
  {
  }
  ~HidPosScale() override { stop(); }

  Result<void> init()
  {
    auto hub = scanners::UsbHub::acquire();
    if (!hub)
      return tl::unexpected(hub.error().with_context(m_options.name));
    m_hub = std::move(*hub);
    m_post = [hub = m_hub.get()](std::function<void()> callback) { hub->post(std::move(callback)); };
    m_hub->attach(*this);
    return {};
  }

  std::string describe() const override
  {
    return fmt::format("{}: USB HID POS {:04x}:{:04x}", m_options.name, m_vendor, m_product);
  }

  void stop() override
  {
    if (m_stopped.exchange(true))
      return;
    if (m_hub) {
      m_hub->detach(*this);
      m_hub.reset();
    }
  }

private:
  static void LIBUSB_CALL on_transfer(libusb_transfer* transfer)
  {
    static_cast<HidPosScale*>(transfer->user_data)->transfer_done(*transfer);
  }

  // --- the hub's client: event thread ------------------------------------------------------------

  bool matches(const libusb_device_descriptor& d) const override
  {
    return d.idVendor == m_vendor && d.idProduct == m_product;
  }

  void arrived(libusb_device* device) override { m_pending.add(device, Clock::now()); }

  void left(libusb_device* device) override
  {
    m_pending.remove(device);
    if (device == m_device)
      close("unplugged");
  }

  // A second scale waiting while one is open is tried when the first goes, not on a timer.
  std::optional<Clock::time_point> deadline() const override { return m_device ? std::nullopt : m_pending.deadline(); }

  void on_timer(Clock::time_point now) override
  {
    if (m_gone)
      close("unplugged");
    if (!m_device)
      m_pending.run_due(now, k_open_attempts, k_open_retry_interval, [this](libusb_device* device, bool last) {
        if (m_device)
          return scanners::PendingOpens::Outcome::later; // one scale at a time
        return open(device, last) ? scanners::PendingOpens::Outcome::done : scanners::PendingOpens::Outcome::retry;
      });
  }

  void shutdown() override
  {
    m_pending.clear();
    close("released");
  }

  // True when done with the device (claimed, or refused for good); false to try again shortly.
  bool open(libusb_device* device, bool last_attempt)
  {
    int interface = -1;
    std::uint8_t endpoint = 0;
    std::uint16_t packet = 8;
    libusb_config_descriptor* config = nullptr;
    if (libusb_get_active_config_descriptor(device, &config) == 0) {
      for (int i = 0; i < config->bNumInterfaces && interface < 0; ++i) {
        if (config->interface[i].num_altsetting < 1)
          continue;
        const auto& alt = config->interface[i].altsetting[0];
        if (alt.bInterfaceClass != usb::k_class_hid)
          continue;
        for (int e = 0; e < alt.bNumEndpoints; ++e)
          if ((alt.endpoint[e].bEndpointAddress & LIBUSB_ENDPOINT_IN) &&
              (alt.endpoint[e].bmAttributes & usb::k_endpoint_transfer_type_mask) == LIBUSB_TRANSFER_TYPE_INTERRUPT) {
            interface = alt.bInterfaceNumber;
            endpoint = alt.endpoint[e].bEndpointAddress;
            packet = alt.endpoint[e].wMaxPacketSize;
          }
      }
      libusb_free_config_descriptor(config);
    }
    if (interface < 0) {
      report("no HID interface with an interrupt IN endpoint");
      return true;
    }
    libusb_device_handle* handle = nullptr;
    if (const int r = libusb_open(device, &handle); r != 0) {
      if (r == LIBUSB_ERROR_ACCESS && !last_attempt)
        return false; // udev may not have applied the permissions yet
      report(fmt::format("cannot open: {}", libusb_error_name(r)));
      return true;
    }
    libusb_set_auto_detach_kernel_driver(handle, 1);
    if (int c = libusb_claim_interface(handle, interface); c != 0) {
      report(fmt::format("cannot claim interface {}: {}", interface, libusb_error_name(c)));
      libusb_close(handle);
      return true;
    }
    m_handle = handle;
    m_device = libusb_ref_device(device);
    m_interface = interface;
    m_gone = false;
    m_buffer.assign(std::max<std::size_t>(packet, 64), 0);
    m_transfer = libusb_alloc_transfer(0);
    libusb_fill_interrupt_transfer(m_transfer, m_handle, endpoint, m_buffer.data(), static_cast<int>(m_buffer.size()),
                                   &HidPosScale::on_transfer, this, 0);
    if (libusb_submit_transfer(m_transfer) != 0) {
      report("cannot start reading");
      close("cannot read");
      return true;
    }
    m_in_flight = true;
    set_online(true, "connected");
    return true;
  }

  void transfer_done(libusb_transfer& transfer)
  {
    m_in_flight = false;
    if (transfer.status == LIBUSB_TRANSFER_NO_DEVICE) {
      m_gone = true;
      return;
    }
    if (transfer.status == LIBUSB_TRANSFER_CANCELLED)
      return;
    if (transfer.status == LIBUSB_TRANSFER_COMPLETED) {
      auto reading = decode_hid_pos_scale_report(
          std::span<const std::uint8_t>(transfer.buffer, static_cast<std::size_t>(transfer.actual_length)));
      if (reading)
        publish(*reading);
      else
        report(reading.error().message + ", ignored");
    }
    if (libusb_submit_transfer(&transfer) == 0)
      m_in_flight = true;
    else
      m_gone = true;
  }

  void close(const std::string& why)
  {
    if (!m_handle)
      return;
    if (m_in_flight) {
      libusb_cancel_transfer(m_transfer);
      const auto give_up = std::chrono::steady_clock::now() + 1s;
      while (m_in_flight && std::chrono::steady_clock::now() < give_up) {
        m_hub->handle_events(10ms);
      }
    }
    if (!m_in_flight)
      libusb_free_transfer(m_transfer);
    else
      scanners::abandon_transfer(m_transfer); // libusb still owns it: leaking beats a use-after-free
    m_transfer = nullptr;
    libusb_release_interface(m_handle, m_interface);
    libusb_close(m_handle);
    m_handle = nullptr;
    libusb_unref_device(m_device);
    m_device = nullptr;
    set_online(false, why);
  }

  std::uint16_t m_vendor;
  std::uint16_t m_product;
  std::shared_ptr<scanners::UsbHub> m_hub;
  std::atomic<bool> m_stopped{false};
  // Event thread only.
  scanners::PendingOpens m_pending;
  libusb_device* m_device = nullptr;
  libusb_device_handle* m_handle = nullptr;
  libusb_transfer* m_transfer = nullptr;
  std::vector<unsigned char> m_buffer;
  int m_interface = -1;
  bool m_in_flight = false;
  bool m_gone = false;
};

} // namespace

Result<std::unique_ptr<Scale>> start_hid_pos_scale(std::uint16_t vendor, std::uint16_t product, ScaleOptions options)
{
  auto scale = std::make_unique<HidPosScale>(vendor, product, std::move(options));
  PV_TRY(scale->init());
  return std::unique_ptr<Scale>(std::move(scale));
}

} // namespace pickverify
