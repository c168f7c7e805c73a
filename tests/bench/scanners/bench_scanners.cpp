// Input report → ScanEvent. Each benchmark has its obvious alternative in the same run:
//   keyboard decoding:  our table-driven decoder      vs  a std::map lookup per key (the first thing one writes)
//   HID POS decoding:   layout found once at claim     vs  parsing the report descriptor for every report
//   end to end:         async transfers, 2 in flight   vs  a synchronous libusb_interrupt_transfer loop
// End-to-end figures are latencies from the emulated device handing the last report to the host
// until on_scan runs; the emulator has no bus interval, so they are the cost beyond the USB interval.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include <libusb.h>

#include <pickverify/device_profile.hpp>
#include <pickverify/device_state.hpp>
#include <pickverify/scanner_manager.hpp>

#include "hid_descriptor.hpp"
#include "hid_pos_decoder.hpp"
#include "keyboard_decoder.hpp"
#include "usb_emulator.hpp"

using namespace pickverify;
using namespace pickverify::scanners;
using Clock = std::chrono::steady_clock;

namespace {

const std::string k_honeywell =
    "05 8c 09 02 a1 01 09 12 a1 02 85 02 15 00 26 ff 00 75 08 95 01 05 01 09 3b 81 02 95 03 05 8c"
    " 09 fb 09 fc 09 fd 81 02 95 38 09 fe 82 02 01 06 66 ff 95 02 09 04 09 00 81 02 05 8c 25 01"
    " 75 01 95 08 09 ff 81 02 c0 09 14 a1 02 85 04 15 00 25 01 75 01 95 08 09 00 09 5f 09 60 09 00"
    " 09 00 09 85 09 86 91 86 c0 c0";
const std::string k_boot_keyboard =
    "05 01 09 06 a1 01 05 07 19 e0 29 e7 15 00 25 01 75 01 95 08 81 02 95 01 75 08 81 01"
    " 95 05 75 01 05 08 19 01 29 05 91 02 95 01 75 03 91 01 95 06 75 08 15 00 25 65 05 07"
    " 19 00 29 65 81 00 c0";

std::vector<std::vector<std::uint8_t>> gtin_reports()
{
  std::vector<std::vector<std::uint8_t>> reports;
  for (char c : std::string("9506000001418")) {
    const std::uint8_t usage = c == '0' ? 0x27 : static_cast<std::uint8_t>(0x1e + (c - '1'));
    reports.push_back({0, 0, usage, 0, 0, 0, 0, 0});
    reports.push_back({0, 0, 0, 0, 0, 0, 0, 0});
  }
  reports.push_back({0, 0, 0x28, 0, 0, 0, 0, 0});
  reports.push_back({0, 0, 0, 0, 0, 0, 0, 0});
  return reports;
}

std::vector<std::uint8_t> honeywell_report(const std::string& data)
{
  std::vector<std::uint8_t> report(64, 0);
  report[0] = 2;
  report[1] = static_cast<std::uint8_t>(data.size());
  report[2] = ']';
  report[3] = 'C';
  report[4] = '1';
  std::copy(data.begin(), data.end(), report.begin() + 5);
  return report;
}

// The alternative: a map from (shift, usage) to character, looked up per key press.
class NaiveKeyboardDecoder {
public:
  NaiveKeyboardDecoder()
  {
    for (int i = 0; i < 26; ++i) {
      m_keys[{false, 0x04 + i}] = static_cast<char>('a' + i);
      m_keys[{true, 0x04 + i}] = static_cast<char>('A' + i);
    }
    const std::string digits = "1234567890", shifted = "!@#$%^&*()";
    for (int i = 0; i < 10; ++i) {
      m_keys[{false, 0x1e + i}] = digits[static_cast<std::size_t>(i)];
      m_keys[{true, 0x1e + i}] = shifted[static_cast<std::size_t>(i)];
    }
  }
  std::optional<std::string> feed(const std::vector<std::uint8_t>& report)
  {
    const int usage = report[2];
    if (usage == 0 || usage == m_last)
      return m_last = usage, std::nullopt;
    m_last = usage;
    if (usage == 0x28) {
      std::string scan = m_text;
      m_text.clear();
      return scan;
    }
    auto it = m_keys.find({(report[0] & 0x22) != 0, usage});
    if (it != m_keys.end())
      m_text += it->second;
    return std::nullopt;
  }

private:
  std::map<std::pair<bool, int>, char> m_keys;
  std::string m_text;
  int m_last = 0;
};

void BM_KeyboardDecoder_Gtin(benchmark::State& state)
{
  const auto reports = gtin_reports();
  KeyboardDecoder decoder(KeyboardDecoderSettings{});
  std::vector<std::string> scans;
  for (auto _ : state) {
    const auto now = Clock::now();
    for (const auto& report : reports)
      (void)decoder.feed(report, now, scans);
    benchmark::DoNotOptimize(scans.back());
    scans.clear();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeyboardDecoder_Gtin);

void BM_NaiveMapKeyboardDecoder_Gtin(benchmark::State& state)
{
  const auto reports = gtin_reports();
  NaiveKeyboardDecoder decoder;
  for (auto _ : state) {
    std::optional<std::string> scan;
    for (const auto& report : reports)
      if (auto s = decoder.feed(report))
        scan = std::move(s);
    benchmark::DoNotOptimize(scan);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NaiveMapKeyboardDecoder_Gtin);

void BM_HidPosDecoder_LayoutOnce(benchmark::State& state)
{
  const auto descriptor = pickverify::test::parse_hex(k_honeywell);
  auto layout = find_hid_pos_layout(*parse_hid_report_descriptor(descriptor));
  HidPosDecoder decoder(*layout);
  const auto report = honeywell_report("0109506000001906\x1d"
                                       "10LOT42");
  for (auto _ : state) {
    auto scan = decoder.feed(report);
    benchmark::DoNotOptimize(scan);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HidPosDecoder_LayoutOnce);

void BM_HidPosDecoder_ParseDescriptorPerReport(benchmark::State& state)
{
  const auto descriptor = pickverify::test::parse_hex(k_honeywell);
  const auto report = honeywell_report("0109506000001906\x1d"
                                       "10LOT42");
  for (auto _ : state) {
    auto layout = find_hid_pos_layout(*parse_hid_report_descriptor(descriptor));
    HidPosDecoder decoder(*layout);
    auto scan = decoder.feed(report);
    benchmark::DoNotOptimize(scan);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HidPosDecoder_ParseDescriptorPerReport);

void report_percentiles(benchmark::State& state, std::vector<double>& micros)
{
  if (micros.empty())
    return;
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) {
    return micros[std::min(micros.size() - 1, static_cast<std::size_t>(q * double(micros.size())))];
  };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
  state.counters["max_us"] = micros.back();
}

// Latency from handing the report to the host until on_scan ran, through the real ScannerManager.
void BM_EndToEnd_HidPos_ScannerManager(benchmark::State& state)
{
  pickverify::test::UsbEmulator usb;
  pickverify::test::EmulatedDeviceSpec spec;
  spec.vendor = 0x0c2e;
  spec.product = 0x0b8f;
  spec.boot_keyboard = false;
  spec.packet_size = 64;
  spec.report_descriptor = pickverify::test::parse_hex(k_honeywell);
  const auto key = usb.plug(spec);
  std::atomic<int> delivered{0};
  std::atomic<bool> online{false};
  std::atomic<long> delivered_at{0};
  ScannerManagerOptions options;
  DeviceProfile profile;
  profile.name = "bench";
  profile.usb = UsbId{0x0c2e, 0x0b8f};
  profile.mode = ScannerMode::hid_pos;
  options.profiles = {profile};
  options.assignments = {{"bench", StationAssignment::Match::any, ""}};
  options.on_scan = [&](const ScanEvent& event) {
    delivered_at = event.monotonic.time_since_epoch().count();
    delivered++;
    delivered.notify_one();
  };
  options.on_device_state = [&](const std::string&, const std::string&, DeviceState s, const std::string&) {
    online = s == DeviceState::online;
  };
  auto manager = ScannerManager::start(options);
  while (!online)
    std::this_thread::yield();
  const auto report = honeywell_report("0109506000001906\x1d"
                                       "10LOT42");
  std::vector<double> micros;
  for (auto _ : state) {
    const int before = delivered;
    const auto sent = Clock::now();
    usb.send(key, report);
    delivered.wait(before); // sleeps: a spinning waiter would steal the event thread's core
    micros.push_back(double(delivered_at - sent.time_since_epoch().count()) / 1000.0);
  }
  (*manager)->stop();
  report_percentiles(state, micros);
}
BENCHMARK(BM_EndToEnd_HidPos_ScannerManager)->Iterations(2000)->UseRealTime();

void BM_EndToEnd_Keyboard_ScannerManager(benchmark::State& state)
{
  pickverify::test::UsbEmulator usb;
  pickverify::test::EmulatedDeviceSpec spec;
  spec.vendor = 0x05e0;
  spec.product = 0x1200;
  spec.report_descriptor = pickverify::test::parse_hex(k_boot_keyboard);
  const auto key = usb.plug(spec);
  std::atomic<int> delivered{0};
  std::atomic<bool> online{false};
  std::atomic<long> delivered_at{0};
  ScannerManagerOptions options;
  DeviceProfile profile;
  profile.name = "bench";
  profile.usb = UsbId{0x05e0, 0x1200};
  options.profiles = {profile};
  options.assignments = {{"bench", StationAssignment::Match::any, ""}};
  options.on_scan = [&](const ScanEvent& event) {
    delivered_at = event.monotonic.time_since_epoch().count();
    delivered++;
    delivered.notify_one();
  };
  options.on_device_state = [&](const std::string&, const std::string&, DeviceState s, const std::string&) {
    online = s == DeviceState::online;
  };
  auto manager = ScannerManager::start(options);
  while (!online)
    std::this_thread::yield();
  auto reports = gtin_reports();
  const auto enter = reports[reports.size() - 2];
  const auto release = reports.back();
  reports.resize(reports.size() - 2);
  std::vector<double> micros;
  for (auto _ : state) {
    state.PauseTiming();
    for (const auto& r : reports)
      usb.send(key, r);
    while (usb.queued(key) != 0)
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    // Let the host work off the digits, so the timing below is the Enter report alone.
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    state.ResumeTiming();
    const int before = delivered;
    const auto sent = Clock::now();
    usb.send(key, enter);   // the report that completes the scan
    delivered.wait(before); // sleeps: a spinning waiter would steal the event thread's core
    micros.push_back(double(delivered_at - sent.time_since_epoch().count()) / 1000.0);
    usb.send(key, release);
  }
  (*manager)->stop();
  report_percentiles(state, micros);
}
BENCHMARK(BM_EndToEnd_Keyboard_ScannerManager)->Iterations(500)->UseRealTime();

// The alternative: a thread blocking in libusb_interrupt_transfer, one transfer at a time.
void BM_EndToEnd_HidPos_SyncReadLoop(benchmark::State& state)
{
  pickverify::test::UsbEmulator usb;
  pickverify::test::EmulatedDeviceSpec spec;
  spec.vendor = 0x0c2e;
  spec.product = 0x0b8f;
  spec.boot_keyboard = false;
  spec.packet_size = 64;
  spec.report_descriptor = pickverify::test::parse_hex(k_honeywell);
  const auto key = usb.plug(spec);
  libusb_context* context = nullptr;
  libusb_init(&context);
  libusb_device_handle* handle = libusb_open_device_with_vid_pid(context, 0x0c2e, 0x0b8f);
  if (!handle) {
    state.SkipWithError("cannot open the emulated device (run with LD_PRELOAD=libumockdev-preload.so.0)");
    libusb_exit(context);
    return;
  }
  libusb_detach_kernel_driver(handle, 0);
  libusb_claim_interface(handle, 0);
  auto layout = find_hid_pos_layout(*parse_hid_report_descriptor(spec.report_descriptor));
  HidPosDecoder decoder(*layout);
  std::atomic<int> delivered{0};
  std::atomic<long> delivered_at{0};
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    std::vector<std::uint8_t> buffer(64);
    while (!stop) {
      int got = 0;
      const int r = libusb_interrupt_transfer(handle, 0x81, buffer.data(), 64, &got, 100);
      if (r == 0)
        if (auto scan = decoder.feed(std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(got)));
            scan && *scan) {
          delivered_at = Clock::now().time_since_epoch().count();
          delivered++;
          delivered.notify_one();
        }
    }
  });
  const auto report = honeywell_report("0109506000001906\x1d"
                                       "10LOT42");
  std::vector<double> micros;
  for (auto _ : state) {
    const int before = delivered;
    const auto sent = Clock::now();
    usb.send(key, report);
    delivered.wait(before); // sleeps: a spinning waiter would steal the event thread's core
    micros.push_back(double(delivered_at - sent.time_since_epoch().count()) / 1000.0);
  }
  stop = true;
  reader.join();
  libusb_release_interface(handle, 0);
  libusb_close(handle);
  libusb_exit(context);
  report_percentiles(state, micros);
}
BENCHMARK(BM_EndToEnd_HidPos_SyncReadLoop)->Iterations(2000)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
