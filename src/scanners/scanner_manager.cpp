// The scanner manager: one libusb context and one event thread for every USB scanner. Hotplug
// arrivals and departures are queued by libusb's callbacks and handled on the event thread between
// calls to libusb_handle_events, which blocks in poll() until a transfer completes, a device comes or
// goes, a keyboard inter-key deadline is due, or stop() interrupts it: no busy polling.
#include <pickverify/device_profile.hpp>
#include <pickverify/device_state.hpp>
#include <pickverify/scanner_manager.hpp>
#include <pickverify/serial_scanner.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <libusb.h>
#include <pthread.h>

#include "hid_descriptor.hpp"
#include "hid_pos_decoder.hpp"
#include "keyboard_decoder.hpp"
#include "usb_protocol.hpp"

namespace pickverify {

namespace {

using scanners::HidPosDecoder;
using scanners::KeyboardDecoder;
using Clock = std::chrono::steady_clock;

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

struct InterfaceChoice {
  int number = -1;
  std::uint8_t endpoint_in = 0;
  std::uint16_t packet_size = 0;
  std::uint16_t report_descriptor_length = 0;
  bool boot_keyboard = false;
};

// HID interfaces with an interrupt IN endpoint, boot keyboards first.
std::vector<InterfaceChoice> hid_interfaces(libusb_device* device, std::string& error)
{
  std::vector<InterfaceChoice> choices;
  libusb_config_descriptor* config = nullptr;
  if (int r = libusb_get_active_config_descriptor(device, &config); r != 0) {
    error = "cannot read configuration descriptor: " + usb_error(r);
    return choices;
  }
  for (int i = 0; i < config->bNumInterfaces; ++i) {
    if (config->interface[i].num_altsetting < 1)
      continue;
    const libusb_interface_descriptor& alt = config->interface[i].altsetting[0];
    if (alt.bInterfaceClass != scanners::k_usb_class_hid)
      continue;
    InterfaceChoice choice;
    choice.number = alt.bInterfaceNumber;
    choice.boot_keyboard = alt.bInterfaceSubClass == scanners::k_hid_subclass_boot &&
                           alt.bInterfaceProtocol == scanners::k_hid_protocol_keyboard;
    // The HID class descriptor (HID 1.11 §6.2.1) tells the report descriptor's length.
    if (alt.extra_length >= 9 && alt.extra[1] == scanners::k_descriptor_type_hid &&
        alt.extra[6] == scanners::k_descriptor_type_report)
      choice.report_descriptor_length = static_cast<std::uint16_t>(alt.extra[7] | (alt.extra[8] << 8));
    for (int e = 0; e < alt.bNumEndpoints; ++e) {
      const auto& endpoint = alt.endpoint[e];
      if ((endpoint.bEndpointAddress & LIBUSB_ENDPOINT_IN) &&
          (endpoint.bmAttributes & 0x03) == LIBUSB_TRANSFER_TYPE_INTERRUPT) {
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
    error = "no HID interface with an interrupt IN endpoint";
  return choices;
}

bool has_quirk(const DeviceProfile& profile, std::string_view quirk)
{
  return std::find(profile.quirks.begin(), profile.quirks.end(), quirk) != profile.quirks.end();
}

class ManagerImpl;

// One claimed scanner. Lives on the event thread; beep() reaches it under the manager's mutex.
struct OpenScanner {
  ManagerImpl* manager = nullptr;
  libusb_device* device = nullptr;
  libusb_device_handle* handle = nullptr;
  DeviceProfile profile;
  std::string id;
  std::string station;
  SourceKind kind = SourceKind::hid_keyboard;
  InterfaceChoice interface;
  bool kernel_driver_detached = false;
  bool interface_claimed = false;
  std::vector<libusb_transfer*> transfers;
  std::vector<std::vector<std::uint8_t>> buffers;
  std::atomic<int> in_flight{0};
  bool closing = false;
  int consecutive_errors = 0;
  std::optional<KeyboardDecoder> keyboard;
  std::optional<HidPosDecoder> hid_pos;
};

// A USB serial scanner (CDC-ACM, USB-serial): found through its tty in sysfs, read by SerialScanner.
struct SerialEntry {
  libusb_device* device = nullptr;
  std::string id;
  std::string profile;
  std::atomic<bool> online{true};
  std::unique_ptr<SerialScanner> scanner;
};

// The tty the kernel made for a USB device's interface, e.g. /dev/ttyACM0 for bus path 1-5.
std::optional<std::string> find_tty(const std::string& bus_path)
{
  const std::string needle = "/" + bus_path + ":";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/class/tty", ec)) {
    std::error_code link_ec;
    const auto real = std::filesystem::canonical(entry.path(), link_ec);
    if (!link_ec && real.string().find(needle) != std::string::npos)
      return "/dev/" + entry.path().filename().string();
  }
  return std::nullopt;
}

struct PendingOpen {
  libusb_device* device = nullptr;
  int attempts = 0;
  Clock::time_point due{};
};

class ManagerImpl final : public ScannerManager {
public:
  explicit ManagerImpl(ScannerManagerOptions options) : m_options(std::move(options)) {}
  ~ManagerImpl() override { stop(); }

  Result<void> init()
  {
    if (int r = libusb_init(&m_context); r != 0)
      return make_error(ErrorType::unsupported, "scanners: libusb_init failed: " + usb_error(r));
    m_has_hotplug = libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) != 0;
    if (m_has_hotplug) {
      const int r = libusb_hotplug_register_callback(
          m_context,
          static_cast<libusb_hotplug_event>(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT),
          LIBUSB_HOTPLUG_ENUMERATE, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
          &ManagerImpl::on_hotplug, this, &m_hotplug_handle);
      if (r != LIBUSB_SUCCESS)
        m_has_hotplug = false;
    }
    if (!m_has_hotplug)
      rescan();
    m_thread = std::thread([this] {
      pthread_setname_np(pthread_self(), "pv-usb-events");
      run();
    });
    return {};
  }

  void stop() override
  {
    if (m_stopped.exchange(true))
      return;
    m_stop_requested = true;
    if (m_context)
      libusb_interrupt_event_handler(m_context);
    if (m_thread.joinable())
      m_thread.join();
    if (m_context) {
      if (m_has_hotplug)
        libusb_hotplug_deregister_callback(m_context, m_hotplug_handle);
      for (auto& pending : m_pending_opens)
        libusb_unref_device(pending.device);
      m_pending_opens.clear();
      {
        std::lock_guard lock(m_queue_mutex);
        for (auto* device : m_arrived)
          libusb_unref_device(device);
        for (auto* device : m_left)
          libusb_unref_device(device);
        m_arrived.clear();
        m_left.clear();
      }
      libusb_exit(m_context);
      m_context = nullptr;
    }
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
    if (!scanner->hid_pos || !scanner->profile.beep)
      return make_error(ErrorType::unsupported,
                        fmt::format("scanner {} ({}) cannot be told to beep", device_id, scanner->profile.name));
    auto report = HidPosDecoder::beep_report(scanner->hid_pos->layout(), kind == BeepKind::good_read);
    if (!report)
      return make_error(ErrorType::unsupported,
                        fmt::format("scanner {}: its report descriptor has no {} beep", device_id,
                                    kind == BeepKind::good_read ? "good-read" : "error"));
    const auto& position =
        kind == BeepKind::good_read ? scanner->hid_pos->layout().good_read_beep : scanner->hid_pos->layout().error_beep;
    const std::uint8_t report_id = position->report_id;
    auto* transfer = libusb_alloc_transfer(0);
    auto* buffer = static_cast<unsigned char*>(std::malloc(LIBUSB_CONTROL_SETUP_SIZE + report->size()));
    if (!transfer || !buffer) {
      libusb_free_transfer(transfer);
      std::free(buffer);
      return make_error(ErrorType::internal, "out of memory");
    }
    libusb_fill_control_setup(buffer, scanners::k_request_out_class_interface, scanners::k_hid_request_set_report,
                              static_cast<std::uint16_t>((scanners::k_hid_report_type_output << 8) | report_id),
                              static_cast<std::uint16_t>(scanner->interface.number),
                              static_cast<std::uint16_t>(report->size()));
    std::copy(report->begin(), report->end(), buffer + LIBUSB_CONTROL_SETUP_SIZE);
    libusb_fill_control_transfer(transfer, scanner->handle, buffer, &ManagerImpl::on_beep_done, scanner,
                                 static_cast<unsigned>(scanners::k_control_timeout.count()));
    transfer->flags = LIBUSB_TRANSFER_FREE_BUFFER | LIBUSB_TRANSFER_FREE_TRANSFER;
    scanner->in_flight++;
    if (int r = libusb_submit_transfer(transfer); r != 0) {
      scanner->in_flight--;
      libusb_free_transfer(transfer); // frees the buffer too (FREE_BUFFER)
      return make_error(ErrorType::io, fmt::format("scanner {}: beep: {}", device_id, usb_error(r)));
    }
    return {};
  }

private:
  static int LIBUSB_CALL on_hotplug(libusb_context*, libusb_device* device, libusb_hotplug_event event, void* self)
  {
    auto* manager = static_cast<ManagerImpl*>(self);
    std::lock_guard lock(manager->m_queue_mutex);
    (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? manager->m_arrived : manager->m_left)
        .push_back(libusb_ref_device(device));
    return 0;
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

  // --- event thread ------------------------------------------------------------------------------

  void run()
  {
    while (!m_stop_requested) {
      process_queues();
      expire_keyboard_scans();
      close_finished();
      const auto wait = next_wait();
      timeval tv{};
      tv.tv_sec = static_cast<long>(wait.count() / 1000);
      tv.tv_usec = static_cast<long>((wait.count() % 1000) * 1000);
      libusb_handle_events_timeout_completed(m_context, &tv, nullptr);
    }
    shutdown();
  }

  std::chrono::milliseconds next_wait() const
  {
    auto due = Clock::now() + scanners::k_idle_wait;
    for (const auto& scanner : m_open) {
      if (scanner->closing)
        return std::chrono::milliseconds(10); // finishing cancelled transfers
      if (scanner->keyboard)
        if (auto deadline = scanner->keyboard->deadline())
          due = std::min(due, *deadline);
    }
    for (const auto& pending : m_pending_opens)
      due = std::min(due, pending.due);
    if (!m_has_hotplug)
      due = std::min(due, m_last_rescan + scanners::k_rescan_interval);
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(due - Clock::now());
    return std::max(wait, std::chrono::milliseconds(1));
  }

  void rescan()
  {
    m_last_rescan = Clock::now();
    libusb_device** list = nullptr;
    const ssize_t count = libusb_get_device_list(m_context, &list);
    if (count < 0)
      return;
    std::vector<libusb_device*> present(list, list + count);
    std::lock_guard lock(m_queue_mutex);
    for (auto* device : present)
      if (std::find(m_known.begin(), m_known.end(), device) == m_known.end())
        m_arrived.push_back(libusb_ref_device(device));
    for (auto* device : m_known)
      if (std::find(present.begin(), present.end(), device) == present.end())
        m_left.push_back(libusb_ref_device(device));
    for (auto* device : m_known)
      libusb_unref_device(device);
    m_known.clear();
    for (auto* device : present)
      m_known.push_back(libusb_ref_device(device));
    libusb_free_device_list(list, 1);
  }

  void process_queues()
  {
    if (!m_has_hotplug && Clock::now() >= m_last_rescan + scanners::k_rescan_interval)
      rescan();
    std::vector<libusb_device*> arrived, left;
    {
      std::lock_guard lock(m_queue_mutex);
      arrived.swap(m_arrived);
      left.swap(m_left);
    }
    for (auto* device : left) {
      depart(device);
      libusb_unref_device(device);
    }
    for (auto* device : arrived)
      m_pending_opens.push_back(PendingOpen{device, 0, Clock::now()});

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
        pending.due = now + scanners::k_open_retry_interval;
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
    const std::string bus_path = bus_path_of(device);
    const std::string id = device_id_of(bus_path, usb);
    if (profile->mode == ScannerMode::serial)
      return arrive_serial(pending, *profile, usb, bus_path, id);
    for (const auto& open : m_open)
      if (open->device == device && !open->closing)
        return true; // already claimed (hotplug enumeration and a rescan can both report it)

    // Open only what we will claim: a scanner no assignment wants is never touched. Serial-number
    // assignments need the string descriptor, which needs the device open.
    const bool needs_serial =
        std::any_of(m_options.assignments.begin(), m_options.assignments.end(),
                    [](const auto& a) { return a.match == StationAssignment::Match::serial_number; });
    if (!needs_serial && !assign(*profile, bus_path, ""))
      return true;

    libusb_device_handle* handle = nullptr;
    if (int r = libusb_open(device, &handle); r != 0) {
      const bool may_recover = (r == LIBUSB_ERROR_ACCESS || r == LIBUSB_ERROR_BUSY || r == LIBUSB_ERROR_IO);
      if (may_recover && ++pending.attempts < scanners::k_open_attempts)
        return false;
      std::string hint = r == LIBUSB_ERROR_ACCESS ? " (install devices/70-pickverify-scanners.rules and add the "
                                                    "service user to group 'pickverify')"
                                                  : "";
      record(id, bus_path, usb, "", *profile, "", DeviceState::offline, "cannot open: " + usb_error(r) + hint);
      return true;
    }

    std::string serial;
    if (descriptor.iSerialNumber != 0) {
      unsigned char text[128] = {};
      const int n = libusb_get_string_descriptor_ascii(handle, descriptor.iSerialNumber, text, sizeof(text));
      if (n > 0)
        serial.assign(reinterpret_cast<const char*>(text), static_cast<std::size_t>(n));
    }
    auto station = assign(*profile, bus_path, serial);
    if (!station) {
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
    scanner->kind = profile->mode == ScannerMode::hid_pos ? SourceKind::hid_pos : SourceKind::hid_keyboard;
    auto claimed = claim(*scanner);
    const bool was_known = [&] {
      std::lock_guard lock(m_mutex);
      return m_devices.contains(id);
    }();
    if (!claimed) {
      record(id, bus_path, usb, serial, *profile, *station, DeviceState::offline, claimed.error().message);
      release(*scanner);
      return true;
    }
    const std::string message = fmt::format(
        "{}: {} interface {}{}", was_known ? "back online" : "claimed", to_string(profile->mode),
        scanner->interface.number,
        profile->mode == ScannerMode::hid_keyboard ? fmt::format(", layout {}", to_string(profile->layout)) : "");
    {
      std::lock_guard lock(m_mutex);
      m_open.push_back(std::move(scanner));
    }
    record(id, bus_path, usb, serial, *profile, *station, DeviceState::online, message);
    return true;
  }

  bool arrive_serial(PendingOpen& pending, const DeviceProfile& profile, UsbId usb, const std::string& bus_path,
                     const std::string& id)
  {
    for (const auto& entry : m_serial)
      if (entry->device == pending.device)
        return true;
    auto station = assign(profile, bus_path, "");
    if (!station)
      return true;
    // The kernel's tty appears a moment after the USB device: wait for it, within the 2 s budget.
    auto tty = find_tty(bus_path);
    if (!tty) {
      if (++pending.attempts < scanners::k_open_attempts)
        return false;
      record(id, bus_path, usb, "", profile, *station, DeviceState::offline,
             "no tty appeared for this serial scanner (is cdc_acm or the USB-serial driver loaded?)");
      return true;
    }
    auto entry = std::make_unique<SerialEntry>();
    entry->device = libusb_ref_device(pending.device);
    entry->id = id;
    entry->profile = profile.name;
    SerialEntry* raw = entry.get();
    auto opened = SerialScanner::open(
        *tty, profile, *station,
        [this, id](const ScanEvent& event) {
          ScanEvent copy = event;
          copy.source = id; // the same id the station sees in on_device_state
          emit_scan(copy);
        },
        [this, raw](DeviceState state, const std::string& message) {
          if (state == DeviceState::offline && !raw->online.exchange(false))
            return;
          set_state(raw->id, state, message);
          emit_state(raw->id, raw->profile, state, message);
        });
    if (!opened) {
      libusb_unref_device(entry->device);
      if ((opened.error().type == ErrorType::io || opened.error().type == ErrorType::device_offline) &&
          ++pending.attempts < scanners::k_open_attempts)
        return false;
      record(id, bus_path, usb, "", profile, *station, DeviceState::offline, opened.error().message);
      return true;
    }
    entry->scanner = std::move(*opened);
    const bool was_known = [&] {
      std::lock_guard lock(m_mutex);
      return m_devices.contains(id);
    }();
    m_serial.push_back(std::move(entry));
    record(id, bus_path, usb, "", profile, *station, DeviceState::online,
           fmt::format("{}: serial {} at {} baud", was_known ? "back online" : "claimed", *tty, profile.serial.baud));
    return true;
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

  Result<void> claim(OpenScanner& scanner)
  {
    std::string error;
    auto interfaces = hid_interfaces(scanner.device, error);
    if (interfaces.empty())
      return make_error(ErrorType::unsupported, error);

    std::optional<scanners::HidPosLayout> layout;
    if (scanner.profile.mode == ScannerMode::hid_keyboard) {
      scanner.interface = interfaces.front();
    } else {
      // A HID POS scanner may also expose a keyboard interface: take the one whose report
      // descriptor has the Barcode Scanner usage page.
      std::string why = "no HID interface describes a barcode scanner (usage page 0x8C)";
      for (const auto& candidate : interfaces) {
        auto found = read_hid_pos_layout(scanner.handle, candidate);
        if (found) {
          scanner.interface = candidate;
          layout = *found;
          break;
        }
        why = found.error().message;
      }
      if (!layout)
        return make_error(ErrorType::unsupported, why);
    }

    const int number = scanner.interface.number;
    const bool no_kernel_driver = has_quirk(scanner.profile, "no_kernel_driver");
    if (!no_kernel_driver && libusb_kernel_driver_active(scanner.handle, number) == 1) {
      // The kernel's usbhid would otherwise turn the scans into key presses for whatever window has focus.
      if (int r = libusb_detach_kernel_driver(scanner.handle, number); r != 0)
        return make_error(ErrorType::io, "cannot detach the kernel driver: " + usb_error(r));
      scanner.kernel_driver_detached = true;
    }
    if (int r = libusb_claim_interface(scanner.handle, number); r != 0)
      return make_error(ErrorType::io, fmt::format("cannot claim interface {}: {}", number, usb_error(r)));
    scanner.interface_claimed = true;

    if (scanner.profile.mode == ScannerMode::hid_keyboard) {
      if (scanner.interface.boot_keyboard) {
        // Boot protocol makes every report the fixed 8-byte layout the decoder reads. Devices that
        // refuse the request already send boot-compatible reports, so failure is not an error.
        libusb_control_transfer(scanner.handle, scanners::k_request_out_class_interface,
                                scanners::k_hid_request_set_protocol, scanners::k_hid_protocol_boot,
                                static_cast<std::uint16_t>(number), nullptr, 0,
                                static_cast<unsigned>(scanners::k_control_timeout.count()));
      }
      scanner.keyboard.emplace(scanners::KeyboardDecoderSettings::from(scanner.profile));
    } else {
      if (has_quirk(scanner.profile, "hidpos_output_redirection")) {
        // Honeywell scanners send their scans to the HID POS interface only once the host sets the
        // vendor feature report 0xFE ("Output Redirection") to 1; without it they may stay silent.
        unsigned char redirect[2] = {scanners::k_honeywell_output_redirection_report, 1};
        const int r = libusb_control_transfer(
            scanner.handle, scanners::k_request_out_class_interface, scanners::k_hid_request_set_report,
            static_cast<std::uint16_t>((scanners::k_hid_report_type_feature << 8) | redirect[0]),
            static_cast<std::uint16_t>(number), redirect, sizeof(redirect),
            static_cast<unsigned>(scanners::k_control_timeout.count()));
        if (r < 0)
          return make_error(ErrorType::io, "cannot switch the scanner's output to HID POS: " + usb_error(r));
      }
      scanner.hid_pos.emplace(*layout);
    }

    const std::size_t buffer_size = std::max<std::size_t>(scanner.interface.packet_size, 8);
    for (int i = 0; i < scanners::k_transfers_in_flight; ++i) {
      auto* transfer = libusb_alloc_transfer(0);
      if (!transfer)
        return make_error(ErrorType::internal, "out of memory");
      scanner.buffers.emplace_back(buffer_size);
      scanner.transfers.push_back(transfer);
      libusb_fill_interrupt_transfer(transfer, scanner.handle, scanner.interface.endpoint_in,
                                     scanner.buffers.back().data(), static_cast<int>(buffer_size),
                                     &ManagerImpl::on_transfer, &scanner, 0);
      scanner.in_flight++;
      if (int r = libusb_submit_transfer(transfer); r != 0) {
        scanner.in_flight--;
        return make_error(ErrorType::io, "cannot start reading: " + usb_error(r));
      }
    }
    return {};
  }

  static Result<scanners::HidPosLayout> read_hid_pos_layout(libusb_device_handle* handle, const InterfaceChoice& choice)
  {
    std::vector<std::uint8_t> descriptor(choice.report_descriptor_length ? choice.report_descriptor_length
                                                                         : scanners::k_max_descriptor_bytes);
    const int n = libusb_control_transfer(
        handle, scanners::k_request_in_standard_interface, scanners::k_request_get_descriptor,
        static_cast<std::uint16_t>(scanners::k_descriptor_type_report << 8), static_cast<std::uint16_t>(choice.number),
        descriptor.data(), static_cast<std::uint16_t>(descriptor.size()),
        static_cast<unsigned>(scanners::k_control_timeout.count()));
    if (n < 0)
      return make_error(ErrorType::io, fmt::format("cannot read the report descriptor of interface {}: {}",
                                                   choice.number, usb_error(n)));
    descriptor.resize(static_cast<std::size_t>(n));
    auto parsed = scanners::parse_hid_report_descriptor(descriptor);
    if (!parsed)
      return tl::unexpected(parsed.error());
    return scanners::find_hid_pos_layout(*parsed);
  }

  void transfer_done(OpenScanner& scanner, libusb_transfer& transfer)
  {
    if (scanner.closing)
      return;
    switch (transfer.status) {
    case LIBUSB_TRANSFER_COMPLETED:
      scanner.consecutive_errors = 0;
      handle_report(scanner,
                    std::span<const std::uint8_t>(transfer.buffer, static_cast<std::size_t>(transfer.actual_length)));
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
      libusb_clear_halt(scanner.handle, scanner.interface.endpoint_in);
      [[fallthrough]];
    default:
      if (++scanner.consecutive_errors >= scanners::k_max_consecutive_transfer_errors) {
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

  void handle_report(OpenScanner& scanner, std::span<const std::uint8_t> report)
  {
    if (scanner.keyboard) {
      std::vector<std::string> scans;
      auto fed = scanner.keyboard->feed(report, Clock::now(), scans);
      for (auto& text : scans)
        deliver(scanner, std::move(text), std::nullopt);
      if (!fed)
        notify(scanner, DeviceState::online, fed.error().message + ", ignored");
      return;
    }
    auto fed = scanner.hid_pos->feed(report);
    if (!fed) {
      notify(scanner, DeviceState::online, fed.error().message + ", ignored");
      return;
    }
    if (*fed)
      deliver(scanner, std::move((*fed)->data), std::move((*fed)->aim));
  }

  void deliver(OpenScanner& scanner, std::string raw, std::optional<std::string> aim)
  {
    if (raw.empty())
      return; // a bare terminator is not a scan
    ScanEvent event;
    event.raw = std::move(raw);
    event.aim = std::move(aim);
    event.source = scanner.id;
    event.source_kind = scanner.kind;
    event.station = scanner.station;
    stamp_now(event);
    emit_scan(event);
  }

  // Callbacks come from the event thread and from serial reader threads: one at a time, never concurrent.
  void emit_scan(const ScanEvent& event)
  {
    std::lock_guard lock(m_callback_mutex);
    if (m_options.on_scan)
      m_options.on_scan(event);
  }

  void emit_state(const std::string& id, const std::string& profile, DeviceState state, const std::string& message)
  {
    std::lock_guard lock(m_callback_mutex);
    if (m_options.on_device_state)
      m_options.on_device_state(id, profile, state, message);
  }

  void set_state(const std::string& id, DeviceState state, const std::string& message)
  {
    std::lock_guard lock(m_mutex);
    auto& info = m_devices[id];
    info.state = state;
    info.message = message;
  }

  void expire_keyboard_scans()
  {
    const auto now = Clock::now();
    for (auto& scanner : m_open) {
      if (scanner->closing || !scanner->keyboard)
        continue;
      if (auto text = scanner->keyboard->expire(now))
        deliver(*scanner, std::move(*text), std::nullopt);
      if (scanner->keyboard->take_dropped_oversized())
        notify(*scanner, DeviceState::online, "scan too long, dropped");
    }
  }

  void depart(libusb_device* device)
  {
    for (auto& scanner : m_open)
      if (scanner->device == device && !scanner->closing)
        go_offline(*scanner, "unplugged");
    for (auto it = m_serial.begin(); it != m_serial.end();) {
      if ((*it)->device != device) {
        ++it;
        continue;
      }
      SerialEntry& entry = **it;
      entry.scanner->stop(); // its own hang-up report, if any, has run by now
      if (entry.online.exchange(false)) {
        set_state(entry.id, DeviceState::offline, "unplugged");
        emit_state(entry.id, entry.profile, DeviceState::offline, "unplugged");
      }
      libusb_unref_device(entry.device);
      it = m_serial.erase(it);
    }
  }

  void go_offline(OpenScanner& scanner, const std::string& why)
  {
    if (scanner.closing)
      return;
    std::size_t dropped = 0;
    if (scanner.keyboard)
      dropped = scanner.keyboard->reset();
    if (scanner.hid_pos)
      dropped = scanner.hid_pos->reset();
    {
      std::lock_guard lock(m_mutex);
      scanner.closing = true;
    }
    for (auto* transfer : scanner.transfers)
      libusb_cancel_transfer(transfer); // fails harmlessly for transfers already finished
    std::string message = why;
    if (dropped > 0)
      message += fmt::format("; a scan in progress was dropped ({} bytes), scan the item again", dropped);
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

  // Hands the interface back to the kernel so the scanner works as a keyboard again once we stop.
  static void release(OpenScanner& scanner)
  {
    for (auto* transfer : scanner.transfers)
      libusb_free_transfer(transfer);
    scanner.transfers.clear();
    if (scanner.handle) {
      if (scanner.interface_claimed)
        libusb_release_interface(scanner.handle, scanner.interface.number);
      if (scanner.kernel_driver_detached)
        libusb_attach_kernel_driver(scanner.handle, scanner.interface.number);
      libusb_close(scanner.handle);
      scanner.handle = nullptr;
    }
    if (scanner.device) {
      libusb_unref_device(scanner.device);
      scanner.device = nullptr;
    }
  }

  void shutdown()
  {
    for (auto& scanner : m_open)
      if (!scanner->closing) {
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
      else
        scanner.release(); // libusb still owns a transfer: leaking beats a use-after-free
    // libusb frees the event sources of closed handles on its next pass through event handling.
    timeval none{0, 0};
    libusb_handle_events_timeout_completed(m_context, &none, nullptr);
    for (auto& entry : m_serial) {
      entry->scanner->stop();
      libusb_unref_device(entry->device);
    }
    m_serial.clear();
    for (auto* device : m_known)
      libusb_unref_device(device);
    m_known.clear();
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

  void notify(OpenScanner& scanner, DeviceState state, const std::string& message)
  {
    set_state(scanner.id, state, message);
    emit_state(scanner.id, scanner.profile.name, state, message);
  }

  ScannerManagerOptions m_options;
  libusb_context* m_context = nullptr;
  libusb_hotplug_callback_handle m_hotplug_handle = 0;
  bool m_has_hotplug = false;
  std::thread m_thread;
  std::atomic<bool> m_stop_requested{false};
  std::atomic<bool> m_stopped{false};

  mutable std::mutex m_mutex; // m_devices, m_open (membership), OpenScanner::closing
  std::map<std::string, DeviceInfo> m_devices;
  std::vector<std::unique_ptr<OpenScanner>> m_open;

  std::mutex m_queue_mutex; // filled by libusb's hotplug callback
  std::vector<libusb_device*> m_arrived;
  std::vector<libusb_device*> m_left;

  std::mutex m_callback_mutex; // serializes on_scan / on_device_state

  // Event thread only.
  std::vector<std::unique_ptr<SerialEntry>> m_serial;
  std::vector<PendingOpen> m_pending_opens;
  std::vector<libusb_device*> m_known; // for rescanning without hotplug support
  Clock::time_point m_last_rescan{};
};

} // namespace

Result<std::unique_ptr<ScannerManager>> ScannerManager::start(ScannerManagerOptions options)
{
  auto manager = std::make_unique<ManagerImpl>(std::move(options));
  if (auto started = manager->init(); !started)
    return tl::unexpected(started.error());
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
