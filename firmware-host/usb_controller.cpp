// The station controller over USB, one client of the process's USB hub (src/scanners/usb_hub.hpp:
// the libusb context, event thread and hotplug path the scanners and the scales share). The hub's
// event thread owns the device: when the hub hands it over (arrived) the client opens it, arms the
// watchdog, re-asserts the station's outputs and keeps an interrupt-IN transfer waiting for input
// events (on_transfer); on_timer() sends a heartbeat every third of the watchdog timeout, retries
// what failed and answers questions. Other threads only post wishes (set_outputs) and questions
// (read_inputs, info) and wake the hub; nothing busy-polls (the thread sleeps in libusb until the
// next heartbeat, a transfer or a wake-up).
#include <pickverify/controller.hpp>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>

#include <fmt/format.h>
#include <libusb.h>

#include <pickverify/expected.hpp>
#include <pickverify/usb_protocol.hpp>

#include "controller_callbacks.hpp"
#include "controller_link.hpp"
#include "protocol.hpp"
#include "usb_device.hpp"
#include "usb_hub.hpp"

namespace pickverify {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using scanners::bus_path_of;
using scanners::usb_error;

constexpr auto k_control_timeout = 500ms;     // one command's round trip on a healthy device takes < 1 ms
constexpr auto k_retry_interval = 100ms;      // after a failed or malformed answer
constexpr auto k_open_retry_interval = 200ms; // udev may not have applied permissions yet
constexpr int k_open_attempts = 8;
constexpr auto k_question_timeout = 2s; // read_inputs() / info() wait this long for the event thread
constexpr int k_max_event_errors = 8;

struct OpenDevice {
  libusb_device* device = nullptr;
  libusb_device_handle* handle = nullptr;
  int interface = -1;
  bool claimed = false;
  std::uint8_t event_endpoint = fw::k_event_endpoint;
  std::string id;
  ControllerInfo info;
  libusb_transfer* event_transfer = nullptr;
  std::array<unsigned char, 64> event_buffer{};
  bool event_in_flight = false;
  bool gone = false; // a transfer said NO_DEVICE: close on the next loop
  int event_errors = 0;
  std::optional<fw::ControllerLink> link;
};

class UsbController final : public Controller, scanners::UsbClient {
public:
  explicit UsbController(ControllerOptions options) : m_options(std::move(options)) {}
  ~UsbController() override { stop(); }

  Result<void> init()
  {
    const auto timeout = m_options.watchdog_timeout.count();
    if (timeout < fw::k_watchdog_min_ms || timeout > fw::k_watchdog_max_ms)
      return make_error(ErrorType::invalid_input, fmt::format("controller: watchdog timeout {} ms is outside {}..{} ms",
                                                              timeout, fw::k_watchdog_min_ms, fw::k_watchdog_max_ms));
    // Without hotplug (some containers), the hub rescans the bus instead.
    auto hub = scanners::UsbHub::acquire();
    if (!hub)
      return tl::unexpected(hub.error().with_context("controller"));
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
    return ask<ControllerInputs>([](fw::ControllerLink& link, const OpenDevice&) { return link.get_inputs(); });
  }

  Result<ControllerInfo> info() override
  {
    return ask<ControllerInfo>(
        [](fw::ControllerLink&, const OpenDevice& device) -> Result<ControllerInfo> { return device.info; });
  }

