#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "hid_pos_decoder.hpp"

using namespace pickverify;
using namespace pickverify::scanners;

namespace {

HidPosLayout honeywell_layout()
{
  HidPosLayout layout;
  layout.report_id = 2;
  layout.report_bytes = 63;
  layout.length = ByteRange{0, 1};
  layout.aim = ByteRange{1, 3};
  layout.data = ByteRange{4, 56};
  layout.continued_bit = 62 * 8;
  layout.good_read_beep = BitPosition{4, 6, 1};
  layout.error_beep = BitPosition{4, 5, 1};
  return layout;
}

std::vector<std::uint8_t> report(const std::string& data, const std::string& aim, bool continued,
                                 std::size_t length_byte = std::string::npos)
{
  std::vector<std::uint8_t> r(64, 0);
  r[0] = 2;
  r[1] = static_cast<std::uint8_t>(length_byte == std::string::npos ? data.size() : length_byte);
  std::copy(aim.begin(), aim.end(), r.begin() + 2);
  std::copy(data.begin(), data.end(), r.begin() + 5);
  r[63] = continued ? 1 : 0;
  return r;
}

} // namespace

TEST_CASE("HidPosDecoder assembles a GS1-128 scan from two reports with its AIM id", "[hidpos]")
{
  HidPosDecoder decoder(honeywell_layout());
  const std::string first = "0109506000001906\x1d"
                            "10LOT42\x1d"
                            "21SERIAL000000000000000001\x1d"
                            "40";
  auto part = decoder.feed(report(first, "]C1", true));
  REQUIRE(part);
  CHECK_FALSE(*part);
  CHECK(decoder.pending_bytes() == first.size());
  auto last = decoder.feed(report("0ORD-2025-00145", "]C1", false));
  REQUIRE(last);
  REQUIRE(*last);
  CHECK((*last)->data == first + "0ORD-2025-00145");
  CHECK((*last)->aim == std::optional<std::string>("]C1"));
}

TEST_CASE("HidPosDecoder keeps raw bytes exactly, NUL and high bytes included, when a length is given", "[hidpos]")
{
  HidPosDecoder decoder(honeywell_layout());
  const std::string data("A\0\xff"
                         "B",
                         4);
  auto scan = decoder.feed(report(data, "]E0", false));
  REQUIRE(scan);
  REQUIRE(*scan);
  CHECK((*scan)->data == data);
}

TEST_CASE("HidPosDecoder leaves the AIM id empty when the scanner sends none", "[hidpos]")
{
  HidPosDecoder decoder(honeywell_layout());
  auto scan = decoder.feed(report("123", std::string(3, '\0'), false));
  REQUIRE(scan);
  CHECK_FALSE((*scan)->aim);
}

TEST_CASE("HidPosDecoder rejects short, oversized and inconsistent reports and recovers", "[hidpos]")
{
  HidPosDecoder decoder(honeywell_layout());
  REQUIRE(decoder.feed(report("0109", "]C1", true)));
  auto short_report = decoder.feed(std::vector<std::uint8_t>{2, 3, ']', 'C', '1'});
  REQUIRE_FALSE(short_report);
  CHECK(short_report.error().message == "short HID POS report: 4 bytes, the descriptor says 63");
  CHECK(decoder.pending_bytes() == 0); // the half scan went with it: never glued to the next one
  auto oversized = report("1", "]C1", false);
  oversized.push_back(0);
  CHECK(decoder.feed(oversized).error().message == "oversized HID POS report: 64 bytes, the descriptor says 63");
  CHECK(decoder.feed(report("1", "]C1", false, 57)).error().message ==
        "malformed HID POS report: length 57 but only 56 data bytes");
  CHECK(decoder.feed(std::vector<std::uint8_t>{}).error().message == "empty HID POS report");
  auto other = decoder.feed(std::vector<std::uint8_t>{4, 1}); // another report id: not ours
  REQUIRE(other);
  CHECK_FALSE(*other);
  auto good = decoder.feed(report("9506000001418", "]E0", false));
  REQUIRE(good);
  CHECK((*good)->data == "9506000001418");
}

TEST_CASE("HidPosDecoder drops a scan that keeps continuing past its limit", "[hidpos]")
{
  HidPosDecoder decoder(honeywell_layout());
  const std::string chunk(56, 'x');
  Result<std::optional<HidPosScan>> last;
  for (std::size_t i = 0; i * 56 <= k_max_hid_pos_scan_bytes; ++i)
    last = decoder.feed(report(chunk, "]C1", true));
  REQUIRE_FALSE(last);
  CHECK(last.error().message == "HID POS scan longer than 8192 bytes dropped");
  CHECK(decoder.pending_bytes() == 0);
}

TEST_CASE("HidPosDecoder without a length field ends the data at the first NUL", "[hidpos]")
{
  HidPosLayout layout;
  layout.report_id = 2;
  layout.report_bytes = 60;
  layout.aim = ByteRange{0, 3};
  layout.data = ByteRange{3, 56};
  layout.continued_bit = 59 * 8;
  HidPosDecoder decoder(layout);
  std::vector<std::uint8_t> r(61, 0);
  r[0] = 2;
  r[1] = ']';
  r[2] = 'Q';
  r[3] = '3';
  const std::string data = "0109506000001906";
  std::copy(data.begin(), data.end(), r.begin() + 4);
  auto scan = decoder.feed(r);
  REQUIRE(scan);
  CHECK((*scan)->data == data);
  CHECK((*scan)->aim == std::optional<std::string>("]Q3"));
}

TEST_CASE("HidPosDecoder::beep_report sets the descriptor's beep bit in its output report", "[hidpos]")
{
  const auto layout = honeywell_layout();
  CHECK(HidPosDecoder::beep_report(layout, true) == std::vector<std::uint8_t>{4, 0x40});
  CHECK(HidPosDecoder::beep_report(layout, false) == std::vector<std::uint8_t>{4, 0x20});
  HidPosLayout silent;
  CHECK_FALSE(HidPosDecoder::beep_report(silent, true));
}
