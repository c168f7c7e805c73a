// A USB HID relay board or Delcom indicator as the station's gate lock or stack light, one client
// of the process's USB hub (src/scanners/usb_hub.hpp: the libusb context, event thread and hotplug
// path the scanners, the station controller and the scales share). The hub hands it the devices
// with the profile's VID:PID; it claims the HID interface, writes the station's outputs as the
// profile's feature reports and reads them back. It re-asserts them when the device returns, and
// on_timer() checks the read-back every second (a board that browned out comes back with its relays
// off). The hub's thread sleeps in libusb until a hotplug event, a wish from set_outputs or the next
// check.
#include <array>
#include <atomic>
#include <mutex>
#include <utility>

#include <fmt/format.h>
#include <libusb.h>

#include <pickverify/expected.hpp>
#include <pickverify/usb_protocol.hpp>

#include "controller_callbacks.hpp"
#include "hid_outputs.hpp"
#include "usb_device.hpp"
#include "usb_hub.hpp"

namespace pickverify::fw {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
constexpr auto k_control_timeout = 500ms;
constexpr auto k_check_interval = 1s;
constexpr auto k_retry_interval = 100ms;
constexpr int k_open_attempts = 8;
constexpr auto k_open_retry_interval = 200ms;

class HidOutputController final : public Controller, scanners::UsbClient {
public:
  HidOutputController(OutputProfile profile, ControllerOptions options)
      : m_profile(std::move(profile)), m_options(std::move(options))
  {
  }
  ~HidOutputController() override { stop(); }

  Result<void> init()
  {
    auto hub = scanners::UsbHub::acquire();
    if (!hub)
      return tl::unexpected(hub.error().with_context(m_profile.name));
    m_hub = std::move(*hub);
    m_hub->attach(*this);
    return {};
  }

  Result<void> set_outputs(const ControllerOutputs& outputs) override
  {
    {
      std::lock_guard lock(m_mutex);
      m_wanted = outputs;
      m_dirty = true;
    }
    wake();
    return {};
  }

  ControllerOutputs wanted_outputs() const override
  {
    std::lock_guard lock(m_mutex);
    return m_wanted;
  }

  bool online() const override { return m_online; }

  Result<ControllerInputs> read_inputs() override
  {
    std::lock_guard lock(m_mutex);
    if (!m_online)
      return make_error(ErrorType::device_offline, fmt::format("{}: not connected", m_profile.name));
    ControllerInputs inputs; // a relay board or an indicator has no inputs: what it shows
    inputs.outputs = m_shown;
    return inputs;
  }

  Result<ControllerInfo> info() override
  {
    std::lock_guard lock(m_mutex);
    if (!m_online)
      return make_error(ErrorType::device_offline, fmt::format("{}: not connected", m_profile.name));
    return m_info;
  }

  std::string describe() const override
  {
    std::lock_guard lock(m_mutex);
    if (!m_online)
      return fmt::format("{} ({}): USB {:04x}:{:04x}, not connected (the station stays locked)", m_profile.name,
                         to_string(m_profile.protocol), m_profile.vendor, m_profile.product);
    return fmt::format("{} ({}) {}: serial {}, firmware {}, shows: {}", m_profile.name, to_string(m_profile.protocol),
                       m_info.device_id, m_info.serial.empty() ? "(none)" : m_info.serial,
                       m_info.firmware_version.empty() ? "(unknown)" : m_info.firmware_version, shown_text(m_shown));
  }

  void stop() override
  {
    if (m_stopped.exchange(true))
      return;
    if (m_hub) {
      m_hub->detach(*this); // shutdown() on the event thread, then the callbacks already posted
      m_hub.reset();
    }
  }

private:
  std::string shown_text(const ControllerOutputs& o) const
  {
    if (m_profile.protocol == OutputProtocol::usb_relay)
      return o.locked ? "gate LOCKED" : "gate UNLOCKED";
    return fmt::format("light {}", to_string(o.colour));
  }

