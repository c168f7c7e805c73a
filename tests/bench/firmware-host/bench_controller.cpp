// A bench program (not Google Benchmark: the figure is a latency distribution across threads).
// Since the controller, the HID outputs and the HID POS scale became clients of the process's one
// USB hub (src/scanners/usb_hub.hpp), their work is the hub's event thread ("pv-usb-events") and its
// callback thread ("pv-usb-callback"); the MT-SICS scale reads its pty on "pv-scale-serial". Every
// idle figure is set beside an idle-process baseline measured first in the same run.
#include <pickverify/controller.hpp>
#include <pickverify/device_profile.hpp>
#include <pickverify/scale.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <mutex>
#include <pty.h>
#include <sys/select.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>
#include <libusb.h>
#include <pthread.h>

#include "controller_link.hpp"
#include "emulated_controller.hpp"
#include "emulated_outputs.hpp"
#include "hid_outputs.hpp"

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

// CPU time in nanoseconds (the scheduler's count, /proc/self/task/*/schedstat: finer than the
// 10 ms clock ticks of /stat) of this process's threads named `name` ("": all of them).
long long thread_ns(const std::string& name)
{
  long long total = 0;
  DIR* dir = ::opendir("/proc/self/task");
  if (!dir)
    return 0;
  while (auto* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.')
      continue;
    const std::string task = std::string("/proc/self/task/") + entry->d_name;
    if (!name.empty()) {
      std::ifstream comm(task + "/comm");
      std::string text;
      std::getline(comm, text);
      if (text != name)
        continue;
    }
    std::ifstream schedstat(task + "/schedstat");
    long long on_cpu = 0;
    if (schedstat >> on_cpu)
      total += on_cpu;
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
    const long long t0 = thread_ns("pv-bare-usb");
    const auto start = Clock::now();
    std::this_thread::sleep_for(seconds);
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    share = 100.0 * static_cast<double>(thread_ns("pv-bare-usb") - t0) / 1e9 / elapsed;
  }
  stop = true;
  bare.join();
  return share;
}

// CPU share of a core used by the threads named in `names` ("" = the whole process) over `span`.
struct CpuWindow {
  std::vector<std::string> names;
  std::vector<long long> start;
  Clock::time_point t0 = Clock::now();
  explicit CpuWindow(std::vector<std::string> n) : names(std::move(n))
  {
    for (const auto& name : names)
      start.push_back(thread_ns(name));
    t0 = Clock::now();
  }
  std::vector<double> shares() const
  {
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    std::vector<double> out;
    for (std::size_t i = 0; i < names.size(); ++i)
      out.push_back(100.0 * static_cast<double>(thread_ns(names[i]) - start[i]) / 1e9 / seconds);
    return out;
  }
};

std::vector<double> measure(std::vector<std::string> names, std::chrono::seconds span)
{
  CpuWindow window(std::move(names));
  std::this_thread::sleep_for(span);
  return window.shares();
}

// The scale's end of a pty: answers each "SI" with a stable 1.240 kg, on a thread of its own.
class PtyScale {
public:
  PtyScale()
  {
    if (::openpty(&m_master, &m_slave, m_name, nullptr, nullptr) != 0)
      return;
    m_thread = std::thread([this] {
      ::pthread_setname_np(::pthread_self(), "pv-bench-sics");
      run();
    });
  }
  ~PtyScale()
  {
    m_stop = true;
    if (m_thread.joinable())
      m_thread.join();
    ::close(m_master);
    ::close(m_slave);
  }
  bool ok() const { return m_master >= 0; }
  std::string path() const { return m_name; }
  int commands() const { return m_commands; }

private:
  void run()
  {
    std::string got;
    while (!m_stop) {
      fd_set set;
      FD_ZERO(&set);
      FD_SET(m_master, &set);
      timeval tv{0, 100000};
      if (::select(m_master + 1, &set, nullptr, nullptr, &tv) <= 0)
        continue;
      char buffer[64];
      const ssize_t n = ::read(m_master, buffer, sizeof buffer);
      if (n <= 0)
        continue;
      got.append(buffer, static_cast<std::size_t>(n));
      for (auto end = got.find("\r\n"); end != std::string::npos; end = got.find("\r\n")) {
        if (got.compare(0, end, "SI") == 0) {
          ++m_commands;
          static constexpr char k_reply[] = "S S      1.240 kg\r\n";
          [[maybe_unused]] auto w = ::write(m_master, k_reply, sizeof(k_reply) - 1);
        }
        got.erase(0, end + 2);
      }
    }
  }
  int m_master = -1, m_slave = -1;
  char m_name[64] = {};
  std::atomic<int> m_commands{0};
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

fw::OutputProfile shipped_profile(fw::OutputProtocol protocol)
{
  auto profiles = fw::load_output_profiles(default_profiles_dir() / "outputs");
  if (profiles)
    for (const auto& p : *profiles)
      if (p.protocol == protocol)
        return p;
  std::fprintf(stderr, "no shipped %s profile\n", std::string(fw::to_string(protocol)).c_str());
  std::exit(1);
}

} // namespace

