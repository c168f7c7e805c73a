// The process's USB event loop: libusb's hotplug callback queues arrivals and departures, the event
// thread hands them to the clients that match, runs their on_timer() and sleeps in
// libusb_handle_events (poll()) until a transfer completes, a device comes or goes, a client's
// deadline is due or wake() interrupts it: no busy polling.
#include "usb_hub.hpp"

#include <pickverify/expected.hpp>

#include <algorithm>

#include <fmt/format.h>
#include <pthread.h>

namespace pickverify::scanners {

namespace {

using namespace std::chrono_literals;

// The event thread sleeps at most this long when no client has anything due.
constexpr auto k_idle_wait = 60s;
// Without libusb hotplug support (some containers) the hub rescans the bus this often.
constexpr auto k_rescan_interval = 500ms;

std::mutex g_hub_mutex;
std::weak_ptr<UsbHub> g_hub;

} // namespace

Result<std::shared_ptr<UsbHub>> UsbHub::acquire()
{
  std::lock_guard lock(g_hub_mutex);
  if (auto hub = g_hub.lock())
    return hub;
  std::shared_ptr<UsbHub> hub(new UsbHub());
  PV_TRY(hub->start());
  g_hub = hub;
  return hub;
}

Result<void> UsbHub::start()
{
  if (const int r = libusb_init(&m_context); r != 0) {
    m_context = nullptr;
    return make_error(ErrorType::unsupported, fmt::format("usb: libusb_init failed: {}", libusb_error_name(r)));
  }
  m_has_hotplug = libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) != 0;
  if (m_has_hotplug) {
    const int r = libusb_hotplug_register_callback(
        m_context,
        static_cast<libusb_hotplug_event>(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT),
        LIBUSB_HOTPLUG_ENUMERATE, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
        &UsbHub::on_hotplug, this, &m_hotplug);
    if (r != LIBUSB_SUCCESS)
      m_has_hotplug = false;
  }
  if (!m_has_hotplug)
    rescan();
  // Named from here, so the names are in place when acquire() returns (tests and benchmarks look).
  m_callback_thread = std::thread([this] { run_callbacks(); });
  pthread_setname_np(m_callback_thread.native_handle(), "pv-usb-callback");
  m_event_thread = std::thread([this] { run(); });
  pthread_setname_np(m_event_thread.native_handle(), "pv-usb-events");
  return {};
}

UsbHub::~UsbHub()
{
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  if (m_context)
    libusb_interrupt_event_handler(m_context);
  if (m_event_thread.joinable())
    m_event_thread.join();
  {
    std::lock_guard lock(m_callback_mutex);
    m_callbacks_stop = true;
  }
  m_callback_ready.notify_all();
  if (m_callback_thread.joinable()) {
    if (on_callback_thread())
      m_callback_thread.detach(); // the last client let go from inside a callback
    else
      m_callback_thread.join();
  }
  if (!m_context)
    return;
  if (m_has_hotplug)
    libusb_hotplug_deregister_callback(m_context, m_hotplug);
  for (auto* device : m_arrived)
    libusb_unref_device(device);
  for (auto* device : m_left)
    libusb_unref_device(device);
  for (auto* device : m_present)
    libusb_unref_device(device);
  // libusb frees the event sources of closed handles on its next pass through event handling.
  timeval none{0, 0};
  libusb_handle_events_timeout_completed(m_context, &none, nullptr);
  libusb_exit(m_context);
}

void UsbHub::attach(UsbClient& client)
{
  {
    std::lock_guard lock(m_mutex);
    m_attaching.push_back(&client);
  }
  wake();
}

void UsbHub::detach(UsbClient& client)
{
  Detach request{&client, false};
  if (on_event_thread()) {
    std::erase(m_clients, &client);
    client.shutdown();
  } else {
    std::unique_lock lock(m_mutex);
    std::erase(m_attaching, &client);
    m_detaching.push_back(&request);
    libusb_interrupt_event_handler(m_context);
    m_changed.wait(lock, [&] { return request.done; });
  }
  if (!on_callback_thread())
    flush_callbacks();
}

