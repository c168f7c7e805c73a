// A HID report-descriptor parser (HID 1.11 §6.2.2) and, on top of it, the layout of a HID POS
// barcode scanner (usage page 0x8C): where the scanned data, its length, the AIM symbology id and the
// "continued" flag sit in the input report, and which output bits sound the beeper.
// Descriptors come from devices, so everything here is bounded and fails with an error, not a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <pickverify/error.hpp>

namespace pickverify::scanners {

constexpr std::size_t k_max_descriptor_bytes = 4096;
constexpr std::size_t k_max_fields = 512;
constexpr std::size_t k_max_report_bits = 8 * 1024 * 8; // 8 KiB per report is far beyond any scanner

enum class ReportKind { input, output, feature };

struct HidField {
  ReportKind kind = ReportKind::input;
  std::uint8_t report_id = 0;   // 0 when the descriptor declares no report ids
  std::uint32_t bit_offset = 0; // from the start of the report, after the report-id byte
  std::uint32_t bit_size = 0;   // one element
  std::uint32_t count = 0;
  bool constant = false;
  bool variable = false;
  std::vector<std::uint32_t> usages;  // page << 16 | id; for a variable field one per element
  std::uint32_t collection_usage = 0; // the innermost enclosing collection's usage

  std::uint32_t usage_of(std::uint32_t element) const;
};

struct HidReportInfo {
  ReportKind kind = ReportKind::input;
  std::uint8_t report_id = 0;
  std::uint32_t bits = 0;
};

struct HidReportDescriptor {
  std::vector<HidField> fields;
  std::vector<HidReportInfo> reports;
  std::vector<std::uint32_t> application_usages; // top-level application collections
  bool uses_report_ids = false;

  std::uint32_t report_bytes(ReportKind kind, std::uint8_t report_id) const;
};

Result<HidReportDescriptor> parse_hid_report_descriptor(std::span<const std::uint8_t> bytes);

struct ByteRange {
  std::uint32_t offset = 0; // bytes after the report id
  std::uint32_t length = 0;
};

struct BitPosition {
  std::uint8_t report_id = 0;
  std::uint32_t bit = 0;
  std::uint32_t report_bytes = 0; // output report payload size
};

// Where a HID POS scanner puts what we need, found by usage, not by a model's byte offsets.
struct HidPosLayout {
  std::uint8_t report_id = 0;
  std::uint32_t report_bytes = 0;             // payload after the report id
  ByteRange data;                             // Decoded Data
  std::optional<ByteRange> length;            // Byte Count (Honeywell); absent → data ends at first NUL
  std::optional<ByteRange> aim;               // Symbology Identifier 1..3 as three consecutive bytes
  std::optional<std::uint32_t> continued_bit; // Decode Data Continued
  std::optional<BitPosition> good_read_beep;
  std::optional<BitPosition> error_beep;
};

// The scanned-data input report of a Barcode Scanner application collection, or an error saying
// what is missing ("no Decoded Data usage").
Result<HidPosLayout> find_hid_pos_layout(const HidReportDescriptor& descriptor);

} // namespace pickverify::scanners
