// A bench program (not Google Benchmark: the figure is a latency distribution across threads).
#include <pickverify/controller.hpp>
#include <pickverify/scale.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>
#include <libusb.h>
#include <pthread.h>

#include "controller_link.hpp"
#include "emulated_controller.hpp"

using namespace pickverify;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using pickverify::test::EmulatedController;
using pickverify::test::UsbEmulator;

namespace {

double percentile(std::vector<double> v, double p)
{
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

// CPU time (user + system, in clock ticks) of this process's threads named `name`.
long thread_ticks(const std::string& name)
{
  long total = 0;
  DIR* dir = ::opendir("/proc/self/task");
  if (!dir)
    return 0;
  while (auto* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.')
      continue;
    std::ifstream stat(std::string("/proc/self/task/") + entry->d_name + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    const auto open = text.find('('), close = text.rfind(')');
    if (open == std::string::npos || text.substr(open + 1, close - open - 1) != name)
      continue;
    std::istringstream rest(text.substr(close + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14)
        utime = std::stol(field);
      if (i == 15)
        stime = std::stol(field);
    }
    total += utime + stime;
  }
  ::closedir(dir);
  return total;
}

// The baseline for the idle figures: a bare libusb event loop — no pickverify code — on its own
// thread, with one interrupt-IN transfer waiting on `endpoint` of the device `vendor:product`, as
// the handlers keep one. Returns the thread's CPU share of a core over `seconds` (−1: no device).
double bare_event_loop_cpu(std::uint16_t vendor, std::uint16_t product, int interface_number, std::uint8_t endpoint,
                           std::chrono::seconds seconds)
{
  std::atomic<bool> stop{false};
  std::atomic<int> ready{0}; // 1 running, −1 failed
  std::thread bare([&] {
    ::pthread_setname_np(::pthread_self(), "pv-bare-usb");
    libusb_context* context = nullptr;
    libusb_init(&context);
    libusb_device_handle* handle = libusb_open_device_with_vid_pid(context, vendor, product);
    if (!handle || libusb_claim_interface(handle, interface_number) != 0) {
      if (handle)
        libusb_close(handle);
      libusb_exit(context);
      ready = -1;
      return;
    }
    std::uint8_t buffer[64];
    std::atomic<bool> done{false};
    libusb_transfer* transfer = libusb_alloc_transfer(0);
    libusb_fill_interrupt_transfer(
        transfer, handle, endpoint, buffer, sizeof(buffer),
        [](libusb_transfer* t) { static_cast<std::atomic<bool>*>(t->user_data)->store(true); }, &done, 0);
    libusb_submit_transfer(transfer);
    ready = 1;
    while (!stop) {
      timeval wait{1, 0};
      libusb_handle_events_timeout_completed(context, &wait, nullptr);
    }
    libusb_cancel_transfer(transfer);
    for (int i = 0; i < 100 && !done; ++i) {
      timeval wait{0, 10'000};
      libusb_handle_events_timeout_completed(context, &wait, nullptr);
    }
    if (done)
      libusb_free_transfer(transfer);
    libusb_release_interface(handle, interface_number);
    libusb_close(handle);
    libusb_exit(context);
  });
  while (ready == 0)
    std::this_thread::sleep_for(10ms);
  double share = -1;
  if (ready == 1) {
    std::this_thread::sleep_for(500ms);
    const long hz = ::sysconf(_SC_CLK_TCK);
    const long t0 = thread_ticks("pv-bare-usb");
    const auto start = Clock::now();
    std::this_thread::sleep_for(seconds);
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    share = 100.0 * static_cast<double>(thread_ticks("pv-bare-usb") - t0) / static_cast<double>(hz) / elapsed;
  }
  stop = true;
  bare.join();
  return share;
}

} // namespace

int main()
{
  constexpr int k_rounds = 1000;
  UsbEmulator usb;
  EmulatedController device(usb);
  ControllerOptions options;
  options.watchdog_timeout = 1500ms;
  auto controller = start_usb_controller(options);
  if (!controller)
    return 1;
  // Idle with nothing plugged in: both threads wait for hotplug (and the controller for nothing else).
  ScaleOptions waiting_options;
  auto waiting_scale = start_hid_pos_scale(0x0922, 0x8003, waiting_options);
  const long hz_absent = ::sysconf(_SC_CLK_TCK);
  const long a0 = thread_ticks("pv-controller") + thread_ticks("pv-scale-usb");
  const auto absent_start = Clock::now();
  std::this_thread::sleep_for(2s);
  const double absent_seconds = std::chrono::duration<double>(Clock::now() - absent_start).count();
  const long a1 = thread_ticks("pv-controller") + thread_ticks("pv-scale-usb");
  (*waiting_scale)->stop();
  std::printf("idle CPU, devices absent (waiting for hotplug), %.1f s: controller + scale threads %.2f %% of a core\n",
              absent_seconds, 100.0 * static_cast<double>(a1 - a0) / static_cast<double>(hz_absent) / absent_seconds);
  device.plug();
  if (!UsbEmulator::wait_for([&] { return (*controller)->online(); }, 3s))
    return 1;

  // Verdict → SET_OUTPUTS seen by the firmware.
  std::vector<double> via_driver;
  for (int i = 0; i < k_rounds; ++i) {
    const auto outputs = outputs_for(i % 2 ? SessionState::released : SessionState::blocked, false, false);
    const std::size_t before = device.model().applied().size();
    const auto t0 = Clock::now();
    (void)(*controller)->set_outputs(outputs);
    while (device.model().applied().size() == before)
      std::this_thread::yield();
    const auto at = device.model().applied().back().at;
    via_driver.push_back(std::chrono::duration<double, std::micro>(at - t0).count());
  }

  // Idle: 3 s with nothing to do; only heartbeats (every 500 ms) wake the controller's thread.
  ScaleOptions scale_options;
  auto scale = start_hid_pos_scale(0x0922, 0x8003, scale_options);
  pickverify::test::EmulatedDeviceSpec spec;
  spec.port = 5;
  spec.vendor = 0x0922;
  spec.product = 0x8003;
  spec.boot_keyboard = false;
  spec.report_descriptor = {0x05, 0x8d, 0x09, 0x20, 0xa1, 0x01, 0xc0};
  usb.plug(spec);
  std::this_thread::sleep_for(500ms);
  const long hz = ::sysconf(_SC_CLK_TCK);
  const long c0 = thread_ticks("pv-controller"), s0 = thread_ticks("pv-scale-usb");
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(3s);
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const long c1 = thread_ticks("pv-controller"), s1 = thread_ticks("pv-scale-usb");
  (*controller)->stop();

  // The floor: one synchronous control transfer (SET_OUTPUTS) from the calling thread, no driver.
  std::vector<double> direct;
  {
    libusb_context* context = nullptr;
    libusb_init(&context);
    libusb_device_handle* handle = libusb_open_device_with_vid_pid(context, fw::k_usb_vendor, fw::k_usb_product);
    if (handle) {
      std::uint8_t buffer[fw::k_max_answer_size];
      for (int i = 0; i < k_rounds; ++i) {
        const auto wire = fw::to_wire(outputs_for(SessionState::blocked, false, false));
        const std::size_t before = device.model().applied().size();
        const auto start = Clock::now();
        libusb_control_transfer(handle, fw::k_request_type_in, static_cast<std::uint8_t>(fw::Request::set_outputs),
                                fw::outputs_value(wire), fw::outputs_index(wire), buffer, sizeof(buffer), 500);
        if (device.model().applied().size() > before)
          direct.push_back(
              std::chrono::duration<double, std::micro>(device.model().applied().back().at - start).count());
      }
      libusb_close(handle);
    }
    libusb_exit(context);
  }

  // The same devices, the drivers stopped: a bare libusb loop with one interrupt-IN transfer waiting.
  (*scale)->stop();
  const double bare_scale = bare_event_loop_cpu(0x0922, 0x8003, 0, 0x81, 3s);
  const double bare_controller = bare_event_loop_cpu(fw::k_usb_vendor, fw::k_usb_product, 0, fw::k_event_endpoint, 3s);

  std::printf("verdict → SET_OUTPUTS at the firmware, through the driver (%d rounds): p50 %.0f µs, p99 %.0f µs, max "
              "%.0f µs\n",
              k_rounds, percentile(via_driver, 0.5), percentile(via_driver, 0.99), percentile(via_driver, 1.0));
  if (!direct.empty())
    std::printf("floor, synchronous control transfer from the caller (%zu rounds): p50 %.0f µs, p99 %.0f µs\n",
                direct.size(), percentile(direct, 0.5), percentile(direct, 0.99));
  std::printf("idle CPU, devices attached through umockdev, over %.1f s: controller thread %.2f %% of a core, HID POS "
              "scale thread %.2f %%\n",
              seconds, 100.0 * static_cast<double>(c1 - c0) / static_cast<double>(hz) / seconds,
              100.0 * static_cast<double>(s1 - s0) / static_cast<double>(hz) / seconds);
  std::printf("idle CPU, baseline in the same run: a bare libusb event loop with one interrupt-IN transfer waiting, "
              "3 s: on the scale %.2f %% of a core, on the controller %.2f %% (−1: could not open)\n",
              bare_scale, bare_controller);
  return 0;
}
