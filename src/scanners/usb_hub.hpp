// The process's one libusb context, one event thread and one hotplug path, shared by every USB device
// family: the scanner manager (its hid_keyboard and hid_pos handlers), the station controller, the
// commodity HID outputs (relay board, Delcom indicator) and the HID POS scale. Each family is a
// UsbClient of the hub, in the same shape as a scanner handler: matches() a device, claims it when
// it arrived(), releases it when it left(), does its timed work (heartbeats, re-assertion, read-back
// checks, open retries, keyboard timeouts) in on_timer() before deadline(), and gets its transfers'
// completions (on_transfer) on the same thread. Application callbacks never run on the event thread:
// clients post() them to the hub's callback thread, one at a time and in order, so a callback that
// waits for another device (the station's release waiting for the scale's stable weight) never holds
// up the thread that would deliver it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <libusb.h>

#include <pickverify/error.hpp>

namespace pickverify::scanners {

// One family of USB devices on the hub. Every call comes on the hub's event thread.
class UsbClient {
public:
  using Clock = std::chrono::steady_clock;

  // Whether this family wants to hear of a device with this descriptor (VID:PID, a profile).
  virtual bool matches(const libusb_device_descriptor& descriptor) const = 0;
  // A matching device arrived (or was already there when the client attached). The reference is the
  // hub's: take one of your own (libusb_ref_device) to keep it.
  virtual void arrived(libusb_device* device) = 0;
  // A device left (every client hears of it): release it if it was one of yours.
  virtual void left(libusb_device* device) = 0;
  // When on_timer() must run next; nullopt: only when an event comes. on_timer() also runs after
  // every wake-up, hotplug event and completed transfer, so flags set by other threads are seen.
  virtual std::optional<Clock::time_point> deadline() const = 0;
  virtual void on_timer(Clock::time_point now) = 0;
  // Detached: release every device (transfers may be cancelled and waited for with handle_events).
  virtual void shutdown() = 0;

protected:
  ~UsbClient() = default;
};

class UsbHub {
public:
  using Clock = std::chrono::steady_clock;

  // The process's hub, started on first use (libusb_init, the hotplug callback, the event thread);
  // it stops (libusb_exit) when the last reference goes.
  static Result<std::shared_ptr<UsbHub>> acquire();
  ~UsbHub();
  UsbHub(const UsbHub&) = delete;
  UsbHub& operator=(const UsbHub&) = delete;

  libusb_context* context() const { return m_context; }

  // The devices already present that match arrive at the client first, on the event thread.
  void attach(UsbClient& client);
  // Runs client.shutdown() on the event thread, then waits until every callback the client posted
  // before has run. After it returns the hub calls nothing of the client's.
  void detach(UsbClient& client);
  // Any thread: the event thread passes through its clients' on_timer() now.
  void wake();
  // Event thread only: libusb events for at most `wait` (a client waiting for a cancelled transfer).
  void handle_events(std::chrono::milliseconds wait);
  // Any thread: `callback` runs on the hub's callback thread, after every callback posted before it.
  void post(std::function<void()> callback);
  bool on_event_thread() const { return std::this_thread::get_id() == m_event_thread.get_id(); }
  bool on_callback_thread() const { return std::this_thread::get_id() == m_callback_thread.get_id(); }

private:
  UsbHub() = default;
  Result<void> start();
  void run();
  void run_callbacks();
  void rescan();
  void process_hotplug();
  void process_attachments();
  std::chrono::milliseconds next_wait() const;
  void flush_callbacks();
  static int LIBUSB_CALL on_hotplug(libusb_context*, libusb_device* device, libusb_hotplug_event event, void* self);

  struct Detach {
    UsbClient* client = nullptr;
    bool done = false;
  };

  libusb_context* m_context = nullptr;
  libusb_hotplug_callback_handle m_hotplug = 0;
  bool m_has_hotplug = false;
  std::thread m_event_thread;
  std::thread m_callback_thread;
  bool m_stop = false; // under m_mutex

  std::mutex m_mutex; // the queues below; m_changed signals detach completions
  std::condition_variable m_changed;
  std::vector<libusb_device*> m_arrived; // filled by libusb's hotplug callback (one reference each)
  std::vector<libusb_device*> m_left;
  std::vector<UsbClient*> m_attaching;
  std::vector<Detach*> m_detaching;

  std::mutex m_callback_mutex;
  std::condition_variable m_callback_ready;
  std::deque<std::function<void()>> m_callbacks;
  std::uint64_t m_posted = 0; // under m_callback_mutex
  std::uint64_t m_ran = 0;
  bool m_callbacks_stop = false;

  // Event thread only.
  std::vector<UsbClient*> m_clients;
  std::vector<libusb_device*> m_present; // one reference each
  Clock::time_point m_last_rescan{};
};

// A transfer whose cancellation did not complete in time, left to libusb: its completion, if it ever
// comes on the hub's loop (which outlives the client), calls nothing of the client's. Event thread only.
void abandon_transfer(libusb_transfer* transfer);

// Opens that may succeed shortly (udev still applying permissions): each device retried every
// `interval`, `attempts` times in all. Event thread only; the references are the list's own.
class PendingOpens {
public:
  using Clock = std::chrono::steady_clock;
  ~PendingOpens() { clear(); }
  void add(libusb_device* device, Clock::time_point due);
  void remove(libusb_device* device);
  void clear();
  std::optional<Clock::time_point> deadline() const;
  // What `open` made of a device: done with it (opened, or refused for good), try again after
  // `interval` (unless `attempts` are used up), or not now (kept as it is: one device at a time).
  enum class Outcome { done, retry, later };
  // Calls `open` for each device due.
  void run_due(Clock::time_point now, int attempts, std::chrono::milliseconds interval,
               const std::function<Outcome(libusb_device*, bool last_attempt)>& open);
  bool empty() const { return m_pending.empty(); }

private:
  struct Pending {
    libusb_device* device = nullptr;
    int attempts = 0;
    Clock::time_point due{};
  };
  std::vector<Pending> m_pending;
};

} // namespace pickverify::scanners
