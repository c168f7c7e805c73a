// parse_code: one scan's bytes → kind, GTIN-14, GS1 fields or a reason; never fails.
#include <catch2/catch.hpp>

#include <pickverify/codes.hpp>

using namespace pickverify;

namespace {

const std::string k_gs = "\x1d";

} // namespace

TEST_CASE("parse_code strips an AIM prefix and keeps it as the symbology")
{
  const auto code = parse_code("]E09506000134352");
  CHECK(code.kind == CodeKind::gtin);
  REQUIRE(code.aim);
  CHECK(code.aim->to_string() == "]E0");
  CHECK(code.data == "9506000134352");
  CHECK(code.gtin14 == "09506000134352");
  CHECK(code.alternates.empty());
  CHECK(code.reason.empty());
}

TEST_CASE("parse_code prefers the AIM id the device reported")
{
  const auto code = parse_code("]C0"
                               "0109506000134352"
                               "10ABC",
                               std::string_view("]C1"));
  CHECK(code.aim->to_string() == "]C1");
  CHECK(code.data == "0109506000134352"
                     "10ABC");
  CHECK(code.kind == CodeKind::gtin);
  CHECK(code.fields.size() == 2);

  const auto device_only = parse_code("96385074", std::string_view("]E4"));
  CHECK(device_only.aim->to_string() == "]E4");
  CHECK(device_only.kind == CodeKind::gtin);
  CHECK(device_only.gtin14 == "00000096385074");
  CHECK(device_only.alternates.empty());
}

TEST_CASE("parse_code reads EAN-13, UPC-A, GTIN-14 and EAN-8")
{
  CHECK(parse_code("9506000134352").gtin14 == "09506000134352");
  CHECK(parse_code("]E0042100005264").gtin14 == "00042100005264");
  CHECK(parse_code("10950600013436").gtin14 == "10950600013436");
  CHECK(parse_code("]I110950600013436").gtin14 == "10950600013436");
  CHECK(parse_code("]E496385074").gtin14 == "00000096385074");
  CHECK(parse_code("9506000134352\r\n").gtin14 == "09506000134352");
}

TEST_CASE("parse_code expands UPC-E under AIM id E0")
{
  const auto code = parse_code("]E004252614");
  CHECK(code.kind == CodeKind::gtin);
  CHECK(code.gtin14 == "00042100005264");
  CHECK(code.data == "04252614");
}

TEST_CASE("parse_code gives both readings of 8 digits without an AIM id")
{
  // Valid as EAN-8 and as UPC-E (000791000098).
  const auto both = parse_code("00079198");
  CHECK(both.kind == CodeKind::gtin);
  CHECK(both.gtin14 == "00000000079198");
  REQUIRE(both.alternates.size() == 1);
  CHECK(both.alternates[0] == "00000791000098");

  // Only the UPC-E reading has a valid check digit.
  const auto upce = parse_code("04252614");
  CHECK(upce.kind == CodeKind::gtin);
  CHECK(upce.gtin14 == "00042100005264");
  CHECK(upce.alternates.empty());

  // Only EAN-8 (number system 9 has no UPC-E).
  const auto ean8 = parse_code("96385074");
  CHECK(ean8.gtin14 == "00000096385074");
  CHECK(ean8.alternates.empty());

  const auto neither = parse_code("96385075");
  CHECK(neither.kind == CodeKind::malformed);
  CHECK(neither.reason == "check digit: expected 4, got 5");
}

TEST_CASE("parse_code reports a wrong check digit as malformed with the expected digit")
{
  const auto code = parse_code("9506000134353");
  CHECK(code.kind == CodeKind::malformed);
  CHECK(code.reason == "check digit: expected 2, got 3");
  CHECK(code.gtin14.empty());
  CHECK(parse_code("]E01234565").kind == CodeKind::malformed); // UPC-E with a bad check digit
  CHECK(parse_code("]E412345674").reason == "check digit: expected 0, got 4");
  CHECK(parse_code("]E41234567").reason == "not an EAN-8: 7 digits");
}

TEST_CASE("parse_code marks restricted-circulation numbers as variable measure")
{
  const auto weighed = parse_code("2012345678903");
  CHECK(weighed.kind == CodeKind::variable_measure);
  CHECK(weighed.gtin14 == "02012345678903");
  CHECK(parse_code("]E0212345678909").kind == CodeKind::variable_measure); // UPC-A number system 2
  CHECK(parse_code("0212345678909").kind == CodeKind::variable_measure);   // GTIN-13 prefix 02
}