  std::string describe() const override
  {
    std::lock_guard lock(m_mutex);
    return m_online ? fmt::format("controller: {}", pickverify::describe(m_info))
                    : fmt::format("controller: USB {:04x}:{:04x}, not connected (the gate stays locked)",
                                  fw::k_usb_vendor, fw::k_usb_product);
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
  using Question = std::function<void(fw::ControllerLink*, const OpenDevice*)>;

  template <typename T> Result<T> ask(std::function<Result<T>(fw::ControllerLink&, const OpenDevice&)> what)
  {
    auto promise = std::make_shared<std::promise<Result<T>>>();
    auto future = promise->get_future();
    {
      std::lock_guard lock(m_mutex);
      if (!m_online)
        return make_error(ErrorType::device_offline, "controller: not connected");
      m_questions.push_back([promise, what](fw::ControllerLink* link, const OpenDevice* device) {
        if (!link)
          promise->set_value(make_error(ErrorType::device_offline, "controller: not connected"));
        else
          promise->set_value(what(*link, *device));
      });
    }
    wake();
    if (future.wait_for(k_question_timeout) != std::future_status::ready)
      return make_error(ErrorType::io, "controller: no answer from the event thread");
    return future.get();
  }

  void wake()
  {
    if (m_hub)
      m_hub->wake();
  }

  static void LIBUSB_CALL on_event_transfer(libusb_transfer* transfer)
  {
    auto* controller = static_cast<UsbController*>(transfer->user_data);
    controller->event_done(*transfer);
  }

  // --- the hub's client: event thread ------------------------------------------------------------

  bool matches(const libusb_device_descriptor& d) const override
  {
    return d.idVendor == fw::k_usb_vendor && d.idProduct == fw::k_usb_product;
  }

  void arrived(libusb_device* device) override { m_pending.add(device, Clock::now()); }

  void left(libusb_device* device) override
  {
    if (m_device && m_device->device == device)
      close_device("unplugged");
    m_pending.remove(device);
  }

  std::optional<Clock::time_point> deadline() const override
  {
    // Devices waiting while one is open are tried when it goes (left), not on a timer.
    if (m_device)
      return std::min(m_next_heartbeat, m_next_retry);
    return m_pending.deadline();
  }

  void on_timer(Clock::time_point now) override
  {
    using Outcome = scanners::PendingOpens::Outcome;
    if (!m_device)
      m_pending.run_due(now, k_open_attempts, k_open_retry_interval, [this](libusb_device* device, bool last) {
        if (m_device)
          return Outcome::later; // one controller at a time: the next when this one goes
        std::string why;
        const bool done = open_device(device, why);
        if ((done || last) && !why.empty())
          notify(ControllerState::offline, why);
        return done ? Outcome::done : Outcome::retry;
      });
    if (m_device && m_device->gone)
      close_device("unplugged");
    if (m_device)
      service_device();
    answer_questions();
  }

  void shutdown() override
  {
    if (m_device)
      close_device("released (pickverify stopped): the device's watchdog locks the gate");
    m_pending.clear();
    answer_questions(); // whoever still asks hears "not connected"
  }

  // True when done with the device (opened, or refused for good); false to retry later.
  bool open_device(libusb_device* device, std::string& why)
  {
    const std::string id = scanners::device_id_of(bus_path_of(device), UsbId{fw::k_usb_vendor, fw::k_usb_product});
    int interface = -1;
    std::uint8_t endpoint = 0;
    int protocol = -1;
    {
      libusb_config_descriptor* config = nullptr;
      if (int r = libusb_get_active_config_descriptor(device, &config); r != 0) {
        why = fmt::format("controller {}: cannot read its configuration: {}", id, usb_error(r));
        return false;
      }
      for (int i = 0; i < config->bNumInterfaces && interface < 0; ++i) {
        if (config->interface[i].num_altsetting < 1)
          continue;
        const auto& alt = config->interface[i].altsetting[0];
        if (alt.bInterfaceClass != fw::k_interface_class || alt.bInterfaceSubClass != fw::k_interface_subclass)
          continue;
        interface = alt.bInterfaceNumber;
        protocol = alt.bInterfaceProtocol;
        for (int e = 0; e < alt.bNumEndpoints; ++e)
          if ((alt.endpoint[e].bEndpointAddress & LIBUSB_ENDPOINT_IN) &&
              (alt.endpoint[e].bmAttributes & usb::k_endpoint_transfer_type_mask) == LIBUSB_TRANSFER_TYPE_INTERRUPT)
            endpoint = alt.endpoint[e].bEndpointAddress;
      }
      libusb_free_config_descriptor(config);
    }
    if (interface < 0 || endpoint == 0) {
      why = fmt::format("controller {}: no station-controller interface (class ff, subclass {:02x}, interrupt IN)", id,
                        fw::k_interface_subclass);
      return true;
    }
    if (protocol != fw::k_protocol_major) {
      why = fmt::format("controller {}: its interface speaks protocol {}, this host speaks {}: update the firmware or "
                        "pickverify",
                        id, protocol, fw::k_protocol_major);
      return true;
    }

    auto open = std::make_unique<OpenDevice>();
    open->id = id;
    open->interface = interface;
    open->event_endpoint = endpoint;
    if (int r = libusb_open(device, &open->handle); r != 0) {
      why = fmt::format("controller {}: cannot open: {}{}", id, usb_error(r),
                        r == LIBUSB_ERROR_ACCESS ? " (install the udev rules: pickverify devices udev-rules)" : "");
      return r != LIBUSB_ERROR_ACCESS && r != LIBUSB_ERROR_BUSY;
    }
    open->device = libusb_ref_device(device);
    libusb_set_auto_detach_kernel_driver(open->handle, 1);
    if (int r = libusb_claim_interface(open->handle, interface); r != 0) {
      why = fmt::format("controller {}: cannot claim interface {}: {}", id, interface, usb_error(r));
      release(*open);
      return r != LIBUSB_ERROR_BUSY;
    }
    open->claimed = true;
    libusb_device_handle* handle = open->handle;
    open->link.emplace([handle](std::uint8_t request, std::uint16_t value, std::uint16_t index,
                                std::uint16_t length) -> Result<std::vector<std::uint8_t>> {
      std::vector<std::uint8_t> buffer(length);
      const int n = libusb_control_transfer(handle, fw::k_request_type_in, request, value, index, buffer.data(), length,
                                            static_cast<unsigned>(k_control_timeout.count()));
      if (n == LIBUSB_ERROR_NO_DEVICE)
        return make_error(ErrorType::device_offline, "unplugged");
      if (n == LIBUSB_ERROR_TIMEOUT)
        return make_error(ErrorType::io, fmt::format("no answer within {} ms", k_control_timeout.count()));
      if (n == LIBUSB_ERROR_PIPE)
        return make_error(ErrorType::io, "the device stalled the request");
      if (n < 0)
        return make_error(ErrorType::io, usb_error(n));
      buffer.resize(static_cast<std::size_t>(n));
      return buffer;
    });

    auto info = open->link->get_info();
    if (!info) {
      why = fmt::format("controller {}: {}", id, info.error().message);
      release(*open);
      return info.error().type == ErrorType::unsupported; // a retry will not change the firmware
    }
    info->device_id = id;
    if (!m_options.serial.empty() && info->serial != m_options.serial) {
      why =
          fmt::format("controller {}: serial {} is not the configured {}, ignored", id, info->serial, m_options.serial);
      release(*open);
      return true;
    }
    open->info = *info;
    if (auto beat = open->link->heartbeat(m_options.watchdog_timeout); !beat) {
      why = fmt::format("controller {}: {}", id, beat.error().message);
      release(*open);
      return false;
    }

    open->event_transfer = libusb_alloc_transfer(0);
    libusb_fill_interrupt_transfer(open->event_transfer, open->handle, open->event_endpoint, open->event_buffer.data(),
                                   static_cast<int>(open->event_buffer.size()), &UsbController::on_event_transfer, this,
                                   0);
    if (int r = libusb_submit_transfer(open->event_transfer); r != 0) {
      why = fmt::format("controller {}: cannot wait for input events: {}", id, usb_error(r));
      release(*open);
      return false;
    }
    open->event_in_flight = true;
    m_device = std::move(open);
    m_next_heartbeat = Clock::now() + m_options.watchdog_timeout / 3;
    m_next_retry = Clock::time_point::max();
    {
      std::lock_guard lock(m_mutex);
      m_info = m_device->info;
      m_dirty = true; // re-assert the station's outputs now
    }
    const auto reasserted = send_outputs();
    go_online(true, fmt::format("{}; {}", pickverify::describe(m_device->info),
                                reasserted ? "outputs re-asserted: " + pickverify::describe(*reasserted)
                                           : std::string("outputs not yet confirmed, retrying")));
    return true;
  }

  // Sends the wanted outputs if they changed. Returns what the device confirmed.
  std::optional<ControllerOutputs> send_outputs()
  {
    ControllerOutputs wanted;
    {
      std::lock_guard lock(m_mutex);
      if (!m_dirty)
        return std::nullopt;
      wanted = m_wanted;
      m_dirty = false;
    }
    auto sent = m_device->link->set_outputs(wanted);
    if (!sent) {
      std::lock_guard lock(m_mutex);
      m_dirty = true;
      m_next_retry = Clock::now() + k_retry_interval;
    } else {
      std::lock_guard lock(m_mutex);
      // A one-shot tone is sounded once; a reconnect re-asserts the rest, not the beep.
      if (m_wanted == wanted && wanted.buzzer != BuzzerPattern::alarm)
        m_wanted.buzzer = BuzzerPattern::silent;
    }
    if (!sent) {
      handle_failure(sent.error());
      return std::nullopt;
    }
    return *sent;
  }

  void handle_failure(const Error& error)
  {
    if (error.type == ErrorType::device_offline) {
      if (m_device)
        m_device->gone = true;
      return;
    }
    notify(ControllerState::online, fmt::format("controller {}: {}", m_device ? m_device->id : "", error.message));
  }

  void service_device()
  {
    const auto now = Clock::now();
    if (now >= m_next_heartbeat || m_rearm) {
      m_rearm = false;
      auto beat = m_device->link->heartbeat(m_options.watchdog_timeout);
      m_next_heartbeat = Clock::now() + (beat ? m_options.watchdog_timeout / 3 : k_retry_interval);
      if (!beat)
        handle_failure(beat.error());
      if (m_device->gone)
        return;
    }
    if (now >= m_next_retry || m_next_retry == Clock::time_point::max()) {
      m_next_retry = Clock::time_point::max();
      send_outputs();
    }
  }

  void answer_questions()
  {
    std::vector<Question> questions;
    {
      std::lock_guard lock(m_mutex);
      questions.swap(m_questions);
    }
    for (auto& question : questions)
      question(m_device && !m_device->gone ? &*m_device->link : nullptr, m_device.get());
  }

  void event_done(libusb_transfer& transfer)
  {
    if (!m_device || &transfer != m_device->event_transfer)
      return;
    m_device->event_in_flight = false;
    switch (transfer.status) {
    case LIBUSB_TRANSFER_COMPLETED: {
      m_device->event_errors = 0;
      auto event = fw::decode_event(
          std::span<const std::uint8_t>(transfer.buffer, static_cast<std::size_t>(transfer.actual_length)));
      if (!event) {
        notify(ControllerState::online, fmt::format("controller {}: {}, ignored", m_device->id, event.error().message));
      } else {
        if (event->kind == fw::EventKind::watchdog_tripped) {
          // The device locked itself: re-arm and put the station's outputs back.
          notify(ControllerState::online,
                 fmt::format("controller {}: its watchdog tripped (no heartbeat in time): the gate locked itself; "
                             "re-arming and re-asserting the outputs",
                             m_device->id));
          m_rearm = true;
          std::lock_guard lock(m_mutex);
          m_dirty = true;
        }
        if (m_options.on_inputs)
          m_hub->post([this, inputs = event->inputs] { m_options.on_inputs(inputs); });
      }
      break;
    }
    case LIBUSB_TRANSFER_NO_DEVICE:
      m_device->gone = true;
      return;
    case LIBUSB_TRANSFER_CANCELLED:
      return;
    default:
      if (++m_device->event_errors >= k_max_event_errors) {
        m_device->gone = true;
        return;
      }
      break;
    }
    if (libusb_submit_transfer(&transfer) == 0)
      m_device->event_in_flight = true;
    else
      m_device->gone = true;
  }

  void close_device(const std::string& why)
  {
    if (!m_device)
      return;
    if (m_device->event_in_flight) {
      libusb_cancel_transfer(m_device->event_transfer);
      const auto give_up = Clock::now() + 1s;
      while (m_device->event_in_flight && Clock::now() < give_up) {
        m_hub->handle_events(10ms);
      }
    }
    const std::string id = m_device->id;
    if (m_device->event_in_flight) {
      scanners::abandon_transfer(m_device->event_transfer);
      m_device.release(); // libusb still owns the transfer: leaking beats a use-after-free
    } else
      release(*m_device);
    m_device.reset();
    go_online(false, fmt::format("controller {}: {}", id, why));
  }

  static void release(OpenDevice& open)
  {
    if (open.event_transfer) {
      libusb_free_transfer(open.event_transfer);
      open.event_transfer = nullptr;
    }
    if (open.handle) {
      if (open.claimed)
        libusb_release_interface(open.handle, open.interface);
      libusb_close(open.handle);
      open.handle = nullptr;
    }
    if (open.device) {
      libusb_unref_device(open.device);
      open.device = nullptr;
    }
  }

  // The station's callbacks run on the hub's callback thread (controller_callbacks.hpp).
  void notify(ControllerState state, const std::string& message) { fw::post_state(*m_hub, m_options, state, message); }
  void go_online(bool online, const std::string& message)
  {
    fw::post_online(*m_hub, m_options, m_online, online, message);
  }

  ControllerOptions m_options;
  std::shared_ptr<scanners::UsbHub> m_hub;
  std::atomic<bool> m_stopped{false};
  std::atomic<bool> m_online{false};

  mutable std::mutex m_mutex; // m_wanted, m_dirty, m_questions, m_info
  ControllerOutputs m_wanted;
  bool m_dirty = true;
  std::vector<Question> m_questions;
  ControllerInfo m_info;

  // Event thread only.
  std::unique_ptr<OpenDevice> m_device;
  scanners::PendingOpens m_pending;
  Clock::time_point m_next_heartbeat{};
  Clock::time_point m_next_retry = Clock::time_point::max();
  bool m_rearm = false;
};

} // namespace

Result<std::unique_ptr<Controller>> start_usb_controller(ControllerOptions options)
{
  auto controller = std::make_unique<UsbController>(std::move(options));
  PV_TRY(controller->init());
  return std::unique_ptr<Controller>(std::move(controller));
}

} // namespace pickverify
