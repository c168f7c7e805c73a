// The scanner manager: one client of the process's USB hub (usb_hub.hpp: the one libusb context,
// event thread and hotplug path it shares with the station controller, the HID outputs and the HID
// POS scale). The hub hands it the devices that match a scanner profile and runs its on_timer()
// between calls to libusb_handle_events, which blocks in poll() until a transfer completes, a device
// comes or goes, a handler's deadline (keyboard mode's inter-key timeout) is due, or stop()
// interrupts it: no busy polling. What a device's reports mean is its handler's business
// (scanner_handler.hpp); the manager assigns devices to stations, keeps their interrupt transfers
// going and reports them offline. Its callbacks run on the hub's callback thread.
#include <pickverify/device_profile.hpp>
#include <pickverify/device_state.hpp>
#include <pickverify/expected.hpp>
#include <pickverify/scanner_manager.hpp>
#include <pickverify/usb_protocol.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>

#include <fmt/format.h>
#include <libusb.h>

#include "scanner_handler.hpp"
#include "usb_device.hpp"
#include "usb_hub.hpp"

namespace pickverify {

namespace {

using scanners::bus_path_of;
using scanners::Clock;
using scanners::device_id_of;
using scanners::usb_error;

constexpr auto k_control_timeout = std::chrono::milliseconds(1000);
// Interrupt IN transfers kept in flight per device, so a report is never waiting on a resubmit.
constexpr int k_transfers_in_flight = 2;
// After this many failed transfers in a row the device is reported offline.
constexpr int k_max_consecutive_transfer_errors = 8;
// A scanner just plugged in may not be openable yet (udev still applying permissions, the kernel's tty
// not made yet).
constexpr int k_open_attempts = 8;
constexpr auto k_open_retry_interval = std::chrono::milliseconds(200);

class ManagerImpl;

// One claimed scanner and the sink its handler delivers to. Lives on the event thread; beep() reaches
// it under the manager's mutex; a serial handler's reader thread calls the sink.
struct OpenScanner final : scanners::ScanSink {
  ManagerImpl* manager = nullptr;
  libusb_device* device = nullptr;
  libusb_device_handle* handle = nullptr;
  DeviceProfile profile;
  std::string id;
  std::string station;
  std::unique_ptr<scanners::ScannerHandler> handler;
  std::optional<scanners::InterruptEndpoint> endpoint;
  std::vector<libusb_transfer*> transfers;
  std::vector<std::vector<std::uint8_t>> buffers;
  std::atomic<int> in_flight{0};
  std::atomic<bool> online{true};
  bool closing = false;
  int consecutive_errors = 0;

  void scan(ScanEvent event) override;
  void notice(DeviceState state, const std::string& message) override;
};

struct PendingOpen {
  libusb_device* device = nullptr;
  int attempts = 0;
  Clock::time_point due{};
};

class ManagerImpl final : public ScannerManager, scanners::UsbClient {
public:
  explicit ManagerImpl(ScannerManagerOptions options) : m_options(std::move(options)) {}
  ~ManagerImpl() override { stop(); }

  Result<void> init()
  {
    auto hub = scanners::UsbHub::acquire();
    if (!hub)
      return tl::unexpected(hub.error().with_context("scanners"));
    m_hub = std::move(*hub);
    m_context = m_hub->context();
    m_hub->attach(*this);
    return {};
  }

  void stop() override
  {
    if (m_stopped.exchange(true))
      return;
    if (m_hub) {
      m_hub->detach(*this); // shutdown() on the event thread, then the callbacks already posted
      m_hub.reset();
    }
    m_context = nullptr;
  }

  std::vector<DeviceInfo> devices() const override
  {
    std::lock_guard lock(m_mutex);
    std::vector<DeviceInfo> out;
    for (const auto& [id, info] : m_devices)
      out.push_back(info);
    return out;
  }

