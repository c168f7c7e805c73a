#include "hid_descriptor.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include <pickverify/usb_protocol.hpp>

namespace pickverify::scanners {

namespace {

using namespace usb::hid_item;

constexpr std::size_t k_max_depth = 32;
constexpr std::size_t k_max_usages = 1024;
constexpr std::uint32_t k_max_report_size = 32;
constexpr std::uint32_t k_max_report_count = 8192;

struct Globals {
  std::uint16_t usage_page = 0;
  std::uint32_t report_size = 0;
  std::uint32_t report_count = 0;
  std::uint8_t report_id = 0;
};

Error malformed(std::size_t at, std::string_view what)
{
  return Error{ErrorType::invalid_input, fmt::format("report descriptor: byte {}: {}", at, what)};
}

std::uint32_t unsigned_data(std::span<const std::uint8_t> data)
{
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < data.size(); ++i)
    value |= std::uint32_t(data[i]) << (8 * i);
  return value;
}

} // namespace

std::uint32_t HidField::usage_of(std::uint32_t element) const
{
  if (usages.empty())
    return 0;
  return usages[std::min<std::size_t>(element, usages.size() - 1)];
}

std::uint32_t HidReportDescriptor::report_bytes(ReportKind kind, std::uint8_t report_id) const
{
  for (const auto& report : reports)
    if (report.kind == kind && report.report_id == report_id)
      return (report.bits + 7) / 8;
  return 0;
}