  void wake()
  {
    if (m_hub)
      m_hub->wake();
  }

  // The station's callbacks run on the hub's callback thread (controller_callbacks.hpp).
  void notify(ControllerState state, const std::string& message) { fw::post_state(*m_hub, m_options, state, message); }
  void go_online(bool online, const std::string& message)
  {
    fw::post_online(*m_hub, m_options, m_online, online, message);
  }

  // --- event thread ------------------------------------------------------------------------------

  bool matches(const libusb_device_descriptor& d) const override
  {
    return d.idVendor == m_profile.vendor && d.idProduct == m_profile.product;
  }

  void arrived(libusb_device* device) override { m_pending.add(device, Clock::now()); }

  void left(libusb_device* device) override
  {
    m_pending.remove(device);
    if (device == m_device)
      close("unplugged");
  }

  // Devices waiting while one is open are tried when it goes, not on a timer.
  std::optional<Clock::time_point> deadline() const override
  {
    if (m_handle)
      return m_next_check;
    return m_pending.deadline();
  }

  void on_timer(Clock::time_point now) override
  {
    using Outcome = scanners::PendingOpens::Outcome;
    if (!m_handle)
      m_pending.run_due(now, k_open_attempts, k_open_retry_interval, [this](libusb_device* device, bool last) {
        if (m_handle)
          return Outcome::later; // one device per profile: the next when this one goes
        return open(device, last) ? Outcome::done : Outcome::retry;
      });
    if (m_handle && !m_gone)
      service();
    if (m_gone)
      close("unplugged");
  }

  void shutdown() override
  {
    m_pending.clear();
    close("released (pickverify stopped)");
  }

  Result<std::vector<std::uint8_t>> get_feature(std::uint8_t report_id)
  {
    std::vector<std::uint8_t> buffer(8);
    const int n = libusb_control_transfer(m_handle, usb::k_request_in_class_interface, usb::k_hid_request_get_report,
                                          static_cast<std::uint16_t>(usb::k_hid_report_type_feature << 8 | report_id),
                                          static_cast<std::uint16_t>(m_interface), buffer.data(),
                                          static_cast<std::uint16_t>(buffer.size()),
                                          static_cast<unsigned>(k_control_timeout.count()));
    if (n < 0)
      return transfer_error("GET_REPORT", report_id, n);
    buffer.resize(static_cast<std::size_t>(n));
    return buffer;
  }

  Result<void> set_feature(const FeatureReport& report)
  {
    auto data = report.data;
    const int n = libusb_control_transfer(
        m_handle, usb::k_request_out_class_interface, usb::k_hid_request_set_report,
        static_cast<std::uint16_t>(usb::k_hid_report_type_feature << 8 | report.report_id),
        static_cast<std::uint16_t>(m_interface), data.data(), static_cast<std::uint16_t>(data.size()),
        static_cast<unsigned>(k_control_timeout.count()));
    if (n < 0)
      return transfer_error("SET_REPORT", report.report_id, n);
    if (n != static_cast<int>(data.size()))
      return make_error(ErrorType::io, fmt::format("SET_REPORT(Feature {}): the device took {} of {} bytes",
                                                   report.report_id, n, data.size()));
    return {};
  }

  tl::unexpected<Error> transfer_error(std::string_view what, std::uint8_t report_id, int code)
  {
    if (code == LIBUSB_ERROR_NO_DEVICE) {
      m_gone = true;
      return make_error(ErrorType::device_offline, "unplugged");
    }
    return make_error(ErrorType::io, fmt::format("{}(Feature {}): {}{}", what, report_id, libusb_error_name(code),
                                                 code == LIBUSB_ERROR_PIPE ? " (the device stalled it)" : ""));
  }

