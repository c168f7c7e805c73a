#include "usb_emulator.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <linux/usbdevice_fs.h>
#include <sys/ioctl.h> // before linux/usbdevice_fs.h (PLATFORM.md)

#include <umockdev.h>

namespace pickverify::test {

namespace {

struct Urb {
  UMockdevIoctlClient* client = nullptr; // the open file the URB was submitted on
  UMockdevIoctlData* urb = nullptr;      // resolved struct usbdevfs_urb
  UMockdevIoctlData* buffer = nullptr;   // resolved transfer buffer
  gulong client_address = 0;

  usbdevfs_urb* get() const { return reinterpret_cast<usbdevfs_urb*>(urb->data); }
};

struct Device {
  EmulatedDeviceSpec spec;
  std::string syspath;
  std::string devnode;
  bool gone = false;
  // Files opened before an unplug stay dead after the device comes back, as with a real usbfs node.
  std::set<UMockdevIoctlClient*> clients;
  std::set<UMockdevIoctlClient*> stale_clients;
  EmulatedDeviceCounters counters;
  std::deque<std::vector<std::uint8_t>> reports;
  std::deque<Urb> waiting_in; // interrupt IN URBs waiting for a report
  std::deque<Urb> done;       // completed URBs waiting to be reaped
};

void release_urb(Urb& urb)
{
  if (urb.buffer)
    umockdev_ioctl_data_unref(urb.buffer);
  if (urb.urb)
    umockdev_ioctl_data_unref(urb.urb);
  urb = {};
}

std::string hex_of(const std::vector<std::uint8_t>& bytes)
{
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

void put16(std::vector<std::uint8_t>& out, std::uint16_t v)
{
  out.push_back(static_cast<std::uint8_t>(v & 0xff));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}

std::vector<std::uint8_t> device_descriptor(std::uint16_t vendor, std::uint16_t product, bool has_serial,
                                            std::uint8_t device_class = 0)
{
  std::vector<std::uint8_t> d = {18, 1, 0x00, 0x02, device_class, 0, 0, 64};
  put16(d, vendor);
  put16(d, product);
  put16(d, 0x0100);
  d.insert(d.end(), {1, 2, static_cast<std::uint8_t>(has_serial ? 3 : 0), 1});
  return d;
}

std::vector<std::uint8_t> descriptors_of(const EmulatedDeviceSpec& spec)
{
  auto d = device_descriptor(spec.vendor, spec.product, !spec.serial.empty());
  const std::uint16_t total = 9 + 9 + 9 + 7;
  if (spec.vendor_interface) {
    const std::uint16_t vendor_total = 9 + 9 + 7;
    d.insert(d.end(), {9, 2});
    put16(d, vendor_total);
    d.insert(d.end(), {1, 1, 0, 0x80, 50});
    d.insert(d.end(), {9, 4, 0, 0, 1, spec.vendor_interface->interface_class, spec.vendor_interface->subclass,
                       spec.vendor_interface->protocol, 0});
    d.insert(d.end(), {7, 5, 0x81, 3});
    put16(d, spec.packet_size);
    d.push_back(1);
    return d;
  }
  d.insert(d.end(), {9, 2});
  put16(d, total);
  d.insert(d.end(), {1, 1, 0, 0x80, 50});
  d.insert(d.end(), {9, 4, 0, 0, 1, 3, static_cast<std::uint8_t>(spec.boot_keyboard ? 1 : 0),
                     static_cast<std::uint8_t>(spec.boot_keyboard ? 1 : 0), 0});
  d.insert(d.end(), {9, 0x21, 0x11, 0x01, 0, 1, 0x22});
  put16(d, static_cast<std::uint16_t>(spec.report_descriptor.size()));
  d.insert(d.end(), {7, 5, 0x81, 3});
  put16(d, spec.packet_size);
  d.push_back(1);
  return d;
}

std::vector<std::uint8_t> string_descriptor(const std::string& text)
{
  std::vector<std::uint8_t> d = {static_cast<std::uint8_t>(2 + 2 * text.size()), 3};
  for (char c : text)
    put16(d, static_cast<std::uint8_t>(c));
  return d;
}

} // namespace

struct UsbEmulator::State {
  UMockdevTestbed* testbed = nullptr;
  UMockdevIoctlBase* handler = nullptr;
  // Recursive: a device's own control handler may queue an input report (send()) while answering.
  mutable std::recursive_mutex mutex;
  std::map<std::string, Device> devices; // by devnode
  std::map<std::string, std::string> key_to_devnode;
  std::set<std::string> attached;                           // umockdev allows one handler attach per node
  std::map<std::string, std::vector<std::string>> children; // key → child sysfs paths (interface, tty)
  std::map<std::string, std::string> tty_node;              // key → /dev/ttyACMn