Result<HidReportDescriptor> parse_hid_report_descriptor(std::span<const std::uint8_t> bytes)
{
  if (bytes.empty())
    return tl::unexpected(Error{ErrorType::invalid_input, "report descriptor: empty"});
  if (bytes.size() > k_max_descriptor_bytes)
    return tl::unexpected(Error{ErrorType::invalid_input, fmt::format("report descriptor: {} bytes, more than {}",
                                                                      bytes.size(), k_max_descriptor_bytes)});
  HidReportDescriptor out;
  Globals globals;
  std::vector<Globals> stack;
  std::vector<std::uint32_t> usages;
  std::uint32_t usage_minimum = 0;
  bool has_usage_minimum = false;
  std::vector<std::uint32_t> collections;
  std::map<std::pair<ReportKind, std::uint8_t>, std::uint32_t> report_bits;

  std::size_t at = 0;
  while (at < bytes.size()) {
    const std::uint8_t prefix = bytes[at];
    if (prefix == k_long_item) {
      if (at + 2 >= bytes.size())
        return tl::unexpected(malformed(at, "truncated long item"));
      const std::size_t size = bytes[at + 1];
      if (at + 3 + size > bytes.size())
        return tl::unexpected(malformed(at, "truncated long item"));
      at += 3 + size;
      continue;
    }
    std::size_t size = prefix & 0x03;
    if (size == 3)
      size = 4;
    if (at + 1 + size > bytes.size())
      return tl::unexpected(malformed(at, "item runs past the end"));
    const auto data = bytes.subspan(at + 1, size);
    const std::uint32_t value = unsigned_data(data);
    const std::uint8_t tag = prefix & 0xfc;

    auto local_usage = [&](std::uint32_t raw) -> std::uint32_t {
      // A 4-byte usage carries its own page; shorter ones use the current Usage Page.
      return size == 4 ? raw : usb::usage_id(globals.usage_page, static_cast<std::uint16_t>(raw));
    };

    switch (tag) {
    case k_main_input:
    case k_main_output:
    case k_main_feature: {
      const ReportKind kind = tag == k_main_input    ? ReportKind::input
                              : tag == k_main_output ? ReportKind::output
                                                     : ReportKind::feature;
      if (globals.report_size > k_max_report_size)
        return tl::unexpected(
            malformed(at, fmt::format("report size {} bits, more than {}", globals.report_size, k_max_report_size)));
      if (globals.report_count > k_max_report_count)
        return tl::unexpected(
            malformed(at, fmt::format("report count {}, more than {}", globals.report_count, k_max_report_count)));
      auto& bits = report_bits[{kind, globals.report_id}];
      HidField field;
      field.kind = kind;
      field.report_id = globals.report_id;
      field.bit_offset = bits;
      field.bit_size = globals.report_size;
      field.count = globals.report_count;
      field.constant = (value & 0x01) != 0;
      field.variable = (value & 0x02) != 0;
      field.usages = std::move(usages);
      field.collection_usage = collections.empty() ? 0 : collections.back();
      bits += globals.report_size * globals.report_count;
      if (bits > k_max_report_bits)
        return tl::unexpected(malformed(at, "report longer than 8 KiB"));
      if (out.fields.size() >= k_max_fields)
        return tl::unexpected(malformed(at, fmt::format("more than {} fields", k_max_fields)));
      if (field.count > 0 && field.bit_size > 0)
        out.fields.push_back(std::move(field));
      usages.clear();
      has_usage_minimum = false;
      break;
    }
    case k_main_collection: {
      if (collections.size() >= k_max_depth)
        return tl::unexpected(malformed(at, "collections nested too deep"));
      const std::uint32_t usage = usages.empty() ? 0 : usages.front();
      if (collections.empty() && value == k_collection_application)
        out.application_usages.push_back(usage);
      collections.push_back(usage);
      usages.clear();
      has_usage_minimum = false;
      break;
    }
    case k_main_end_collection:
      if (collections.empty())
        return tl::unexpected(malformed(at, "End Collection without Collection"));
      collections.pop_back();
      usages.clear();
      has_usage_minimum = false;
      break;
    case k_global_usage_page:
      globals.usage_page = static_cast<std::uint16_t>(value);
      break;
    case k_global_report_size:
      globals.report_size = value;
      break;
    case k_global_report_count:
      globals.report_count = value;
      break;
    case k_global_report_id:
      if (value == 0 || value > 0xff)
        return tl::unexpected(malformed(at, fmt::format("report id {} (must be 1..255)", value)));
      globals.report_id = static_cast<std::uint8_t>(value);
      out.uses_report_ids = true;
      break;
    case k_global_push:
      if (stack.size() >= k_max_depth)
        return tl::unexpected(malformed(at, "Push nested too deep"));
      stack.push_back(globals);
      break;
    case k_global_pop:
      if (stack.empty())
        return tl::unexpected(malformed(at, "Pop without Push"));
      globals = stack.back();
      stack.pop_back();
      break;
    case k_global_logical_minimum:
    case k_global_logical_maximum:
    case k_global_physical_minimum:
    case k_global_physical_maximum:
    case k_global_unit_exponent:
    case k_global_unit:
      break; // values we do not need: scanners send bytes and flags
    case k_local_usage:
      if (usages.size() >= k_max_usages)
        return tl::unexpected(malformed(at, "too many usages"));
      usages.push_back(local_usage(value));
      break;
    case k_local_usage_minimum:
      usage_minimum = local_usage(value);
      has_usage_minimum = true;
      break;
    case k_local_usage_maximum: {
      if (!has_usage_minimum)
        return tl::unexpected(malformed(at, "Usage Maximum without Usage Minimum"));
      const std::uint32_t minimum = usage_minimum;
      const std::uint32_t maximum = local_usage(value);
      if (maximum < minimum || maximum - minimum >= k_max_usages || usages.size() + (maximum - minimum) >= k_max_usages)
        return tl::unexpected(malformed(at, "usage range too large or reversed"));
      for (std::uint32_t u = minimum; u <= maximum; ++u)
        usages.push_back(u);
      has_usage_minimum = false;
      break;
    }
    default:
      break; // other local items (designators, strings, delimiters) do not matter here
    }
    at += 1 + size;
  }
  if (!collections.empty())
    return tl::unexpected(malformed(bytes.size(), "Collection without End Collection"));

  for (const auto& [key, bits] : report_bits)
    out.reports.push_back(HidReportInfo{key.first, key.second, bits});
  if (out.uses_report_ids)
    for (const auto& field : out.fields)
      if (field.report_id == 0)
        return tl::unexpected(
            Error{ErrorType::invalid_input, "report descriptor: fields both with and without report ids"});
  return out;
}