  // What the device shows now, as station outputs (only the part it drives is meaningful).
  Result<ControllerOutputs> read_back()
  {
    ControllerOutputs shown;
    if (m_profile.protocol == OutputProtocol::usb_relay) {
      PV_TRY_ASSIGN(auto answer, get_feature(k_relay_report_id));
      PV_TRY_ASSIGN(auto state, decode_relay_state(answer));
      shown.locked = relay_locked(m_profile, state);
      return shown;
    }
    PV_TRY_ASSIGN(auto answer, get_feature(k_delcom_read_ports_report));
    PV_TRY_ASSIGN(auto port1, decode_delcom_port1(answer));
    PV_TRY_ASSIGN(auto colour, delcom_colour(m_profile, port1));
    shown.colour = colour;
    return shown;
  }

  bool shows(const ControllerOutputs& shown, const ControllerOutputs& wanted) const
  {
    return m_profile.protocol == OutputProtocol::usb_relay ? shown.locked == wanted.locked
                                                           : shown.colour == wanted.colour;
  }

  // Writes the wanted outputs if needed and confirms them by reading back.
  void service()
  {
    const auto now = Clock::now();
    ControllerOutputs wanted;
    bool dirty = false;
    {
      std::lock_guard lock(m_mutex);
      wanted = m_wanted;
      dirty = m_dirty;
    }
    if (!dirty && now < m_next_check)
      return;
    m_next_check = now + k_check_interval;
    if (!dirty) { // the periodic check: does the device still show what it should?
      auto shown = read_back();
      if (!shown) {
        if (!m_gone)
          fail(shown.error().message);
        return;
      }
      if (shows(*shown, wanted)) {
        std::lock_guard lock(m_mutex);
        m_shown = *shown;
        return;
      }
      notify(ControllerState::online, fmt::format("{} {}: shows {}, expected {}: re-asserting", m_profile.name,
                                                  m_info.device_id, shown_text(*shown), shown_text(wanted)));
    }
    const auto reports = m_profile.protocol == OutputProtocol::usb_relay ? relay_reports(m_profile, wanted)
                                                                         : delcom_reports(m_profile, wanted);
    for (const auto& report : reports)
      if (auto sent = set_feature(report); !sent) {
        if (!m_gone)
          fail(sent.error().message);
        return;
      }
    auto shown = read_back();
    if (!shown) {
      if (!m_gone)
        fail(shown.error().message);
      return;
    }
    if (!shows(*shown, wanted)) {
      fail(fmt::format("after the write it shows {}, expected {}", shown_text(*shown), shown_text(wanted)));
      return;
    }
    std::lock_guard lock(m_mutex);
    m_shown = *shown;
    if (m_wanted == wanted)
      m_dirty = false;
  }

  void fail(const std::string& message)
  {
    {
      std::lock_guard lock(m_mutex);
      m_dirty = true;
    }
    m_next_check = Clock::now() + k_retry_interval;
    notify(ControllerState::online, fmt::format("{} {}: {}; retrying", m_profile.name, m_info.device_id, message));
  }

  std::string string_descriptor(libusb_device_handle* handle, std::uint8_t index)
  {
    if (index == 0)
      return {};
    unsigned char text[128] = {};
    const int n = libusb_get_string_descriptor_ascii(handle, index, text, sizeof text);
    return n > 0 ? std::string(reinterpret_cast<char*>(text), static_cast<std::size_t>(n)) : std::string();
  }