  Result<void> beep(std::string_view device_id, BeepKind kind) override
  {
    std::lock_guard lock(m_mutex);
    OpenScanner* scanner = nullptr;
    for (auto& open : m_open)
      if (open->id == device_id && !open->closing)
        scanner = open.get();
    if (!scanner)
      return make_error(ErrorType::device_offline, fmt::format("scanner {} is not online", device_id));
    if (!scanner->handler->has_beeper() || !scanner->profile.beep)
      return make_error(ErrorType::unsupported,
                        fmt::format("scanner {} ({}) cannot be told to beep", device_id, scanner->profile.name));
    auto report = scanner->handler->beep_report(kind);
    if (!report)
      return make_error(ErrorType::unsupported,
                        fmt::format("scanner {}: its report descriptor has no {} beep", device_id,
                                    kind == BeepKind::good_read ? "good-read" : "error"));
    auto* transfer = libusb_alloc_transfer(0);
    auto* buffer = static_cast<unsigned char*>(std::malloc(LIBUSB_CONTROL_SETUP_SIZE + report->bytes.size()));
    if (!transfer || !buffer) {
      libusb_free_transfer(transfer);
      std::free(buffer);
      return make_error(ErrorType::internal, "out of memory");
    }
    libusb_fill_control_setup(buffer, usb::k_request_out_class_interface, usb::k_hid_request_set_report,
                              static_cast<std::uint16_t>((usb::k_hid_report_type_output << 8) | report->report_id),
                              static_cast<std::uint16_t>(report->interface),
                              static_cast<std::uint16_t>(report->bytes.size()));
    std::copy(report->bytes.begin(), report->bytes.end(), buffer + LIBUSB_CONTROL_SETUP_SIZE);
    libusb_fill_control_transfer(transfer, scanner->handle, buffer, &ManagerImpl::on_beep_done, scanner,
                                 static_cast<unsigned>(k_control_timeout.count()));
    transfer->flags = LIBUSB_TRANSFER_FREE_BUFFER | LIBUSB_TRANSFER_FREE_TRANSFER;
    scanner->in_flight++;
    if (int r = libusb_submit_transfer(transfer); r != 0) {
      scanner->in_flight--;
      libusb_free_transfer(transfer); // frees the buffer too (FREE_BUFFER)
      return make_error(ErrorType::io, fmt::format("scanner {}: beep: {}", device_id, usb_error(r)));
    }
    return {};
  }

  // Called by an OpenScanner's handler (event thread, or a serial reader thread).
  void deliver(OpenScanner& scanner, ScanEvent event)
  {
    if (event.raw.empty())
      return;                  // a bare terminator is not a scan
    event.source = scanner.id; // the same id the station sees in on_device_state
    event.station = scanner.station;
    emit_scan(event);
  }

  void notify(OpenScanner& scanner, DeviceState state, const std::string& message)
  {
    set_state(scanner.id, state, message);
    emit_state(scanner.id, scanner.profile.name, state, message);
  }

private:
  // --- the hub's client: event thread ------------------------------------------------------------

  bool matches(const libusb_device_descriptor& descriptor) const override
  {
    const DeviceProfile* profile = find_profile(m_options.profiles, UsbId{descriptor.idVendor, descriptor.idProduct});
    return profile && scanners::find_handler_family(*profile);
  }

  void arrived(libusb_device* device) override
  {
    m_pending_opens.push_back(PendingOpen{libusb_ref_device(device), 0, Clock::now()});
  }

  void left(libusb_device* device) override
  {
    depart(device);
    std::erase_if(m_pending_opens, [device](const PendingOpen& pending) {
      if (pending.device != device)
        return false;
      libusb_unref_device(pending.device);
      return true;
    });
  }

  std::optional<Clock::time_point> deadline() const override
  {
    std::optional<Clock::time_point> due;
    auto earlier = [&due](Clock::time_point t) { due = due ? std::min(*due, t) : t; };
    for (const auto& scanner : m_open) {
      if (scanner->closing)
        earlier(Clock::now() + std::chrono::milliseconds(10)); // finishing cancelled transfers
      else if (auto deadline = scanner->handler->deadline())
        earlier(*deadline);
    }
    for (const auto& pending : m_pending_opens)
      earlier(pending.due);
    return due;
  }

  void on_timer(Clock::time_point) override
  {
    open_pending();
    run_due_timers();
    close_finished();
  }

