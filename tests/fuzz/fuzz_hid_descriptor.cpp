// libFuzzer target: the HID report-descriptor parser and the HID POS layout/decoder built on it.
// Descriptors and reports come from devices, so no input may crash, hang or read out of bounds.
//   build-fuzz/tests/fuzz/fuzz_hid_descriptor -max_total_time=300 tests/fuzz/corpus/hid_descriptor
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "../../src/scanners/hid_descriptor.hpp"
#include "../../src/scanners/hid_pos_decoder.hpp"
#include "transcript.hpp"

namespace {

std::string range_text(const std::optional<pickverify::scanners::ByteRange>& range)
{
  return range ? fmt::format("{}+{}", range->offset, range->length) : std::string("none");
}

std::string bytes_text(const std::optional<std::vector<std::uint8_t>>& bytes)
{
  if (!bytes) {
    return "none";
  }
  std::string out;
  for (const auto byte : *bytes) {
    out += fmt::format("{}{:02x}", out.empty() ? "" : " ", byte);
  }
  return out;
}

} // namespace

// What the parser, the layout finder and the decoder make of one input (see transcript.hpp). The
// first byte splits it: a descriptor of up to 4 × data[0] bytes, then reports fed to its decoder.
std::string fuzz_hid_descriptor_transcript(const std::uint8_t* data, std::size_t size)
{
  using namespace pickverify::scanners;
  pickverify::fuzz::Transcript out;
  if (size < 1) {
    out.line("empty input");
    return out.text();
  }
  const std::size_t descriptor_size = std::min<std::size_t>(size - 1, data[0] * 4u);
  const std::span<const std::uint8_t> descriptor(data + 1, descriptor_size);
  auto parsed = parse_hid_report_descriptor(descriptor);
  if (!parsed) {
    out.line("descriptor ({} bytes): error: {}", descriptor_size, parsed.error().message);
    return out.text();
  }
  out.line("descriptor ({} bytes): {} fields, {} reports, {} applications, report ids {}", descriptor_size,
           parsed->fields.size(), parsed->reports.size(), parsed->application_usages.size(),
           parsed->uses_report_ids ? "yes" : "no");
  for (const auto& field : parsed->fields) {
    (void)field.usage_of(field.count);
  }
  auto layout = find_hid_pos_layout(*parsed);
  if (!layout) {
    out.line("layout: error: {}", layout.error().message);
    return out.text();
  }
  out.line("layout: report id {}, {} bytes, data {}, length {}, aim {}, continued {}", layout->report_id,
           layout->report_bytes, range_text(layout->data), range_text(layout->length), range_text(layout->aim),
           layout->continued_bit ? std::to_string(*layout->continued_bit) : std::string("none"));
  HidPosDecoder decoder(*layout);
  std::span<const std::uint8_t> rest(data + 1 + descriptor_size, size - 1 - descriptor_size);
  const std::size_t report_size = layout->report_bytes + (layout->report_id ? 1 : 0);
  while (!rest.empty()) {
    const std::size_t n = std::min(rest.size(), report_size ? report_size : std::size_t{1});
    auto fed = decoder.feed(rest.first(n));
    if (!fed) {
      out.line("report ({} bytes): error: {}", n, fed.error().message);
    } else if (*fed) {
      out.line("scan: {} (aim {})", pickverify::fuzz::printable((*fed)->data),
               (*fed)->aim ? pickverify::fuzz::printable(*(*fed)->aim) : std::string("none"));
    }
    rest = rest.subspan(n);
  }
  out.line("pending bytes: {}", decoder.pending_bytes());
  out.line("good-read beep: {}", bytes_text(HidPosDecoder::beep_report(*layout, true)));
  out.line("error beep: {}", bytes_text(HidPosDecoder::beep_report(*layout, false)));
  return out.text();
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  (void)fuzz_hid_descriptor_transcript(data, size);
  return 0;
}
