// GS1 element strings and HRI, checked against the GS1 General Specifications' own examples.
#include <catch2/catch.hpp>

#include <pickverify/codes.hpp>

using namespace pickverify;

namespace {

const std::string k_gs = "\x1d";

std::vector<Gs1Field> parsed(std::string_view data)
{
  auto fields = parse_gs1_element_string(data);
  INFO(data);
  if (!fields) {
    FAIL(fields.error().message);
  }
  return *fields;
}

std::string error_of(std::string_view data)
{
  auto fields = parse_gs1_element_string(data);
  if (fields) {
    return "(parsed: " + to_hri(*fields) + ")";
  }
  CHECK(fields.error().type == ErrorType::invalid_input);
  return fields.error().message;
}

} // namespace

TEST_CASE("parse_gs1_element_string reads predefined-length fields that run on")
{
  const auto fields = parsed("0109506000134352"
                             "17201225"
                             "10ABC123");
  REQUIRE(fields.size() == 3);
  CHECK(fields[0].ai == "01");
  CHECK(fields[0].value == "09506000134352");
  CHECK(fields[1].ai == "17");
  CHECK(fields[1].value == "201225");
  CHECK(fields[2].ai == "10");
  CHECK(fields[2].value == "ABC123");
}

TEST_CASE("parse_gs1_element_string ends variable-length fields at GS")
{
  const auto fields = parsed("0109506000134352"
                             "10ABC123" +
                             k_gs + "21XYZ" + k_gs + "17201225");
  REQUIRE(fields.size() == 4);
  CHECK(fields[1].value == "ABC123");
  CHECK(fields[2].ai == "21");
  CHECK(fields[2].value == "XYZ");
  CHECK(fields[3].value == "201225");
}

TEST_CASE("parse_gs1_element_string tolerates a leading FNC1/GS and a GS after a predefined field")
{
  CHECK(parsed(k_gs + "0109506000134352").size() == 1);
  CHECK(parsed("\xe8"
               "0109506000134352")
            .size() == 1);
  CHECK(parsed("0109506000134352" + k_gs + "10ABC").size() == 2);
  CHECK(parsed("0109506000134352" + k_gs).size() == 1);
}

TEST_CASE("parse_gs1_element_string reads an SSCC and logistic fields")
{
  const auto sscc = parsed("00106141412345678908");
  REQUIRE(sscc.size() == 1);
  CHECK(sscc[0].ai == "00");
  CHECK(sscc[0].value == "106141412345678908");

  // A pallet label: SSCC, content GTIN, count, gross weight 123.4 kg.
  const auto pallet = parsed("00106141412345678908"
                             "0209506000134352"
                             "3720" +
                             k_gs + "3301001234");
  REQUIRE(pallet.size() == 4);
  CHECK(pallet[2].ai == "37");
  CHECK(pallet[2].value == "20");
  CHECK(pallet[3].ai == "3301");
  CHECK(pallet[3].value == "001234");
}

TEST_CASE("parse_gs1_element_string reads variable measure weights (310n)")
{
  const auto fields = parsed("0109521234543213"
                             "3103000189");
  REQUIRE(fields.size() == 2);
  CHECK(fields[1].ai == "3103");
  CHECK(fields[1].value == "000189"); // 0.189 kg
  CHECK(parsed("0109521234543213"
               "3922"
               "0299" +
               k_gs + "3103000189")[1]
            .ai == "3922");
}

TEST_CASE("parse_gs1_element_string accepts DD 00 as end of month and leap days")
{
  CHECK(parsed("0109506000134352"
               "17251100")[1]
            .value == "251100");
  CHECK(parsed("0109506000134352"
               "17240229")[1]
            .value == "240229");
  CHECK(parsed("0109506000134352"
               "11251231")[1]
            .value == "251231");
}