  static void LIBUSB_CALL on_beep_done(libusb_transfer* transfer)
  {
    static_cast<OpenScanner*>(transfer->user_data)->in_flight--;
  }

  static void LIBUSB_CALL on_transfer(libusb_transfer* transfer)
  {
    auto* scanner = static_cast<OpenScanner*>(transfer->user_data);
    scanner->in_flight--;
    scanner->manager->transfer_done(*scanner, *transfer);
  }

  void open_pending()
  {
    const auto now = Clock::now();
    std::vector<PendingOpen> still_pending;
    for (auto& pending : m_pending_opens) {
      if (pending.due > now) {
        still_pending.push_back(pending);
        continue;
      }
      if (arrive(pending)) {
        libusb_unref_device(pending.device);
      } else {
        pending.due = now + k_open_retry_interval;
        still_pending.push_back(pending);
      }
    }
    m_pending_opens.swap(still_pending);
  }

  // Returns true when done with the device (claimed, ignored or given up), false to retry.
  bool arrive(PendingOpen& pending)
  {
    libusb_device* device = pending.device;
    libusb_device_descriptor descriptor{};
    if (libusb_get_device_descriptor(device, &descriptor) != 0)
      return true;
    const UsbId usb{descriptor.idVendor, descriptor.idProduct};
    const DeviceProfile* profile = find_profile(m_options.profiles, usb);
    if (!profile)
      return true; // not a scanner we know
    const auto* family = scanners::find_handler_family(*profile);
    if (!family)
      return true;
    for (const auto& open : m_open)
      if (open->device == device && !open->closing)
        return true; // already claimed (hotplug enumeration and a rescan can both report it)
    const std::string bus_path = bus_path_of(device);
    const std::string id = device_id_of(bus_path, usb);

    // Open only what we will claim: a scanner no assignment wants is never touched. Serial-number
    // assignments need the string descriptor, which needs the device open.
    const bool needs_serial =
        family->opens_usb_device &&
        std::any_of(m_options.assignments.begin(), m_options.assignments.end(),
                    [](const auto& a) { return a.match == StationAssignment::Match::serial_number; });
    if (!needs_serial && !assign(*profile, bus_path, ""))
      return true;

    libusb_device_handle* handle = nullptr;
    std::string serial;
    if (family->opens_usb_device) {
      if (int r = libusb_open(device, &handle); r != 0) {
        const bool may_recover = (r == LIBUSB_ERROR_ACCESS || r == LIBUSB_ERROR_BUSY || r == LIBUSB_ERROR_IO);
        if (may_recover && ++pending.attempts < k_open_attempts)
          return false;
        std::string hint = r == LIBUSB_ERROR_ACCESS ? " (install devices/70-pickverify-scanners.rules and add the "
                                                      "service user to group 'pickverify')"
                                                    : "";
        record(id, bus_path, usb, "", *profile, "", DeviceState::offline, "cannot open: " + usb_error(r) + hint);
        return true;
      }
      serial = serial_number_of(handle, descriptor);
    }
    auto station = assign(*profile, bus_path, serial);
    if (!station) {
      if (handle)
        libusb_close(handle);
      return true; // recognised but neither assigned nor wanted: leave it to the kernel
    }

    auto scanner = std::make_unique<OpenScanner>();
    scanner->manager = this;
    scanner->device = libusb_ref_device(device);
    scanner->handle = handle;
    scanner->profile = *profile;
    scanner->id = id;
    scanner->station = *station;
    scanner->handler = family->create(*scanner);
    auto claimed = scanner->handler->claim(scanners::ClaimRequest{device, handle, profile, bus_path, *station});
    Result<void> reading;
    if (claimed && claimed->endpoint) {
      scanner->endpoint = claimed->endpoint;
      reading = start_reading(*scanner);
    }
    if (!claimed && claimed.error().retry && ++pending.attempts < k_open_attempts) {
      release(*scanner);
      return false;
    }
    const bool was_known = [&] {
      std::lock_guard lock(m_mutex);
      return m_devices.contains(id);
    }();
    if (!claimed || !reading) {
      record(id, bus_path, usb, serial, *profile, *station, DeviceState::offline,
             claimed ? reading.error().message : claimed.error().message);
      release(*scanner);
      return true;
    }
    const std::string message = fmt::format("{}: {}", was_known ? "back online" : "claimed", claimed->description);
    {
      std::lock_guard lock(m_mutex);
      m_open.push_back(std::move(scanner));
    }
    record(id, bus_path, usb, serial, *profile, *station, DeviceState::online, message);
    return true;
  }

