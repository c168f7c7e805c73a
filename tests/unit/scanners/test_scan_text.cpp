#include <catch2/catch.hpp>

#include <pickverify/scan_text.hpp>

using namespace pickverify;

TEST_CASE("escape_scan_text shows GS, control and high bytes and round-trips through unescape_scan_text", "[scan_text]")
{
  const std::string raw("01\x1d"
                        "10<LOT>\\\r\xc3\x9f\x00",
                        15);
  const std::string text = escape_scan_text(raw);
  CHECK(text == "01<GS>10\\x3cLOT>\\\\\\x0d\\xc3\\x9f\\x00");
  CHECK(unescape_scan_text(text) == raw);
  CHECK_FALSE(unescape_scan_text("\\q"));
  CHECK_FALSE(unescape_scan_text("\\x4"));
}