TEST_CASE("parse_code reads GS1 element strings under GS1 AIM ids")
{
  for (const char* aim : {"]C1", "]d2", "]Q3", "]e0"}) {
    INFO(aim);
    const auto code = parse_code(std::string(aim) +
                                 "0109506000134352"
                                 "17201225"
                                 "10ABC123" +
                                 k_gs + "21S1");
    CHECK(code.kind == CodeKind::gtin);
    CHECK(code.gtin14 == "09506000134352");
    REQUIRE(code.fields.size() == 4);
    CHECK(code.fields[3].value == "S1");
  }
  const auto sscc = parse_code("]C100106141412345678908");
  CHECK(sscc.kind == CodeKind::gs1_other);
  CHECK(sscc.gtin14.empty());
  REQUIRE(sscc.fields.size() == 1);
  CHECK(sscc.fields[0].ai == "00");

  const auto content = parse_code("]C100106141412345678908"
                                  "0209506000134352"
                                  "3712");
  CHECK(content.kind == CodeKind::gtin);
  CHECK(content.gtin14 == "09506000134352");
}

TEST_CASE("parse_code reports a broken GS1 string as malformed naming the AI")
{
  const auto code = parse_code("]C10109506000134352"
                               "17251341");
  CHECK(code.kind == CodeKind::malformed);
  CHECK(code.reason == "AI (17): invalid date 251341");
  CHECK(code.fields.empty());
  CHECK(parse_code("]d2").kind == CodeKind::malformed);
  CHECK(parse_code("]C1ORD-2025-00145").kind == CodeKind::malformed);
}

TEST_CASE("parse_code reads GS1 HRI text")
{
  const auto code = parse_code("(01)09506000134352(3103)000189");
  CHECK(code.kind == CodeKind::gtin);
  CHECK(code.gtin14 == "09506000134352");
  REQUIRE(code.fields.size() == 2);
  CHECK(code.fields[1].ai == "3103");
  CHECK(parse_code("(01)09506000134353").reason == "AI (01): check digit: expected 2, got 3");
  CHECK(parse_code("(see note)").kind == CodeKind::text);
  CHECK(parse_code("(123) 456-7890").kind == CodeKind::text);
}

TEST_CASE("parse_code reads a GS1 Digital Link from a QR code")
{
  const auto code = parse_code("]Q1https://id.gs1.org/01/09506000134352/10/ABC123?17=201225");
  CHECK(code.kind == CodeKind::gtin);
  CHECK(code.gtin14 == "09506000134352");
  CHECK(code.fields.size() == 3);
  CHECK(parse_code("https://id.gs1.org/01/09506000134353").kind == CodeKind::malformed);
  CHECK(parse_code("https://shop.example.com/orders/ORD-2025-00145").kind == CodeKind::text);
}

TEST_CASE("parse_code reads GS1 digits whose FNC1 a keyboard wedge dropped")
{
  const auto code = parse_code("0109506000134352"
                               "17201225"
                               "3103000189");
  CHECK(code.kind == CodeKind::gtin);
  CHECK(code.gtin14 == "09506000134352");
  CHECK(code.fields.size() == 3);
  CHECK(code.aim == std::nullopt);

  const auto batch = parse_code("0109506000134352"
                                "10ABC123");
  CHECK(batch.kind == CodeKind::gtin);
  REQUIRE(batch.fields.size() == 2);
  CHECK(batch.fields[1].value == "ABC123");

  const auto separated = parse_code("0109506000134352"
                                    "10ABC" +
                                    k_gs + "21X");
  CHECK(separated.kind == CodeKind::gtin);
  CHECK(separated.fields.size() == 3);

  CHECK(parse_code("00106141412345678908").kind == CodeKind::gs1_other);

  // A wedge that sends the leading FNC1 as GS.
  const auto leading_gs = parse_code(k_gs +
                                     "0109506000134352"
                                     "10ABC" +
                                     k_gs + "21X");
  CHECK(leading_gs.kind == CodeKind::gtin);
  CHECK(leading_gs.fields.size() == 3);
  CHECK(parse_code(k_gs +
                   "0109506000134352"
                   "10ABC" +
                   k_gs + "2 1X")
            .reason == "expected an AI at position 24, found \"2 1X\"");
}