  static std::string serial_number_of(libusb_device_handle* handle, const libusb_device_descriptor& descriptor)
  {
    std::string serial;
    if (descriptor.iSerialNumber != 0) {
      unsigned char text[128] = {};
      const int n = libusb_get_string_descriptor_ascii(handle, descriptor.iSerialNumber, text, sizeof(text));
      if (n > 0)
        serial.assign(reinterpret_cast<const char*>(text), static_cast<std::size_t>(n));
    }
    return serial;
  }

  std::optional<std::string> assign(const DeviceProfile& profile, const std::string& bus_path,
                                    const std::string& serial) const
  {
    for (const auto& assignment : m_options.assignments) {
      switch (assignment.match) {
      case StationAssignment::Match::any:
        return assignment.station;
      case StationAssignment::Match::profile:
        if (assignment.value == profile.name)
          return assignment.station;
        break;
      case StationAssignment::Match::bus_path:
        if (assignment.value == bus_path)
          return assignment.station;
        break;
      case StationAssignment::Match::serial_number:
        if (!serial.empty() && assignment.value == serial)
          return assignment.station;
        break;
      }
    }
    if (m_options.claim_unassigned)
      return std::string();
    return std::nullopt;
  }

  // Keeps k_transfers_in_flight interrupt-IN transfers on the endpoint the handler claimed.
  Result<void> start_reading(OpenScanner& scanner)
  {
    const std::size_t buffer_size = std::max<std::size_t>(scanner.endpoint->packet_size, 8);
    for (int i = 0; i < k_transfers_in_flight; ++i) {
      auto* transfer = libusb_alloc_transfer(0);
      if (!transfer)
        return make_error(ErrorType::internal, "out of memory");
      scanner.buffers.emplace_back(buffer_size);
      scanner.transfers.push_back(transfer);
      libusb_fill_interrupt_transfer(transfer, scanner.handle, scanner.endpoint->address, scanner.buffers.back().data(),
                                     static_cast<int>(buffer_size), &ManagerImpl::on_transfer, &scanner, 0);
      scanner.in_flight++;
      if (int r = libusb_submit_transfer(transfer); r != 0) {
        scanner.in_flight--;
        return make_error(ErrorType::io, "cannot start reading: " + usb_error(r));
      }
    }
    return {};
  }

  void transfer_done(OpenScanner& scanner, libusb_transfer& transfer)
  {
    if (scanner.closing)
      return;
    switch (transfer.status) {
    case LIBUSB_TRANSFER_COMPLETED:
      scanner.consecutive_errors = 0;
      scanner.handler->on_report(
          std::span<const std::uint8_t>(transfer.buffer, static_cast<std::size_t>(transfer.actual_length)),
          Clock::now());
      break;
    case LIBUSB_TRANSFER_NO_DEVICE:
      go_offline(scanner, "unplugged");
      return;
    case LIBUSB_TRANSFER_CANCELLED:
      return;
    case LIBUSB_TRANSFER_OVERFLOW:
      notify(scanner, DeviceState::online,
             fmt::format("oversized report: more than {} bytes, ignored", transfer.length));
      break;
    case LIBUSB_TRANSFER_STALL:
      libusb_clear_halt(scanner.handle, scanner.endpoint->address);
      [[fallthrough]];
    default:
      if (++scanner.consecutive_errors >= k_max_consecutive_transfer_errors) {
        go_offline(scanner, fmt::format("{} failed reads in a row", scanner.consecutive_errors));
        return;
      }
      break;
    }
    scanner.in_flight++;
    if (int r = libusb_submit_transfer(&transfer); r != 0) {
      scanner.in_flight--;
      go_offline(scanner, r == LIBUSB_ERROR_NO_DEVICE ? "unplugged" : "cannot read: " + usb_error(r));
    }
  }