void UsbHub::wake()
{
  libusb_interrupt_event_handler(m_context);
}

void UsbHub::handle_events(std::chrono::milliseconds wait)
{
  timeval tv{static_cast<long>(wait.count() / 1000), static_cast<long>((wait.count() % 1000) * 1000)};
  libusb_handle_events_timeout_completed(m_context, &tv, nullptr);
}

void UsbHub::post(std::function<void()> callback)
{
  {
    std::lock_guard lock(m_callback_mutex);
    m_callbacks.push_back(std::move(callback));
    ++m_posted;
  }
  m_callback_ready.notify_all();
}

void UsbHub::flush_callbacks()
{
  std::unique_lock lock(m_callback_mutex);
  const auto target = m_posted;
  m_callback_ready.wait(lock, [&] { return m_ran >= target || m_callbacks_stop; });
}

void UsbHub::run_callbacks()
{
  std::unique_lock lock(m_callback_mutex);
  while (true) {
    m_callback_ready.wait(lock, [&] { return m_callbacks_stop || !m_callbacks.empty(); });
    if (m_callbacks.empty())
      return; // stopping, nothing left
    auto callback = std::move(m_callbacks.front());
    m_callbacks.pop_front();
    lock.unlock();
    callback();
    lock.lock();
    ++m_ran;
    m_callback_ready.notify_all();
  }
}

int LIBUSB_CALL UsbHub::on_hotplug(libusb_context*, libusb_device* device, libusb_hotplug_event event, void* self)
{
  auto* hub = static_cast<UsbHub*>(self);
  std::lock_guard lock(hub->m_mutex);
  (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? hub->m_arrived : hub->m_left).push_back(libusb_ref_device(device));
  return 0;
}

// --- event thread --------------------------------------------------------------------------------

void UsbHub::run()
{
  while (true) {
    {
      std::lock_guard lock(m_mutex);
      if (m_stop)
        break;
    }
    process_attachments();
    process_hotplug();
    const auto now = Clock::now();
    for (auto* client : m_clients)
      client->on_timer(now);
    handle_events(next_wait());
  }
  // Clients detach before the last reference goes; any left are shut down here.
  for (auto* client : m_clients)
    client->shutdown();
  m_clients.clear();
}

void UsbHub::process_attachments()
{
  std::vector<UsbClient*> attaching;
  std::vector<Detach*> detaching;
  {
    std::lock_guard lock(m_mutex);
    attaching.swap(m_attaching);
    detaching.swap(m_detaching);
  }
  for (auto* client : attaching) {
    m_clients.push_back(client);
    for (auto* device : m_present) {
      libusb_device_descriptor descriptor{};
      if (libusb_get_device_descriptor(device, &descriptor) == 0 && client->matches(descriptor))
        client->arrived(device);
    }
  }
  if (detaching.empty())
    return;
  for (auto* request : detaching) {
    std::erase(m_clients, request->client);
    request->client->shutdown();
  }
  {
    std::lock_guard lock(m_mutex);
    for (auto* request : detaching)
      request->done = true;
  }
  m_changed.notify_all();
}

void UsbHub::rescan()
{
  m_last_rescan = Clock::now();
  libusb_device** list = nullptr;
  const ssize_t count = libusb_get_device_list(m_context, &list);
  if (count < 0)
    return;
  std::vector<libusb_device*> now_present(list, list + count);
  {
    std::lock_guard lock(m_mutex);
    for (auto* device : now_present)
      if (std::find(m_present.begin(), m_present.end(), device) == m_present.end())
        m_arrived.push_back(libusb_ref_device(device));
    for (auto* device : m_present)
      if (std::find(now_present.begin(), now_present.end(), device) == now_present.end())
        m_left.push_back(libusb_ref_device(device));
  }
  libusb_free_device_list(list, 1);
}

