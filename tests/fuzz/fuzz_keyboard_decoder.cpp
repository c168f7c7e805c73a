// libFuzzer target: the boot-keyboard decoder in every layout and terminator, fed reports of any
// length with a fuzzed clock, so timeouts, Alt codes, dead keys and overflow all get exercised.
//   build-fuzz/tests/fuzz/fuzz_keyboard_decoder -max_total_time=300 tests/fuzz/corpus/keyboard_decoder
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "../../src/scanners/keyboard_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace pickverify;
  using namespace pickverify::scanners;
  if (size < 2)
    return 0;
  KeyboardDecoderSettings settings;
  settings.layout = static_cast<KeyboardLayout>(data[0] % 3);
  settings.terminator = static_cast<Terminator>((data[0] >> 2) % 3);
  settings.prefix = (data[0] & 0x40) ? "]" : "";
  settings.suffix = (data[0] & 0x80) ? "\r" : "";
  settings.inter_key_timeout = std::chrono::milliseconds(5 + data[1] % 100);
  KeyboardDecoder decoder(settings);
  auto now = KeyboardDecoder::Clock::time_point{};
  std::vector<std::string> scans;
  std::size_t at = 2;
  while (at < size) {
    // Each chunk: one control byte (length selector and time step), then the report.
    const std::uint8_t control = data[at++];
    const std::size_t length = (control & 0x80) ? (control & 0x0f) : 8;
    const std::size_t n = std::min(length, size - at);
    now += std::chrono::milliseconds((control >> 4) & 0x07);
    (void)decoder.feed(std::span<const std::uint8_t>(data + at, n), now, scans);
    if (auto expired = decoder.expire(now))
      scans.push_back(std::move(*expired));
    (void)decoder.take_dropped_oversized();
    (void)decoder.deadline();
    at += n;
    if (scans.size() > 64)
      scans.clear();
  }
  if (data[0] & 0x20)
    (void)decoder.reset();
  for (const auto& scan : scans)
    if (scan.size() > k_max_keyboard_scan_bytes)
      __builtin_trap(); // the decoder promised a bound
  return 0;
}
