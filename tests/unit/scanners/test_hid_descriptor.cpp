#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <pickverify/usb_protocol.hpp>

#include "hid_descriptor.hpp"

using namespace pickverify;
using namespace pickverify::scanners;

namespace {

std::vector<std::uint8_t> hex(const std::string& text)
{
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < text.size();) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    out.push_back(static_cast<std::uint8_t>(std::stoi(text.substr(i, 2), nullptr, 16)));
    i += 2;
  }
  return out;
}

const std::string k_boot_keyboard =
    "05 01 09 06 a1 01 05 07 19 e0 29 e7 15 00 25 01 75 01 95 08 81 02 95 01 75 08 81 01"
    " 95 05 75 01 05 08 19 01 29 05 91 02 95 01 75 03 91 01 95 06 75 08 15 00 25 65 05 07"
    " 19 00 29 65 81 00 c0";

const std::string k_honeywell =
    "05 8c 09 02 a1 01 09 12 a1 02 85 02 15 00 26 ff 00 75 08 95 01 05 01 09 3b 81 02 95 03 05 8c"
    " 09 fb 09 fc 09 fd 81 02 95 38 09 fe 82 02 01 06 66 ff 95 02 09 04 09 00 81 02 05 8c 25 01"
    " 75 01 95 08 09 ff 81 02 c0 09 14 a1 02 85 04 15 00 25 01 75 01 95 08 09 00 09 5f 09 60 09 00"
    " 09 00 09 85 09 86 91 86 c0 c0";

const std::string k_zebra_style =
    "05 8c 09 02 a1 01 85 02 15 00 26 ff 00 75 08 95 01 09 fb 81 02 09 fc 81 02 09 fd 81 02"
    " 95 38 09 fe 82 02 01 75 01 95 01 25 01 09 ff 81 02 75 07 81 03 c0";

} // namespace

TEST_CASE("parse_hid_report_descriptor reads the boot keyboard descriptor", "[hid]")
{
  auto descriptor = parse_hid_report_descriptor(hex(k_boot_keyboard));
  REQUIRE(descriptor);
  CHECK_FALSE(descriptor->uses_report_ids);
  CHECK(descriptor->report_bytes(ReportKind::input, 0) == 8);
  CHECK(descriptor->report_bytes(ReportKind::output, 0) == 1);
  REQUIRE(descriptor->application_usages.size() == 1);
  CHECK(descriptor->application_usages[0] == usb::usage_id(0x01, 0x06));
  // The modifier byte: eight 1-bit variables, Left Control .. Right GUI.
  CHECK(descriptor->fields[0].usage_of(0) == usb::usage_id(usb::k_page_keyboard, 0xe0));
  CHECK(descriptor->fields[0].usage_of(7) == usb::usage_id(usb::k_page_keyboard, 0xe7));
  auto layout = find_hid_pos_layout(*descriptor);
  REQUIRE_FALSE(layout);
  CHECK(layout.error().type == ErrorType::unsupported);
}

TEST_CASE("find_hid_pos_layout finds Honeywell's scanned-data report and beep bits by usage", "[hid]")
{
  auto descriptor = parse_hid_report_descriptor(hex(k_honeywell));
  REQUIRE(descriptor);
  auto layout = find_hid_pos_layout(*descriptor);
  REQUIRE(layout);
  CHECK(layout->report_id == 2);
  CHECK(layout->report_bytes == 63);
  REQUIRE(layout->length);
  CHECK(layout->length->offset == 0);
  REQUIRE(layout->aim);
  CHECK(layout->aim->offset == 1);
  CHECK(layout->data.offset == 4);
  CHECK(layout->data.length == 56);
  REQUIRE(layout->continued_bit);
  CHECK(*layout->continued_bit == 62 * 8);
  REQUIRE(layout->good_read_beep);
  CHECK(layout->good_read_beep->report_id == 4);
  CHECK(layout->good_read_beep->bit == 6);
  REQUIRE(layout->error_beep);
  CHECK(layout->error_beep->bit == 5);
}

TEST_CASE("find_hid_pos_layout reads a layout without byte count or beeper", "[hid]")
{
  auto descriptor = parse_hid_report_descriptor(hex(k_zebra_style));
  REQUIRE(descriptor);
  auto layout = find_hid_pos_layout(*descriptor);
  REQUIRE(layout);
  CHECK_FALSE(layout->length);
  CHECK(layout->aim->offset == 0);
  CHECK(layout->data.offset == 3);
  CHECK(*layout->continued_bit == 59 * 8);
  CHECK(layout->report_bytes == 60);
  CHECK_FALSE(layout->good_read_beep);
}

TEST_CASE("parse_hid_report_descriptor rejects broken descriptors with the byte that broke it", "[hid]")
{
  auto error_of = [](const std::string& text) {
    auto parsed = parse_hid_report_descriptor(hex(text));
    REQUIRE_FALSE(parsed);
    return parsed.error().message;
  };
  CHECK(error_of("05") == "report descriptor: byte 0: item runs past the end");
  CHECK(error_of("a1 01 05 01") == "report descriptor: byte 4: Collection without End Collection");
  CHECK(error_of("c0") == "report descriptor: byte 0: End Collection without Collection");
  CHECK(error_of("b4") == "report descriptor: byte 0: Pop without Push");
  CHECK(error_of("85 00") == "report descriptor: byte 0: report id 0 (must be 1..255)");
  CHECK(error_of("29 05") == "report descriptor: byte 0: Usage Maximum without Usage Minimum");
  CHECK(error_of("19 00 2a ff ff") == "report descriptor: byte 2: usage range too large or reversed");
  CHECK(error_of("75 40 95 01 81 02") == "report descriptor: byte 4: report size 64 bits, more than 32");
  CHECK(error_of("fe 05 00 01") == "report descriptor: byte 0: truncated long item");
  CHECK(parse_hid_report_descriptor({}).error().message == "report descriptor: empty");
}

TEST_CASE("find_hid_pos_layout explains what a scanner descriptor lacks", "[hid]")
{
  // A Barcode Scanner collection with symbology ids but no Decoded Data.
  auto descriptor = parse_hid_report_descriptor(hex("05 8c 09 02 a1 01 75 08 95 03 09 fb 81 02 c0"));
  REQUIRE(descriptor);
  auto layout = find_hid_pos_layout(*descriptor);
  REQUIRE_FALSE(layout);
  CHECK(layout.error().message == "HID POS: no Decoded Data usage in any input report");
}