TEST_CASE("parse_gs1_element_string names the AI and the fault")
{
  CHECK(error_of("0109506000134352"
                 "17251341") == "AI (17): invalid date 251341");
  CHECK(error_of("0109506000134352"
                 "17251301") == "AI (17): invalid date 251301");
  CHECK(error_of("0109506000134352"
                 "17250230") == "AI (17): invalid date 250230");
  CHECK(error_of("0109506000134352"
                 "17250229") == "AI (17): invalid date 250229");
  CHECK(error_of("0109506000134353") == "AI (01): check digit: expected 2, got 3");
  CHECK(error_of("00106141412345678907") == "AI (00): check digit: expected 8, got 7");
  CHECK(error_of("010950600013435") == "AI (01): too short: 13 characters, needs 14");
  CHECK(error_of("01095060001343A2") == "AI (01): not numeric: \"095060001343A2\"");
  CHECK(error_of("0109506000134352"
                 "10ABCDEFGHIJKLMNOPQRSTU") == "AI (10): too long: 21 characters, at most 20");
  CHECK(error_of("0109506000134352"
                 "10AB\x07"
                 "C") == "AI (10): character \"\\x07\" at position 3 is not in GS1 character set 82");
  CHECK(error_of("0109506000134352"
                 "10AB C") == "AI (10): character \" \" at position 3 is not in GS1 character set 82");
  CHECK(error_of("0109506000134352"
                 "10") == "AI (10): empty value");
  CHECK(error_of("0109506000134352"
                 "3103") == "AI (3103): too short: 0 characters, needs 6");
  CHECK(error_of("0109506000134352" + k_gs + k_gs + "2312") == "unknown AI at position 19: \"2312\"");
  CHECK(error_of("ABC") == "expected an AI at position 1, found \"ABC\"");
  CHECK(error_of("") == "empty GS1 element string");
  CHECK(error_of(k_gs) == "empty GS1 element string");
  CHECK(error_of("0109506000134352"
                 "0109506000134369")
            .find("AI (01): appears twice") == 0);
}

TEST_CASE("parse_gs1_element_string allows an AI repeated with the same value only")
{
  CHECK(parsed("0109506000134352"
               "10A" +
               k_gs + "0109506000134352")
            .size() == 3);
  CHECK(error_of("10A" + k_gs + "21S" + k_gs + "10B") ==
        "AI (10): appears twice with different values \"A\" and \"B\"");
  CHECK(parse_gs1_hri("(10)A(10)B").error().message == "AI (10): appears twice with different values \"A\" and \"B\"");

  // Many fields cost linear-logarithmic time, not quadratic.
  std::string many;
  for (int i = 0; i < 100000; ++i) {
    many += "10SAME" + k_gs;
  }
  CHECK(parsed(many).size() == 100000);
}

TEST_CASE("parse_gs1_element_string checks the rules of composite fields")
{
  CHECK(parsed("8006"
               "09506000134352"
               "0102")
            .size() == 1);
  CHECK(error_of("8006"
                 "09506000134352"
                 "0301") == "AI (8006): invalid piece of total 0301");
  CHECK(error_of("8001"
                 "0000"
                 "12345"
                 "123"
                 "1"
                 "0") == "AI (8001): invalid zero value 0000");
  CHECK(parsed("8001"
               "1234"
               "12345"
               "123"
               "1"
               "0")[0]
            .value == "12341234512310");
  CHECK(error_of("7003"
                 "2512312460") == "AI (7003): invalid time 2460");
  CHECK(parsed("7007"
               "250101"
               "250131")[0]
            .value == "250101250131");
  CHECK(error_of("7007"
                 "250101"
                 "250") == "AI (7007): too short: 9 characters, component 2 needs 6");
  CHECK(parsed("253"
               "4012345000016"
               "ABC")[0]
            .value == "4012345000016ABC");
  CHECK(parsed("4331"
               "001234"
               "-")[0]
            .value == "001234-");
  CHECK(error_of("4331"
                 "001234"
                 "+") == "AI (4331): invalid sign (must be -) +");
  CHECK(error_of("4321"
                 "2") == "AI (4321): invalid flag (0 or 1) 2");
  CHECK(parsed("7250"
               "19991231")[0]
            .value == "19991231");
  CHECK(error_of("7250"
                 "19990229") == "AI (7250): invalid date 19990229");
  CHECK(parsed("414"
               "9506000134352"
               "254"
               "A1")[1]
            .ai == "254");
}

TEST_CASE("parse_gs1_element_string checks country codes (ISO 3166 numeric)")
{
  CHECK(parsed("0109506000134352"
               "422276")[1]
            .value == "276");
  CHECK(error_of("0109506000134352"
                 "422999") == "AI (422): invalid country code 999");
  CHECK(parsed("0109506000134352"
               "423276840")[1]
            .value == "276840");
  CHECK(error_of("0109506000134352"
                 "423276841") == "AI (423): invalid country code 841");
  CHECK(error_of("0109506000134352"
                 "4232768") == "AI (423): too short: 4 characters, component 2 needs 3");
  CHECK(parsed("0109506000134352"
               "7030"
               "999ABC")[1]
            .value == "999ABC");
  CHECK(parsed("421"
               "528"
               "1234AB")[0]
            .value == "5281234AB");
  CHECK(error_of("421"
                 "000"
                 "1234AB") == "AI (421): invalid country code 000");
}