  Device* device_for(UMockdevIoctlClient* client)
  {
    const char* node = umockdev_ioctl_client_get_devnode(client);
    auto it = devices.find(node ? node : "");
    return it == devices.end() ? nullptr : &it->second;
  }

  // Hands queued reports to waiting URBs. Caller holds the mutex.
  static void pump(Device& device)
  {
    while (!device.reports.empty() && !device.waiting_in.empty()) {
      auto report = std::move(device.reports.front());
      device.reports.pop_front();
      Urb urb = device.waiting_in.front();
      device.waiting_in.pop_front();
      auto* u = urb.get();
      const std::size_t room = static_cast<std::size_t>(u->buffer_length);
      if (report.size() > room) {
        // What a real host controller reports for babble: more data than the URB asked for.
        std::memcpy(urb.buffer->data, report.data(), room);
        u->actual_length = static_cast<int>(room);
        u->status = -EOVERFLOW;
      } else {
        std::memcpy(urb.buffer->data, report.data(), report.size());
        u->actual_length = static_cast<int>(report.size());
        u->status = 0;
      }
      device.counters.reports_delivered++;
      device.done.push_back(urb);
    }
  }

  void control(Device& device, Urb& urb)
  {
    auto* u = urb.get();
    std::uint8_t* data = urb.buffer->data;
    const std::uint8_t request_type = data[0];
    const std::uint8_t request = data[1];
    const std::uint16_t value = static_cast<std::uint16_t>(data[2] | (data[3] << 8));
    const std::uint16_t length = static_cast<std::uint16_t>(data[6] | (data[7] << 8));
    std::vector<std::uint8_t> reply;
    bool ok = true;
    if (device.spec.on_control) {
      ControlRequest asked{request_type, request, value, static_cast<std::uint16_t>(data[4] | (data[5] << 8)),
                           length,       {}};
      if (!(request_type & 0x80))
        asked.data_out.assign(data + 8, data + 8 + length);
      ControlAnswer answer = device.spec.on_control(asked);
      if (answer.kind == ControlAnswer::Kind::stall) {
        u->status = -EPIPE;
        u->actual_length = 0;
        device.done.push_back(urb);
        return;
      }
      if (answer.kind == ControlAnswer::Kind::reply) {
        const std::size_t n = (request_type & 0x80) ? std::min<std::size_t>(answer.data.size(), length) : 0;
        if (n)
          std::memcpy(data + 8, answer.data.data(), n);
        u->status = 0;
        u->actual_length = static_cast<int>((request_type & 0x80) ? n : length);
        device.done.push_back(urb);
        return;
      }
    }
    if (request == 6 && (request_type == 0x80 || request_type == 0x81)) {
      const std::uint8_t type = static_cast<std::uint8_t>(value >> 8);
      const std::uint8_t index = static_cast<std::uint8_t>(value & 0xff);
      if (type == 0x22 && request_type == 0x81)
        reply = device.spec.report_descriptor;
      else if (type == 3 && index == 0)
        reply = {4, 3, 0x09, 0x04};
      else if (type == 3 && index == 3 && !device.spec.serial.empty())
        reply = string_descriptor(device.spec.serial);
      else if (type == 3 && (index == 1 || index == 2))
        reply = string_descriptor(index == 1 ? "Emulated" : "Scanner");
      else if (type == 1)
        reply = device_descriptor(device.spec.vendor, device.spec.product, !device.spec.serial.empty());
      else
        ok = false;
    } else if (request_type == 0x21 && request == 0x09) {
      auto& reports = (value >> 8) == 3 ? device.counters.feature_reports : device.counters.output_reports;
      reports.emplace_back(data + 8, data + 8 + length);
    } else if (request_type == 0x21 && request == 0x0b) {
      if (value == 0)
        device.counters.set_protocol_boot++;
    } else if (request_type == 0x21 && request == 0x0a) {
      // SET_IDLE: nothing to do
    } else {
      ok = false;
    }
    if (!ok) {
      u->status = -EPIPE;
      u->actual_length = 0;
    } else {
      const std::size_t n = std::min<std::size_t>(reply.size(), length);
      if (n)
        std::memcpy(data + 8, reply.data(), n);
      u->status = 0;
      u->actual_length = static_cast<int>((request_type & 0x80) ? n : length);
    }
    device.done.push_back(urb);
  }