  // Callbacks come from the event thread and from serial reader threads; they run on the hub's
  // callback thread, in order, one at a time.
  void emit_scan(const ScanEvent& event)
  {
    if (m_options.on_scan)
      m_hub->post([this, event] { m_options.on_scan(event); });
  }

  void emit_state(const std::string& id, const std::string& profile, DeviceState state, const std::string& message)
  {
    if (m_options.on_device_state)
      m_hub->post([this, id, profile, state, message] { m_options.on_device_state(id, profile, state, message); });
  }

  void set_state(const std::string& id, DeviceState state, const std::string& message)
  {
    std::lock_guard lock(m_mutex);
    auto& info = m_devices[id];
    info.state = state;
    info.message = message;
  }

  void run_due_timers()
  {
    const auto now = Clock::now();
    for (auto& scanner : m_open)
      if (!scanner->closing)
        scanner->handler->on_timer(now);
  }

  void depart(libusb_device* device)
  {
    for (auto& scanner : m_open)
      if (scanner->device == device && !scanner->closing)
        go_offline(*scanner, "unplugged");
  }

  void go_offline(OpenScanner& scanner, const std::string& why)
  {
    if (scanner.closing)
      return;
    const std::size_t dropped = scanner.handler->stop();
    {
      std::lock_guard lock(m_mutex);
      scanner.closing = true;
    }
    for (auto* transfer : scanner.transfers)
      libusb_cancel_transfer(transfer); // fails harmlessly for transfers already finished
    std::string message = why;
    if (dropped > 0)
      message += fmt::format("; a scan in progress was dropped ({} bytes), scan the item again", dropped);
    if (scanner.online.exchange(false))
      notify(scanner, DeviceState::offline, message);
  }

  void close_finished()
  {
    std::vector<std::unique_ptr<OpenScanner>> finished;
    {
      std::lock_guard lock(m_mutex);
      auto it = std::stable_partition(m_open.begin(), m_open.end(),
                                      [](const auto& s) { return !(s->closing && s->in_flight == 0); });
      std::move(it, m_open.end(), std::back_inserter(finished));
      m_open.erase(it, m_open.end());
    }
    for (auto& scanner : finished)
      release(*scanner);
  }

  // Hands the device back: the handler re-attaches the kernel driver, so the scanner works as a
  // keyboard again once we stop.
  static void release(OpenScanner& scanner)
  {
    for (auto* transfer : scanner.transfers)
      libusb_free_transfer(transfer);
    scanner.transfers.clear();
    if (scanner.handler)
      scanner.handler->release();
    if (scanner.handle) {
      libusb_close(scanner.handle);
      scanner.handle = nullptr;
    }
    if (scanner.device) {
      libusb_unref_device(scanner.device);
      scanner.device = nullptr;
    }
  }

  void shutdown() override
  {
    for (auto& scanner : m_open)
      if (!scanner->closing) {
        scanner->handler->stop();
        std::lock_guard lock(m_mutex);
        scanner->closing = true;
        for (auto* transfer : scanner->transfers)
          libusb_cancel_transfer(transfer);
      }
    const auto give_up = Clock::now() + std::chrono::seconds(2);
    while (Clock::now() < give_up) {
      bool busy = false;
      for (auto& scanner : m_open)
        busy = busy || scanner->in_flight > 0;
      if (!busy)
        break;
      timeval tv{0, 20000};
      libusb_handle_events_timeout_completed(m_context, &tv, nullptr);
    }
    std::vector<std::unique_ptr<OpenScanner>> all;
    {
      std::lock_guard lock(m_mutex);
      all.swap(m_open);
      for (auto& [id, info] : m_devices) {
        info.state = DeviceState::offline;
        info.message = "released";
      }
    }
    for (auto& scanner : all)
      if (scanner->in_flight == 0)
        release(*scanner);
      else {
        for (auto* transfer : scanner->transfers)
          scanners::abandon_transfer(transfer);
        scanner.release(); // libusb still owns a transfer: leaking beats a use-after-free
      }
    // libusb frees the event sources of closed handles on its next pass through event handling.
    timeval none{0, 0};
    libusb_handle_events_timeout_completed(m_context, &none, nullptr);
    for (auto& pending : m_pending_opens)
      libusb_unref_device(pending.device);
    m_pending_opens.clear();
  }