  // True when done with the device (claimed, or refused for good); false to try again shortly.
  bool open(libusb_device* device, bool last_attempt)
  {
    const std::string id =
        scanners::device_id_of(scanners::bus_path_of(device), UsbId{m_profile.vendor, m_profile.product});
    int interface = -1;
    std::uint8_t endpoint = 0;
    libusb_config_descriptor* config = nullptr;
    if (libusb_get_active_config_descriptor(device, &config) == 0) {
      for (int i = 0; i < config->bNumInterfaces && interface < 0; ++i) {
        if (config->interface[i].num_altsetting < 1)
          continue;
        const auto& alt = config->interface[i].altsetting[0];
        if (alt.bInterfaceClass != usb::k_class_hid)
          continue;
        interface = alt.bInterfaceNumber;
        for (int e = 0; e < alt.bNumEndpoints; ++e)
          if ((alt.endpoint[e].bEndpointAddress & LIBUSB_ENDPOINT_IN) &&
              (alt.endpoint[e].bmAttributes & usb::k_endpoint_transfer_type_mask) == LIBUSB_TRANSFER_TYPE_INTERRUPT)
            endpoint = alt.endpoint[e].bEndpointAddress;
      }
      libusb_free_config_descriptor(config);
    }
    if (interface < 0) {
      notify(ControllerState::offline, fmt::format("{} {}: no HID interface", m_profile.name, id));
      return true;
    }
    libusb_device_descriptor descriptor{};
    libusb_get_device_descriptor(device, &descriptor);
    libusb_device_handle* handle = nullptr;
    if (const int r = libusb_open(device, &handle); r != 0) {
      if (r == LIBUSB_ERROR_ACCESS && !last_attempt)
        return false; // udev may not have applied the permissions yet
      notify(ControllerState::offline, fmt::format("{} {}: cannot open: {}{}", m_profile.name, id, libusb_error_name(r),
                                                   r == LIBUSB_ERROR_ACCESS ? " (install the udev rules)" : ""));
      return true;
    }
    if (!m_profile.product_prefix.empty()) {
      const auto product = string_descriptor(handle, descriptor.iProduct);
      if (product.rfind(m_profile.product_prefix, 0) != 0) {
        // 16c0:05df is V-USB's shared id: another hobby device is not our relay board.
        notify(ControllerState::offline, fmt::format("{} {}: product \"{}\" is not \"{}…\", ignored", m_profile.name,
                                                     id, product, m_profile.product_prefix));
        libusb_close(handle);
        return true;
      }
    }
    libusb_set_auto_detach_kernel_driver(handle, 1);
    if (int c = libusb_claim_interface(handle, interface); c != 0) {
      notify(ControllerState::offline,
             fmt::format("{} {}: cannot claim interface {}: {}", m_profile.name, id, interface, libusb_error_name(c)));
      libusb_close(handle);
      return true;
    }
    m_handle = handle;
    m_device = libusb_ref_device(device);
    m_interface = interface;
    m_gone = false;
    // Both devices have an interrupt-IN endpoint they never report on. One transfer waits on it: it
    // is how an unplug reaches this thread at once (it ends with NO_DEVICE), as for the scales.
    if (endpoint != 0) {
      m_transfer = libusb_alloc_transfer(0);
      libusb_fill_interrupt_transfer(m_transfer, m_handle, endpoint, m_buffer.data(), static_cast<int>(m_buffer.size()),
                                     &HidOutputController::on_transfer, this, 0);
      m_in_flight = libusb_submit_transfer(m_transfer) == 0;
    }

    ControllerInfo info;
    info.device_id = id;
    if (m_profile.protocol == OutputProtocol::usb_relay) {
      auto answer = get_feature(k_relay_report_id);
      auto state = answer ? decode_relay_state(*answer) : tl::unexpected(answer.error());
      if (!state) {
        notify(ControllerState::offline, fmt::format("{} {}: {}", m_profile.name, id, state.error().message));
        close_quietly();
        return true;
      }
      info.serial = state->serial;
    } else {
      auto answer = get_feature(k_delcom_read_firmware_report);
      auto fw = answer ? decode_delcom_firmware(*answer) : tl::unexpected(answer.error());
      if (!fw) {
        notify(ControllerState::offline, fmt::format("{} {}: {}", m_profile.name, id, fw.error().message));
        close_quietly();
        return true;
      }
      info.serial = std::to_string(fw->serial);
      info.firmware_version = fmt::format("{} ({}-{:02}-{:02})", fw->version, fw->year, fw->month, fw->day);
    }
    if (!m_options.serial.empty() && info.serial != m_options.serial) {
      notify(ControllerState::offline, fmt::format("{} {}: serial {} is not the configured {}, ignored", m_profile.name,
                                                   id, info.serial, m_options.serial));
      close_quietly();
      return true;
    }
    {
      std::lock_guard lock(m_mutex);
      m_info = info;
      m_dirty = true; // re-assert the station's outputs now
    }
    service();
    if (!m_handle || m_gone)
      return true;
    m_reported_online = true;
    go_online(true, fmt::format("{} {}: serial {}; outputs re-asserted: {}", m_profile.name, id, info.serial,
                                describe_now()));
    return true;
  }