  gboolean handle(UMockdevIoctlClient* client)
  {
    std::lock_guard lock(mutex);
    Device* device = device_for(client);
    const gulong request = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(client);
    if (!device)
      return FALSE;
    if (device->gone || device->stale_clients.contains(client)) {
      // As usbfs does after a disconnect: the URBs the unplug completed can still be reaped (the
      // kernel's USBFS_CAP_REAP_AFTER_DISCONNECT); every other request, and a reap with nothing
      // left, is ENODEV.
      const bool reap = request == USBDEVFS_REAPURB || request == USBDEVFS_REAPURBNDELAY;
      if (!reap || !reap_one(*device, client, arg))
        umockdev_ioctl_client_complete(client, -1, ENODEV);
      return TRUE;
    }
    device->clients.insert(client);

    switch (request) {
    case USBDEVFS_GET_CAPABILITIES: {
      UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), nullptr);
      *reinterpret_cast<guint32*>(d->data) =
          USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM | USBDEVFS_CAP_ZERO_PACKET;
      umockdev_ioctl_data_unref(d);
      umockdev_ioctl_client_complete(client, 0, 0);
      return TRUE;
    }
    case USBDEVFS_CLAIMINTERFACE:
      device->counters.claims++;
      umockdev_ioctl_client_complete(client, 0, 0);
      return TRUE;
    case USBDEVFS_RELEASEINTERFACE:
      device->counters.releases++;
      umockdev_ioctl_client_complete(client, 0, 0);
      return TRUE;
    case USBDEVFS_SETINTERFACE:
    case USBDEVFS_SETCONFIGURATION:
    case USBDEVFS_CLEAR_HALT:
    case USBDEVFS_RESET:
    case USBDEVFS_RESETEP:
      umockdev_ioctl_client_complete(client, 0, 0);
      return TRUE;
    case USBDEVFS_GETDRIVER: {
      if (!device->counters.kernel_driver_bound) {
        umockdev_ioctl_client_complete(client, -1, ENODATA);
        return TRUE;
      }
      UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_getdriver), nullptr);
      auto* driver = reinterpret_cast<usbdevfs_getdriver*>(d->data);
      std::strncpy(driver->driver, "usbhid", sizeof(driver->driver));
      umockdev_ioctl_data_unref(d);
      umockdev_ioctl_client_complete(client, 0, 0);
      return TRUE;
    }
    case USBDEVFS_IOCTL: {
      UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_ioctl), nullptr);
      const int code = reinterpret_cast<usbdevfs_ioctl*>(d->data)->ioctl_code;
      umockdev_ioctl_data_unref(d);
      if (code == static_cast<int>(USBDEVFS_DISCONNECT)) {
        if (!device->counters.kernel_driver_bound) {
          umockdev_ioctl_client_complete(client, -1, ENODATA);
          return TRUE;
        }
        device->counters.kernel_driver_bound = false;
        device->counters.kernel_driver_detached++;
      } else if (code == static_cast<int>(USBDEVFS_CONNECT)) {
        device->counters.kernel_driver_bound = true;
        device->counters.kernel_driver_attached++;
      } else {
        umockdev_ioctl_client_complete(client, -1, ENOTTY);
        return TRUE;
      }
      umockdev_ioctl_client_complete(client, 0, 0);
      return TRUE;
    }
    case USBDEVFS_SUBMITURB: {
      Urb urb;
      urb.client = client;
      urb.urb = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_urb), nullptr);
      urb.client_address = urb.urb->client_addr;
      auto* u = urb.get();
      const std::size_t length = static_cast<std::size_t>(std::max(u->buffer_length, 0));
      urb.buffer = umockdev_ioctl_data_resolve(urb.urb, G_STRUCT_OFFSET(usbdevfs_urb, buffer), length, nullptr);
      if (u->type == USBDEVFS_URB_TYPE_CONTROL && length >= 8) {
        control(*device, urb);
      } else if (u->type == USBDEVFS_URB_TYPE_INTERRUPT && (u->endpoint & 0x80)) {
        device->waiting_in.push_back(urb);
        pump(*device);
      } else {
        u->status = 0;
        u->actual_length = u->buffer_length;
        device->done.push_back(urb);
      }
      umockdev_ioctl_client_complete(client, 0, 0);
      return TRUE;
    }
    case USBDEVFS_REAPURB:
    case USBDEVFS_REAPURBNDELAY: {
      if (!reap_one(*device, client, arg))
        umockdev_ioctl_client_complete(client, -1, EAGAIN);
      return TRUE;
    }
    case USBDEVFS_DISCARDURB: {
      const gulong address = *reinterpret_cast<gulong*>(arg->data);
      for (auto it = device->waiting_in.begin(); it != device->waiting_in.end(); ++it) {
        if (it->client_address == address && it->client == client) {
          Urb urb = *it;
          device->waiting_in.erase(it);
          urb.get()->status = -ENOENT;
          urb.get()->actual_length = 0;
          device->done.push_back(urb);
          umockdev_ioctl_client_complete(client, 0, 0);
          return TRUE;
        }
      }
      umockdev_ioctl_client_complete(client, -1, EINVAL);
      return TRUE;
    }
    default:
      return FALSE;
    }
  }

  // Hands the client its oldest completed URB; false when it has none.
  static bool reap_one(Device& device, UMockdevIoctlClient* client, UMockdevIoctlData* arg)
  {
    auto it =
        std::find_if(device.done.begin(), device.done.end(), [&](const Urb& urb) { return urb.client == client; });
    if (it == device.done.end())
      return false;
    Urb urb = *it;
    device.done.erase(it);
    UMockdevIoctlData* pointer = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), nullptr);
    umockdev_ioctl_data_set_ptr(pointer, 0, urb.urb);
    umockdev_ioctl_data_unref(pointer);
    umockdev_ioctl_client_complete(client, 0, 0);
    release_urb(urb);
    return true;
  }

  // The unplug as the kernel does it: every URB still waiting is completed with -ESHUTDOWN (libusb:
  // LIBUSB_TRANSFER_NO_DEVICE) and stays reapable with those already done, so no transfer in flight
  // is left without its completion (a synchronous control transfer would wait for it forever).
  static void fail_waiting_urbs(Device& device)
  {
    for (auto& urb : device.waiting_in) {
      urb.get()->status = -ESHUTDOWN;
      urb.get()->actual_length = 0;
      device.done.push_back(urb);
    }
    device.waiting_in.clear();
  }

  static gboolean on_ioctl(UMockdevIoctlBase*, UMockdevIoctlClient* client, gpointer self)
  {
    return static_cast<State*>(self)->handle(client);
  }

  // A closed file: forget it and drop its URBs (the host freed their buffers).
  static void on_vanished(UMockdevIoctlBase*, UMockdevIoctlClient* client, gpointer self)
  {
    auto* state = static_cast<State*>(self);
    std::lock_guard lock(state->mutex);
    for (auto& [node, device] : state->devices) {
      device.clients.erase(client);
      device.stale_clients.erase(client);
      drop_urbs_of(device, client);
    }
  }

  static void drop_urbs_of(Device& device, UMockdevIoctlClient* client)
  {
    for (auto* queue : {&device.waiting_in, &device.done})
      for (auto it = queue->begin(); it != queue->end();) {
        if (it->client == client) {
          release_urb(*it);
          it = queue->erase(it);
        } else {
          ++it;
        }
      }
  }
};