TEST_CASE("parse_gs1_element_string dates agree with GS1's reference linter")
{
  for (const char* good : {"000606", "990606", "200229", "240229", "000229", "040229", "960229", "200600", "201231"}) {
    INFO(good);
    CHECK(parsed(std::string("11") + good).size() == 1);
  }
  for (const char* bad : {"200010", "201310", "200132", "200230", "200431", "210229", "230229", "000230"}) {
    INFO(bad);
    CHECK(error_of(std::string("11") + bad) == std::string("AI (11): invalid date ") + bad);
  }
  // YYMMDD without "00 = end of month".
  CHECK(error_of(std::string("4326") + "200600") == "AI (4326): invalid date 200600");
}

TEST_CASE("parse_gs1_element_string checks the GMN check character pair (8013)")
{
  // Vectors from GS1's reference linter.
  for (const char* gmn : {"1987654Ad4X4bL5ttr2310c2K", "12345678901234567890123NT", "12345_ABCDEFGHIJKLMCP",
                          "12345_abcdefghijklmN3", "12345_!\"%&'()*+,-./LC", "12345_0123456789:;<=>?62", "22", "!22"}) {
    INFO(gmn);
    CHECK(parsed(std::string("8013") + gmn)[0].value == gmn);
  }
  CHECK(error_of("8013"
                 "1987654Ad4X4bL5ttr2310c2X") == "AI (8013): check characters: expected 2K, got 2X");
  CHECK(error_of("8013"
                 "2") == "AI (8013): too short for its check character pair");
}

TEST_CASE("parse_gs1_hri reads the human-readable form")
{
  auto fields = parse_gs1_hri("(01)09506000134352(17)201225(10)ABC123");
  REQUIRE(fields);
  REQUIRE(fields->size() == 3);
  CHECK((*fields)[0].value == "09506000134352");
  CHECK((*fields)[1].ai == "17");
  CHECK((*fields)[2].value == "ABC123");

  auto spaced = parse_gs1_hri("(01) 09506000134352 (3103) 000189");
  REQUIRE(spaced);
  CHECK((*spaced)[1].value == "000189");

  // A bracket inside a value: not followed by a known AI, or escaped.
  auto bracket = parse_gs1_hri("(01)09506000134352(10)AB(C)");
  REQUIRE(bracket);
  CHECK((*bracket)[1].value == "AB(C)");
  auto escaped = parse_gs1_hri("(01)09506000134352(10)AB\\(21)");
  REQUIRE(escaped);
  CHECK((*escaped)[1].value == "AB(21)");
}

TEST_CASE("parse_gs1_hri refuses unknown AIs and bad values")
{
  CHECK(parse_gs1_hri("(01)09506000134353").error().message == "AI (01): check digit: expected 2, got 3");
  CHECK(parse_gs1_hri("(17)251341").error().message == "AI (17): invalid date 251341");
  CHECK(parse_gs1_hri("(99999)X").error().message == "unknown AI \"(99999)\" at position 1");
  CHECK(parse_gs1_hri("(04)123").error().message == "unknown AI \"(04)\" at position 1");
  CHECK_FALSE(parse_gs1_hri("01)09506000134352"));
  CHECK_FALSE(parse_gs1_hri(""));
  CHECK_FALSE(parse_gs1_hri("(01)"));
}

TEST_CASE("parse_gs1_digital_link reads path keys, qualifiers and AI query parameters")
{
  auto fields = parse_gs1_digital_link("https://id.gs1.org/01/09506000134352/10/ABC%2F1?17=201225&linkType=gs1:pip");
  REQUIRE(fields);
  CHECK(to_hri(*fields) == "(01)09506000134352(10)ABC/1(17)201225");

  auto short_gtin = parse_gs1_digital_link("HTTPS://example.com/products/01/9506000134352");
  REQUIRE(short_gtin);
  CHECK(to_hri(*short_gtin) == "(01)09506000134352");

  auto sscc = parse_gs1_digital_link("https://example.com/00/106141412345678908#top");
  REQUIRE(sscc);
  CHECK(to_hri(*sscc) == "(00)106141412345678908");
}

TEST_CASE("parse_gs1_digital_link refuses bad values and URIs without a key")
{
  CHECK(parse_gs1_digital_link("https://id.gs1.org/01/09506000134353").error().message ==
        "GS1 Digital Link: AI (01): check digit: expected 2, got 3");
  CHECK(parse_gs1_digital_link("https://id.gs1.org/01/09506000134352?17=251341").error().message ==
        "GS1 Digital Link: AI (17): invalid date 251341");
  CHECK(parse_gs1_digital_link("https://id.gs1.org/01/09506000134352/10/A%2").error().message ==
        "GS1 Digital Link: AI (10): broken percent-encoding in \"A%2\"");
  CHECK(parse_gs1_digital_link("https://id.gs1.org/01/09506000134352?01=09506000134369")
            .error()
            .message.find("appears twice") != std::string::npos);
  CHECK(parse_gs1_digital_link("https://id.gs1.org/01").error().message ==
        "GS1 Digital Link: the GS1 key in the path has no value");
  CHECK_FALSE(parse_gs1_digital_link("https://example.com/shoes?size=9"));
  CHECK_FALSE(parse_gs1_digital_link("ftp://example.com/01/09506000134352"));
  CHECK_FALSE(parse_gs1_digital_link("https://example.com"));
}

