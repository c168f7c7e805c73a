// libFuzzer target: the HID report-descriptor parser and the HID POS layout/decoder built on it.
// Descriptors and reports come from devices, so no input may crash, hang or read out of bounds.
//   build-fuzz/tests/fuzz/fuzz_hid_descriptor -max_total_time=300 tests/fuzz/corpus/hid_descriptor
#include <cstddef>
#include <cstdint>
#include <span>

#include "../../src/scanners/hid_descriptor.hpp"
#include "../../src/scanners/hid_pos_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace pickverify::scanners;
  // First byte splits the input: descriptor, then reports fed to the decoder it describes.
  if (size < 1)
    return 0;
  const std::size_t descriptor_size = std::min<std::size_t>(size - 1, data[0] * 4u);
  const std::span<const std::uint8_t> descriptor(data + 1, descriptor_size);
  auto parsed = parse_hid_report_descriptor(descriptor);
  if (!parsed)
    return 0;
  for (const auto& field : parsed->fields)
    (void)field.usage_of(field.count);
  auto layout = find_hid_pos_layout(*parsed);
  if (!layout)
    return 0;
  HidPosDecoder decoder(*layout);
  std::span<const std::uint8_t> rest(data + 1 + descriptor_size, size - 1 - descriptor_size);
  const std::size_t report_size = layout->report_bytes + (layout->report_id ? 1 : 0);
  while (!rest.empty()) {
    const std::size_t n = std::min(rest.size(), report_size ? report_size : std::size_t{1});
    (void)decoder.feed(rest.first(n));
    rest = rest.subspan(n);
  }
  (void)HidPosDecoder::beep_report(*layout, true);
  (void)HidPosDecoder::beep_report(*layout, false);
  return 0;
}