UsbEmulator::UsbEmulator() : m_state(std::make_unique<State>())
{
  m_state->testbed = umockdev_testbed_new();
  m_state->handler = umockdev_ioctl_base_new();
  g_signal_connect(m_state->handler, "handle-ioctl", G_CALLBACK(&State::on_ioctl), m_state.get());
  g_signal_connect(m_state->handler, "client-vanished", G_CALLBACK(&State::on_vanished), m_state.get());

  // The root hub, so libusb can compute port paths ("1-2") for the devices below it.
  const std::string hub_node = "/dev/bus/usb/001/001";
  {
    std::lock_guard lock(m_state->mutex);
    Device hub;
    hub.spec.vendor = 0x1d6b;
    hub.spec.product = 0x0002;
    hub.syspath = "/sys/devices/usb1";
    hub.devnode = hub_node;
    m_state->devices.emplace(hub_node, hub);
  }
  umockdev_testbed_attach_ioctl(m_state->testbed, hub_node.c_str(), m_state->handler, nullptr);
  auto hub_descriptors = device_descriptor(0x1d6b, 0x0002, false, 9);
  hub_descriptors.insert(hub_descriptors.end(),
                         {9, 2, 25, 0, 1, 1, 0, 0xe0, 0, 9, 4, 0, 0, 1, 9, 0, 0, 0, 7, 5, 0x81, 3, 4, 0, 12});
  const std::string hub = "P: /devices/usb1\nN: bus/usb/001/001\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\n"
                          "E: DRIVER=usb\nE: BUSNUM=001\nE: DEVNUM=001\nE: DEVNAME=/dev/bus/usb/001/001\n"
                          "A: busnum=1\\n\nA: devnum=1\\n\nA: speed=480\\n\nA: bConfigurationValue=1\\n\n"
                          "H: descriptors=" +
                          hex_of(hub_descriptors) + "\n";
  umockdev_testbed_add_from_string(m_state->testbed, hub.c_str(), nullptr);
}