int main()
{
  constexpr int k_rounds = 1000;
  UsbEmulator usb;
  EmulatedController device(usb);

  // The baseline: this process idle (the emulator's threads up, nothing of pickverify started).
  const auto baseline = measure({""}, 3s);
  std::printf("idle CPU, baseline: the process with nothing started, 3 s: %.3f %% of a core\n", baseline[0]);

  ControllerOptions options;
  options.watchdog_timeout = 1500ms;
  auto controller = start_usb_controller(options);
  if (!controller)
    return 1;
  // Idle with nothing plugged in: every client on the hub waits for hotplug.
  ScaleOptions waiting_options;
  auto waiting_scale = start_hid_pos_scale(0x0922, 0x8003, waiting_options);
  auto waiting_relay = fw::start_hid_output_controller(shipped_profile(fw::OutputProtocol::usb_relay), {});
  auto waiting_delcom = fw::start_hid_output_controller(shipped_profile(fw::OutputProtocol::delcom_indicator), {});
  if (!waiting_scale || !waiting_relay || !waiting_delcom)
    return 1;
  std::this_thread::sleep_for(200ms);
  const auto absent = measure({"pv-usb-events", "pv-usb-callback", ""}, 3s);
  std::printf("idle CPU, controller + HID POS scale + relay + Delcom clients, devices absent (waiting for hotplug), "
              "3 s: hub event thread %.3f %%, callback thread %.3f %%, whole process %.3f %% of a core\n",
              absent[0], absent[1], absent[2]);
  (*waiting_scale)->stop();
  (*waiting_relay)->stop();
  (*waiting_delcom)->stop();
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

  // Idle: 3 s with nothing to do; only heartbeats (every 500 ms) wake the hub for the controller.
  std::this_thread::sleep_for(500ms);
  const auto controller_only = measure({"pv-usb-events", "pv-usb-callback", ""}, 3s);
  std::printf("idle CPU, the controller attached through umockdev (heartbeat every 500 ms), 3 s: hub event thread "
              "%.3f %%, callback thread %.3f %%, whole process %.3f %% of a core\n",
              controller_only[0], controller_only[1], controller_only[2]);

  // The relay board and the Delcom indicator attached too (a read-back each second each).
  pickverify::test::RelayBoard board;
  pickverify::test::DelcomIndicator light;
  auto relay = fw::start_hid_output_controller(shipped_profile(fw::OutputProtocol::usb_relay), {});
  auto delcom = fw::start_hid_output_controller(shipped_profile(fw::OutputProtocol::delcom_indicator), {});
  if (!relay || !delcom)
    return 1;
  usb.plug(board.spec(6));
  usb.plug(light.spec(7));
  if (!UsbEmulator::wait_for([&] { return (*relay)->online() && (*delcom)->online(); }, 3s))
    return 1;
  std::this_thread::sleep_for(500ms);
  const auto outputs_idle = measure({"pv-usb-events", "pv-usb-callback", ""}, 3s);
  std::printf("idle CPU, controller + relay + Delcom attached, 3 s: hub event thread %.3f %%, callback thread %.3f %%, "
              "whole process %.3f %% of a core\n",
              outputs_idle[0], outputs_idle[1], outputs_idle[2]);

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
  const auto all_idle = measure({"pv-usb-events", "pv-usb-callback", ""}, 3s);
  (*relay)->stop();
  (*delcom)->stop();
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

  // The MT-SICS scale on a pty, asking SI every 200 ms (the default), the emulated scale answering.
  double sics_scale = -1, sics_peer = -1, sics_process = -1;
  int sics_commands = 0;
  {
    PtyScale pty;
    if (pty.ok()) {
      ScaleOptions sics_options;
      auto sics = open_mt_sics_scale(pty.path(), 9600, sics_options);
      if (sics) {
        std::this_thread::sleep_for(500ms);
        const int before = pty.commands();
        const auto shares = measure({"pv-scale-serial", "pv-bench-sics", ""}, 3s);
        sics_commands = pty.commands() - before;
        sics_scale = shares[0];
        sics_peer = shares[1];
        sics_process = shares[2];
        (*sics)->stop();
      }
    }
  }

  const double bare_scale = bare_event_loop_cpu(0x0922, 0x8003, 0, 0x81, 3s);
  const double bare_controller = bare_event_loop_cpu(fw::k_usb_vendor, fw::k_usb_product, 0, fw::k_event_endpoint, 3s);

  std::printf("verdict → SET_OUTPUTS at the firmware, through the driver (%d rounds): p50 %.0f µs, p99 %.0f µs, max "
              "%.0f µs\n",
              k_rounds, percentile(via_driver, 0.5), percentile(via_driver, 0.99), percentile(via_driver, 1.0));
  if (!direct.empty())
    std::printf("floor, synchronous control transfer from the caller (%zu rounds): p50 %.0f µs, p99 %.0f µs\n",
                direct.size(), percentile(direct, 0.5), percentile(direct, 0.99));
  std::printf("idle CPU, controller + relay + Delcom + HID POS scale attached through umockdev, 3 s: hub event thread "
              "%.3f %%, callback thread %.3f %%, whole process %.3f %% of a core\n",
              all_idle[0], all_idle[1], all_idle[2]);
  std::printf("idle CPU, MT-SICS scale on a pty, 3 s (%d SI asked): its reader thread %.3f %%, the emulated scale's "
              "thread %.3f %%, whole process %.3f %% of a core (−1: no pty)\n",
              sics_commands, sics_scale, sics_peer, sics_process);
  std::printf("idle CPU, baseline in the same run: a bare libusb event loop with one interrupt-IN transfer waiting, "
              "3 s: on the scale %.3f %% of a core, on the controller %.3f %% (−1: could not open)\n",
              bare_scale, bare_controller);
  return 0;
}
