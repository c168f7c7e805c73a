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
#include "transcript.hpp"

// What the decoder makes of one input (see transcript.hpp): byte 0 picks layout, terminator, prefix and
// suffix, byte 1 the inter-key timeout; then chunks of one control byte (length, time step) and a report.
std::string fuzz_keyboard_decoder_transcript(const std::uint8_t* data, std::size_t size)
{
  using namespace pickverify;
  using namespace pickverify::scanners;
  fuzz::Transcript out;
  if (size < 2) {
    out.line("too short");
    return out.text();
  }
  KeyboardDecoderSettings settings;
  settings.layout = static_cast<KeyboardLayout>(data[0] % 3);
  settings.terminator = static_cast<Terminator>((data[0] >> 2) % 3);
  settings.prefix = (data[0] & 0x40) ? "]" : "";
  settings.suffix = (data[0] & 0x80) ? "\r" : "";
  settings.inter_key_timeout = std::chrono::milliseconds(5 + data[1] % 100);
  out.line("layout {}, terminator {}, prefix '{}', suffix '{}', timeout {} ms", to_string(settings.layout),
           to_string(settings.terminator), fuzz::printable(settings.prefix), fuzz::printable(settings.suffix),
           settings.inter_key_timeout.count());
  KeyboardDecoder decoder(settings);
  auto now = KeyboardDecoder::Clock::time_point{};
  std::vector<std::string> scans;
  const auto flush = [&] {
    for (const auto& scan : scans) {
      if (scan.size() > k_max_keyboard_scan_bytes) {
        __builtin_trap(); // the decoder promised a bound
      }
      out.line("scan: {}", fuzz::printable(scan));
    }
    scans.clear();
  };
  std::size_t at = 2;
  while (at < size) {
    const std::uint8_t control = data[at++];
    const std::size_t length = (control & 0x80) ? (control & 0x0f) : 8;
    const std::size_t n = std::min(length, size - at);
    now += std::chrono::milliseconds((control >> 4) & 0x07);
    if (auto fed = decoder.feed(std::span<const std::uint8_t>(data + at, n), now, scans); !fed) {
      out.line("report ({} bytes): error: {}", n, fed.error().message);
    }
    if (auto expired = decoder.expire(now)) {
      out.line("timed out:");
      scans.push_back(std::move(*expired));
    }
    if (decoder.take_dropped_oversized()) {
      out.line("dropped an oversized scan");
    }
    (void)decoder.deadline();
    at += n;
    flush();
  }
  if (data[0] & 0x20) {
    out.line("reset dropped {} bytes", decoder.reset());
  }
  return out.text();
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  (void)fuzz_keyboard_decoder_transcript(data, size);
  return 0;
}