UsbEmulator::~UsbEmulator()
{
  {
    std::lock_guard lock(m_state->mutex);
    for (auto& [node, device] : m_state->devices) {
      for (auto& urb : device.waiting_in)
        release_urb(urb);
      for (auto& urb : device.done)
        release_urb(urb);
      device.waiting_in.clear();
      device.done.clear();
    }
  }
  g_clear_object(&m_state->testbed);
  g_clear_object(&m_state->handler);
}

std::string UsbEmulator::plug(const EmulatedDeviceSpec& spec)
{
  const int devnum = spec.port + 1;
  char node[64];
  std::snprintf(node, sizeof(node), "/dev/bus/usb/001/%03d", devnum);
  const std::string syspath = "/devices/usb1/1-" + std::to_string(spec.port);
  {
    std::lock_guard lock(m_state->mutex);
    auto [it, added] = m_state->devices.try_emplace(node);
    Device& device = it->second;
    device.spec = spec;
    device.syspath = "/sys" + syspath;
    device.devnode = node;
    device.gone = false;
    device.reports.clear();
    device.counters.kernel_driver_bound = true; // a fresh device binds usbhid again
    if (!added) {
      // Plugged back: earlier files stay dead; counters carry on so tests see the whole history.
      device.stale_clients.insert(device.clients.begin(), device.clients.end());
      device.clients.clear();
    }
    m_state->key_to_devnode[syspath] = node;
  }
  // Attach the ioctl handler before the node appears, so an open triggered by the "add" uevent works.
  if (m_state->attached.insert(node).second)
    umockdev_testbed_attach_ioctl(m_state->testbed, node, m_state->handler, nullptr);
  std::ostringstream text;
  text << "P: " << syspath << "\nN: " << (node + 5) << "\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n"
       << "E: BUSNUM=001\nE: DEVNUM=" << (node + 17) << "\nE: DEVNAME=" << node << "\n"
       << "A: busnum=1\\n\nA: devnum=" << devnum << "\\n\nA: speed=12\\n\nA: bConfigurationValue=1\\n\n"
       << "H: descriptors=" << hex_of(descriptors_of(spec)) << "\n";
  umockdev_testbed_add_from_string(m_state->testbed, text.str().c_str(), nullptr);
  return syspath;
}