  std::string describe_now()
  {
    std::lock_guard lock(m_mutex);
    return shown_text(m_shown);
  }

  static void LIBUSB_CALL on_transfer(libusb_transfer* transfer)
  {
    auto* c = static_cast<HidOutputController*>(transfer->user_data);
    c->m_in_flight = false;
    if (transfer->status == LIBUSB_TRANSFER_CANCELLED)
      return;
    if (transfer->status == LIBUSB_TRANSFER_NO_DEVICE || libusb_submit_transfer(transfer) != 0) {
      c->m_gone = true;
      return;
    }
    c->m_in_flight = true;
  }

  void close_quietly()
  {
    if (m_transfer) {
      if (m_in_flight) {
        libusb_cancel_transfer(m_transfer);
        const auto give_up = Clock::now() + 1s;
        while (m_in_flight && Clock::now() < give_up) {
          m_hub->handle_events(10ms);
        }
      }
      if (!m_in_flight)
        libusb_free_transfer(m_transfer);
      else
        scanners::abandon_transfer(m_transfer); // libusb still owns it: leaking beats a use-after-free
      m_transfer = nullptr;
      m_in_flight = false;
    }
    libusb_release_interface(m_handle, m_interface);
    libusb_close(m_handle);
    m_handle = nullptr;
    libusb_unref_device(m_device);
    m_device = nullptr;
  }

  void close(const std::string& why)
  {
    if (!m_handle)
      return;
    close_quietly();
    const bool was_online = std::exchange(m_reported_online, false);
    std::string id;
    {
      std::lock_guard lock(m_mutex);
      id = m_info.device_id;
      m_dirty = true;
    }
    if (was_online)
      go_online(false, fmt::format("{} {}: {}", m_profile.name, id, why));
  }

  OutputProfile m_profile;
  ControllerOptions m_options;
  std::shared_ptr<scanners::UsbHub> m_hub;
  std::atomic<bool> m_stopped{false};
  std::atomic<bool> m_online{false};

  mutable std::mutex m_mutex; // m_wanted, m_dirty, m_shown, m_info
  ControllerOutputs m_wanted;
  bool m_dirty = true;
  ControllerOutputs m_shown;
  ControllerInfo m_info;

  // Event thread only.
  scanners::PendingOpens m_pending;
  bool m_reported_online = false; // the last go_online() said online
  libusb_device* m_device = nullptr;
  libusb_device_handle* m_handle = nullptr;
  int m_interface = -1;
  bool m_gone = false;
  libusb_transfer* m_transfer = nullptr;
  bool m_in_flight = false;
  std::array<unsigned char, 64> m_buffer{};
  Clock::time_point m_next_check{};
};

} // namespace

Result<std::unique_ptr<Controller>> start_hid_output_controller(OutputProfile profile, ControllerOptions options)
{
  auto controller = std::make_unique<HidOutputController>(std::move(profile), std::move(options));
  PV_TRY(controller->init());
  return std::unique_ptr<Controller>(std::move(controller));
}

} // namespace pickverify::fw