Result<HidPosLayout> find_hid_pos_layout(const HidReportDescriptor& descriptor)
{
  const bool is_scanner = std::find(descriptor.application_usages.begin(), descriptor.application_usages.end(),
                                    usb::usage_id(usb::k_page_barcode_scanner, usb::k_usage_bcs_barcode_scanner)) !=
                          descriptor.application_usages.end();
  if (!is_scanner)
    return make_error(ErrorType::unsupported, "HID POS: no Barcode Scanner application collection (usage page 0x8C)");

  // Find the input report holding Decoded Data, then read every other field from that report.
  const HidField* data_field = nullptr;
  for (const auto& field : descriptor.fields)
    if (field.kind == ReportKind::input && !field.constant &&
        field.usage_of(0) == usb::usage_id(usb::k_page_barcode_scanner, usb::k_usage_bcs_decoded_data)) {
      data_field = &field;
      break;
    }
  if (!data_field)
    return make_error(ErrorType::unsupported, "HID POS: no Decoded Data usage in any input report");
  if (data_field->bit_size != 8 || data_field->bit_offset % 8 != 0)
    return make_error(ErrorType::unsupported, "HID POS: Decoded Data is not byte aligned bytes");

  HidPosLayout layout;
  layout.report_id = data_field->report_id;
  layout.report_bytes = descriptor.report_bytes(ReportKind::input, layout.report_id);
  layout.data = ByteRange{data_field->bit_offset / 8, data_field->count};

  std::optional<std::uint32_t> aim_bits[3];
  for (const auto& field : descriptor.fields) {
    if (field.kind != ReportKind::input || field.report_id != layout.report_id || field.constant)
      continue;
    for (std::uint32_t i = 0; i < field.count; ++i) {
      const std::uint32_t usage = field.variable ? field.usage_of(i) : field.usage_of(0);
      const std::uint32_t bit = field.bit_offset + i * field.bit_size;
      if (usage == usb::usage_id(usb::k_page_generic_desktop, usb::k_usage_gd_byte_count) && field.bit_size == 8 &&
          bit % 8 == 0)
        layout.length = ByteRange{bit / 8, 1};
      else if (usage == usb::usage_id(usb::k_page_barcode_scanner, usb::k_usage_bcs_decode_data_continued) &&
               !layout.continued_bit)
        layout.continued_bit = bit;
      for (int n = 0; n < 3; ++n)
        if (usage == usb::usage_id(usb::k_page_barcode_scanner,
                                   static_cast<std::uint16_t>(usb::k_usage_bcs_symbology_identifier_1 + n)) &&
            field.bit_size == 8 && bit % 8 == 0)
          aim_bits[n] = bit;
    }
  }
  if (aim_bits[0] && aim_bits[1] && aim_bits[2] && *aim_bits[1] == *aim_bits[0] + 8 && *aim_bits[2] == *aim_bits[1] + 8)
    layout.aim = ByteRange{*aim_bits[0] / 8, 3};

  for (const auto& field : descriptor.fields) {
    if (field.kind != ReportKind::output || field.constant || field.bit_size != 1)
      continue;
    for (std::uint32_t i = 0; i < field.count; ++i) {
      const std::uint32_t usage = field.variable ? field.usage_of(i) : 0;
      BitPosition position{field.report_id, field.bit_offset + i,
                           descriptor.report_bytes(ReportKind::output, field.report_id)};
      if (usage == usb::usage_id(usb::k_page_barcode_scanner, usb::k_usage_bcs_sound_good_read_beep) &&
          !layout.good_read_beep)
        layout.good_read_beep = position;
      if (usage == usb::usage_id(usb::k_page_barcode_scanner, usb::k_usage_bcs_sound_error_beep) && !layout.error_beep)
        layout.error_beep = position;
    }
  }
  return layout;
}

} // namespace pickverify::scanners