void UsbHub::process_hotplug()
{
  if (!m_has_hotplug && Clock::now() >= m_last_rescan + k_rescan_interval)
    rescan();
  std::vector<libusb_device*> arrived, left;
  {
    std::lock_guard lock(m_mutex);
    arrived.swap(m_arrived);
    left.swap(m_left);
  }
  // Arrivals first: a device that came and went within one pass is a single libusb_device.
  for (auto* device : arrived) {
    if (std::find(m_present.begin(), m_present.end(), device) != m_present.end()) {
      libusb_unref_device(device); // hotplug enumeration and a rescan can both report it
      continue;
    }
    m_present.push_back(device); // keeps the queue's reference
    libusb_device_descriptor descriptor{};
    if (libusb_get_device_descriptor(device, &descriptor) != 0)
      continue;
    for (auto* client : m_clients)
      if (client->matches(descriptor))
        client->arrived(device);
  }
  for (auto* device : left) {
    if (auto it = std::find(m_present.begin(), m_present.end(), device); it != m_present.end()) {
      for (auto* client : m_clients)
        client->left(device); // each client knows whether it was one of its own
      libusb_unref_device(*it);
      m_present.erase(it);
    }
    libusb_unref_device(device);
  }
}

std::chrono::milliseconds UsbHub::next_wait() const
{
  auto due = Clock::now() + k_idle_wait;
  for (const auto* client : m_clients)
    if (auto deadline = client->deadline())
      due = std::min(due, *deadline);
  if (!m_has_hotplug)
    due = std::min(due, m_last_rescan + k_rescan_interval);
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(due - Clock::now());
  return std::max(wait, std::chrono::milliseconds(1));
}

void abandon_transfer(libusb_transfer* transfer)
{
  if (!transfer)
    return;
  transfer->callback = [](libusb_transfer*) {};
  transfer->user_data = nullptr;
  transfer->flags = 0; // the buffer belongs to the client; libusb must not free it
}

// --- PendingOpens --------------------------------------------------------------------------------

void PendingOpens::add(libusb_device* device, Clock::time_point due)
{
  for (const auto& pending : m_pending)
    if (pending.device == device)
      return;
  m_pending.push_back(Pending{libusb_ref_device(device), 0, due});
}

void PendingOpens::remove(libusb_device* device)
{
  std::erase_if(m_pending, [device](const Pending& pending) {
    if (pending.device != device)
      return false;
    libusb_unref_device(pending.device);
    return true;
  });
}

void PendingOpens::clear()
{
  for (auto& pending : m_pending)
    libusb_unref_device(pending.device);
  m_pending.clear();
}

std::optional<PendingOpens::Clock::time_point> PendingOpens::deadline() const
{
  std::optional<Clock::time_point> due;
  for (const auto& pending : m_pending)
    due = due ? std::min(*due, pending.due) : pending.due;
  return due;
}

void PendingOpens::run_due(Clock::time_point now, int attempts, std::chrono::milliseconds interval,
                           const std::function<Outcome(libusb_device*, bool last_attempt)>& open)
{
  std::vector<Pending> still;
  auto pending = std::move(m_pending);
  m_pending.clear();
  for (auto& p : pending) {
    if (p.due > now) {
      still.push_back(p);
      continue;
    }
    const bool last = p.attempts + 1 >= attempts;
    const Outcome outcome = open(p.device, last);
    if (outcome == Outcome::later) {
      still.push_back(p);
      continue;
    }
    if (outcome == Outcome::done || last) {
      libusb_unref_device(p.device);
      continue;
    }
    ++p.attempts;
    p.due = now + interval;
    still.push_back(p);
  }
  // `open` may have added devices (it should not, but keep them).
  for (auto& p : m_pending)
    still.push_back(p);
  m_pending = std::move(still);
}

} // namespace pickverify::scanners