std::string UsbEmulator::plug_cdc_acm(int port, std::uint16_t vendor, std::uint16_t product, int tty_number)
{
  EmulatedDeviceSpec spec;
  spec.port = port;
  spec.vendor = vendor;
  spec.product = product;
  spec.boot_keyboard = false;
  const std::string key = plug(spec);
  const std::string interface = key + "/1-" + std::to_string(port) + ":1.0";
  const std::string tty_name = "ttyACM" + std::to_string(tty_number);
  const std::string tty = interface + "/tty/" + tty_name;
  umockdev_testbed_add_from_string(m_state->testbed,
                                   ("P: " + interface +
                                    "\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_interface\nE: DRIVER=cdc_acm\n"
                                    "A: bInterfaceClass=02\\n\n")
                                       .c_str(),
                                   nullptr);
  umockdev_testbed_add_from_string(
      m_state->testbed,
      ("P: " + tty + "\nN: " + tty_name + "\nE: SUBSYSTEM=tty\nE: DEVNAME=/dev/" + tty_name + "\n").c_str(), nullptr);
  std::lock_guard lock(m_state->mutex);
  m_state->children[key] = {tty, interface};
  m_state->tty_node[key] = "/dev/" + tty_name;
  return key;
}

int UsbEmulator::tty_master(const std::string& key) const
{
  std::string node;
  {
    std::lock_guard lock(m_state->mutex);
    node = m_state->tty_node.at(key);
  }
  return umockdev_testbed_get_dev_fd(m_state->testbed, node.c_str());
}

void UsbEmulator::unplug(const std::string& key)
{
  std::vector<std::string> children;
  {
    std::lock_guard lock(m_state->mutex);
    if (auto it = m_state->children.find(key); it != m_state->children.end())
      children = it->second;
  }
  for (const auto& child : children) {
    umockdev_testbed_uevent(m_state->testbed, ("/sys" + child).c_str(), "remove");
    umockdev_testbed_remove_device(m_state->testbed, ("/sys" + child).c_str());
  }
  std::string sys;
  {
    std::lock_guard lock(m_state->mutex);
    auto& device = m_state->devices.at(m_state->key_to_devnode.at(key));
    device.gone = true;
    device.stale_clients.insert(device.clients.begin(), device.clients.end());
    device.clients.clear();
    State::fail_waiting_urbs(device);
    sys = device.syspath;
  }
  umockdev_testbed_uevent(m_state->testbed, sys.c_str(), "remove");
  umockdev_testbed_remove_device(m_state->testbed, sys.c_str());
}

void UsbEmulator::send(const std::string& key, std::vector<std::uint8_t> report)
{
  std::lock_guard lock(m_state->mutex);
  auto& device = m_state->devices.at(m_state->key_to_devnode.at(key));
  device.reports.push_back(std::move(report));
  State::pump(device);
}

std::size_t UsbEmulator::queued(const std::string& key) const
{
  std::lock_guard lock(m_state->mutex);
  return m_state->devices.at(m_state->key_to_devnode.at(key)).reports.size();
}

EmulatedDeviceCounters UsbEmulator::counters(const std::string& key) const
{
  std::lock_guard lock(m_state->mutex);
  return m_state->devices.at(m_state->key_to_devnode.at(key)).counters;
}

bool UsbEmulator::wait_for(const std::function<bool()>& done, std::chrono::milliseconds timeout)
{
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (done())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return done();
}

std::vector<std::uint8_t> parse_hex(const std::string& text)
{
  std::vector<std::uint8_t> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (auto hash = line.find('#'); hash != std::string::npos)
      line.erase(hash);
    std::string digits;
    for (char c : line) {
      if (std::isxdigit(static_cast<unsigned char>(c)))
        digits += c;
      else if (c == ',' || c == ' ' || c == '\t' || c == '\r')
        digits += ' ';
      else
        throw std::runtime_error("bad hex text: " + line);
    }
    std::istringstream words(digits);
    std::string word;
    while (words >> word) {
      if (word.size() % 2 != 0)
        throw std::runtime_error("odd number of hex digits: " + word);
      for (std::size_t i = 0; i < word.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoi(word.substr(i, 2), nullptr, 16)));
    }
  }
  return out;
}

} // namespace pickverify::test