TEST_CASE("to_hri and to_element_string render fields that parse back")
{
  const std::vector<Gs1Field> fields{{"01", "09506000134352"}, {"10", "ABC123"}, {"21", "XYZ"}, {"17", "201225"}};
  CHECK(to_hri(fields) == "(01)09506000134352(10)ABC123(21)XYZ(17)201225");
  CHECK(to_element_string(fields) == "0109506000134352"
                                     "10ABC123" +
                                         k_gs + "21XYZ" + k_gs + "17201225");
  const auto back = parse_gs1_element_string(to_element_string(fields));
  REQUIRE(back);
  CHECK(to_hri(*back) == to_hri(fields));
  CHECK(to_hri({}).empty());
}

TEST_CASE("gs1_ai_info knows the format, separator and rules of each AI")
{
  const auto gtin = gs1_ai_info("01");
  REQUIRE(gtin);
  CHECK(gtin->format == "N2+N14");
  CHECK(gtin->title == "GTIN");
  CHECK(gtin->predefined_length);
  CHECK(gtin->has_check_digit);
  CHECK_FALSE(gtin->has_date);

  CHECK(gs1_ai_info("00")->format == "N2+N18");
  CHECK(gs1_ai_info("10")->format == "N2+X..20");
  CHECK_FALSE(gs1_ai_info("10")->predefined_length);
  CHECK(gs1_ai_info("3103")->format == "N4+N6");
  CHECK(gs1_ai_info("3103")->predefined_length);
  CHECK(gs1_ai_info("17")->has_date);
  CHECK(gs1_ai_info("253")->format == "N3+N13+[X..17]");
  CHECK(gs1_ai_info("8030")->format == "N4+Z..90");
  CHECK(gs1_ai_info("91")->format == "N2+X..90");

  for (const char* predefined :
       {"00", "01", "02", "03", "11", "12", "13", "15", "16", "17", "20", "3100", "3695", "410", "417"}) {
    INFO(predefined);
    CHECK(gs1_ai_info(predefined)->predefined_length);
  }
  for (const char* separated : {"10", "21", "22", "235", "240", "30", "37", "3900", "400", "420", "4300", "7003",
                                "8001", "8006", "8200", "90", "99"}) {
    INFO(separated);
    CHECK_FALSE(gs1_ai_info(separated)->predefined_length);
  }
  for (const char* with_check :
       {"00", "01", "02", "03", "253", "255", "402", "410", "414", "417", "8003", "8006", "8017", "8018", "8026"}) {
    INFO(with_check);
    CHECK(gs1_ai_info(with_check)->has_check_digit);
  }
  for (const char* unknown :
       {"04", "14", "18", "19", "23", "3106", "3196", "3944", "418", "4334", "7042", "8015", "8113", "9", "", "1x"}) {
    INFO(unknown);
    CHECK_FALSE(gs1_ai_info(unknown));
  }
}

TEST_CASE("gs1_known_ais lists every AI once, prefix-free, each with a layout")
{
  const auto ais = gs1_known_ais();
  CHECK(ais.size() > 500);
  CHECK(std::is_sorted(ais.begin(), ais.end()));
  for (std::size_t i = 1; i < ais.size(); ++i) {
    INFO(ais[i - 1] << " / " << ais[i]);
    CHECK(ais[i].rfind(ais[i - 1], 0) != 0); // no AI is a prefix of the next one
  }
  for (const auto& ai : ais) {
    INFO(ai);
    const auto info = gs1_ai_info(ai);
    REQUIRE(info);
    CHECK(info->format.size() > ai.size());
    CHECK(info->format.rfind("N" + std::to_string(ai.size()) + "+", 0) == 0);
  }
  for (const char* expected :
       {"00",   "01",   "02",   "10",   "11",   "17",   "20",   "21",   "22",   "235",  "240",  "241",  "242",  "243",
        "250",  "251",  "253",  "254",  "255",  "30",   "3100", "3105", "3695", "37",   "3900", "3955", "400",  "401",
        "402",  "403",  "410",  "417",  "420",  "427",  "4300", "4333", "7001", "7041", "710",  "717",  "7230", "7242",
        "7250", "7259", "8001", "8030", "8110", "8111", "8112", "8200", "90",   "91",   "99"}) {
    INFO(expected);
    CHECK(std::binary_search(ais.begin(), ais.end(), expected));
  }
}