  void record(const std::string& id, const std::string& bus_path, UsbId usb, const std::string& serial,
              const DeviceProfile& profile, const std::string& station, DeviceState state, const std::string& message)
  {
    {
      std::lock_guard lock(m_mutex);
      DeviceInfo& info = m_devices[id];
      info.id = id;
      info.bus_path = bus_path;
      info.usb = usb;
      info.serial_number = serial;
      info.profile = profile.name;
      info.mode = profile.mode;
      info.station = station;
      info.state = state;
      info.message = message;
    }
    emit_state(id, profile.name, state, message);
  }

  ScannerManagerOptions m_options;
  std::shared_ptr<scanners::UsbHub> m_hub;
  libusb_context* m_context = nullptr;
  std::atomic<bool> m_stopped{false};

  mutable std::mutex m_mutex; // m_devices, m_open (membership), OpenScanner::closing
  std::map<std::string, DeviceInfo> m_devices;
  std::vector<std::unique_ptr<OpenScanner>> m_open;

  // Event thread only.
  std::vector<PendingOpen> m_pending_opens;
};

void OpenScanner::scan(ScanEvent event)
{
  manager->deliver(*this, std::move(event));
}

void OpenScanner::notice(DeviceState state, const std::string& message)
{
  // A serial reader reports its hang-up once; the manager may already have reported the unplug.
  if (state == DeviceState::offline && !online.exchange(false))
    return;
  manager->notify(*this, state, message);
}

} // namespace

Result<std::unique_ptr<ScannerManager>> ScannerManager::start(ScannerManagerOptions options)
{
  auto manager = std::make_unique<ManagerImpl>(std::move(options));
  PV_TRY(manager->init());
  return std::unique_ptr<ScannerManager>(std::move(manager));
}

std::string_view to_string(StationAssignment::Match match)
{
  switch (match) {
  case StationAssignment::Match::profile:
    return "profile";
  case StationAssignment::Match::bus_path:
    return "bus_path";
  case StationAssignment::Match::serial_number:
    return "serial_number";
  case StationAssignment::Match::any:
    break;
  }
  return "any";
}

std::optional<StationAssignment::Match> parse_assignment_match(std::string_view name)
{
  for (const auto match : {StationAssignment::Match::profile, StationAssignment::Match::bus_path,
                           StationAssignment::Match::serial_number, StationAssignment::Match::any}) {
    if (name == to_string(match)) {
      return match;
    }
  }
  return std::nullopt;
}

Result<std::vector<DeviceInfo>> enumerate_usb_devices(const std::vector<DeviceProfile>& profiles)
{
  libusb_context* context = nullptr;
  if (int r = libusb_init(&context); r != 0)
    return make_error(ErrorType::unsupported, "libusb_init failed: " + usb_error(r));
  libusb_device** list = nullptr;
  const ssize_t count = libusb_get_device_list(context, &list);
  if (count < 0) {
    libusb_exit(context);
    return make_error(ErrorType::io, "cannot list USB devices: " + usb_error(static_cast<int>(count)));
  }
  std::vector<DeviceInfo> out;
  for (ssize_t i = 0; i < count; ++i) {
    libusb_device_descriptor descriptor{};
    if (libusb_get_device_descriptor(list[i], &descriptor) != 0)
      continue;
    DeviceInfo info;
    info.usb = UsbId{descriptor.idVendor, descriptor.idProduct};
    info.bus_path = bus_path_of(list[i]);
    info.id = device_id_of(info.bus_path, info.usb);
    if (const auto* profile = find_profile(profiles, info.usb)) {
      info.profile = profile->name;
      info.mode = profile->mode;
    }
    out.push_back(std::move(info));
  }
  libusb_free_device_list(list, 1);
  libusb_exit(context);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

} // namespace pickverify