TEST_CASE("parse_code calls other digit counts malformed")
{
  const auto eleven = parse_code("95060001343");
  CHECK(eleven.kind == CodeKind::malformed);
  CHECK(eleven.reason == "not a GTIN: 11 digits");
  CHECK(parse_code("1").reason == "not a GTIN: 1 digit");
  // Digits that happen to form GS1 fields without a key (AI 95 internal, AI 10 batch) are no GS1 label.
  CHECK(parse_code("1012345").reason == "not a GTIN: 7 digits");
  CHECK(parse_code("0109506000134353"
                   "10123")
            .reason == "AI (01): check digit: expected 2, got 3");
  CHECK(parse_code("0109506000134352"
                   "17251341")
            .reason == "AI (17): invalid date 251341");
  CHECK(parse_code("]E495060001343").kind == CodeKind::malformed);
}

TEST_CASE("parse_code keeps order ids, commands and free text as text")
{
  for (const char* text : {"ORD-2025-00145", "CMD:CLOSE-PACK", "ord-2025-00145", "SKU 12345", "20 PCS", "01ABC", "]",
                           "]C", "hello]C1", "010950600013435X", "", "  "}) {
    INFO(text);
    const auto code = parse_code(text);
    CHECK(code.kind == CodeKind::text);
    CHECK(code.gtin14.empty());
    CHECK(code.reason.empty());
  }
  const auto order = parse_code("ORD-2025-00145\r\n");
  CHECK(order.data == "ORD-2025-00145");
  // A Code 128 tracking number is not a broken GTIN.
  CHECK(parse_code("]C01234567890123").kind == CodeKind::text);
  CHECK(parse_code("]C09506000134352").kind == CodeKind::gtin);
}

TEST_CASE("parse_code survives hostile input")
{
  const std::string nul_bytes("0109506000134352\0\0\0", 19);
  CHECK(parse_code(nul_bytes).kind != CodeKind::gtin);
  CHECK(parse_code(std::string(4096, '\0')).kind == CodeKind::text);
  CHECK(parse_code(std::string(4096, '9')).kind == CodeKind::malformed);
  CHECK(parse_code(std::string(4096, '(')).kind == CodeKind::text);
  CHECK(parse_code("(01)" + std::string(4096, '(')).kind == CodeKind::malformed);
  CHECK(parse_code(std::string(4096, '\x1d')).kind == CodeKind::text);
  CHECK(parse_code("]C1" + std::string(4096, '\x1d')).kind == CodeKind::malformed);
  CHECK(parse_code("'; DROP TABLE journal; --").kind == CodeKind::text);
  CHECK(parse_code("\xff\xfe\xc3\x28\xa0\xa1").kind == CodeKind::text);
  CHECK(parse_code("\x1b[31m\x07\x08").kind == CodeKind::text);
  const auto invalid_device_aim = parse_code("9506000134352", std::string_view("garbage"));
  CHECK(invalid_device_aim.aim == std::nullopt);
  CHECK(invalid_device_aim.kind == CodeKind::gtin);

  std::string long_gs1 = "]C10109506000134352";
  for (int i = 0; i < 400; ++i) {
    long_gs1 += "10ABC" + k_gs;
  }
  CHECK(parse_code(long_gs1).kind == CodeKind::gtin);

  // A megabyte posted over HTTP: answered, in linear time.
  std::string megabyte = "]C1";
  while (megabyte.size() < 1024 * 1024) {
    megabyte += "21A(10)" + k_gs;
  }
  // Serial numbers without a GTIN break an association rule, however many there are.
  const auto posted = parse_code(megabyte);
  CHECK(posted.kind == CodeKind::malformed);
  CHECK(posted.reason.find("(21) needs (01)") == 0);
  CHECK(parse_code("(21)" + megabyte.substr(3)).kind == CodeKind::malformed);
}

TEST_CASE("to_string names every CodeKind")
{
  CHECK(to_string(CodeKind::gtin) == "gtin");
  CHECK(to_string(CodeKind::variable_measure) == "variable_measure");
  CHECK(to_string(CodeKind::gs1_other) == "gs1_other");
  CHECK(to_string(CodeKind::text) == "text");
  CHECK(to_string(CodeKind::malformed) == "malformed");
}
