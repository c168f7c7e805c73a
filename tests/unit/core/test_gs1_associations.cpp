// GS1 association rules: invalid pairs, requisite AIs and signed serialised keys, with vectors from
// the GS1 General Specifications (4.14) and the reference engine (gs1/gs1-syntax-engine). The whole
// reference set goes through `pickverify run` in tests/integration/gs1_vectors_test.sh.
#include <catch2/catch.hpp>

#include <pickverify/codes.hpp>

using namespace pickverify;

namespace {

std::string problem_of(std::string_view hri, bool requisite_ais = true)
{
  auto fields = parse_gs1_hri(hri);
  INFO(hri);
  REQUIRE(fields);
  return gs1_association_problem(*fields, requisite_ais).value_or("ok");
}

} // namespace

TEST_CASE("gs1_association_problem names an invalid pair")
{
  CHECK(problem_of("(01)12345678901231(02)12345678901231") ==
        "(02) and (01) may not appear together: the GTIN of the contained items and the GTIN of the item");
  CHECK(problem_of("(01)12345678901231(37)123").find("(01) and (37) may not appear together") == 0);
  CHECK(problem_of("(21)ABC123(235)XYZ(01)12345678901231").find("(21) and (235)") == 0);
  // A pattern (394n) excludes the other AIs it matches, never the AI itself.
  CHECK(problem_of("(255)5412345000150(3940)1234(3941)9999").find("(3940) and (3941)") == 0);
  CHECK(problem_of("(255)5412345000150(3940)1234") == "ok");
  // Invalid pairs hold even when requisites are not checked.
  CHECK(problem_of("(01)12345678901231(02)12345678901231", false) != "ok");
}

TEST_CASE("gs1_association_problem names the requisite AI that is missing")
{
  CHECK(problem_of("(02)12345678901231") == "(02) needs (37): the count of contained items");
  CHECK(problem_of("(02)12345678901231(37)12") == "(37) needs (00): the SSCC of the logistic unit");
  CHECK(problem_of("(00)123456789012345675(02)12345678901231(37)12") == "ok");
  CHECK(problem_of("(21)ABC123") ==
        "(21) needs (01), (03) or (8006): the GTIN of the item, the made-to-order GTIN or the ITIP piece");
  CHECK(problem_of("(01)12345678901231(250)ABC123") == "(250) needs (21): the serial number");
  CHECK(problem_of("(01)12345678901231(21)XYZ999(250)ABC123") == "ok");
  CHECK(problem_of("(01)12345678901231(3925)12599").find("(3925) needs (30), (31nn), (32nn), (35nn) or (36nn)") == 0);
  CHECK(problem_of("(01)12345678901231(3925)12599(3103)000500") == "ok");
  CHECK(problem_of("(10)LOT42") == "(10) needs (01), (02), (03), (8006) or (8026): the GTIN of the item, the GTIN of "
                                   "the contained items, the made-to-order GTIN, the ITIP piece or the ITIP of the "
                                   "contained pieces");
  // Requisites can be switched off (data spread over several labels); pairs cannot.
  CHECK(problem_of("(10)LOT42", false) == "ok");
}

TEST_CASE("gs1_association_problem reads groups of requisite AIs")
{
  CHECK(problem_of("(8030)DIGSIG(01)12345678901231").find("(8030) needs (00), (01)+(21), (253)") == 0);
  CHECK(problem_of("(8030)DIGSIG(01)12345678901231(21)ABC123") == "ok");
  CHECK(problem_of("(8030)DIGSIG(8010)1234567890(8011)123456789012") == "ok");
}

TEST_CASE("gs1_association_problem wants a serialised key under a digital signature")
{
  CHECK(problem_of("(253)1234567890128") == "ok");
  CHECK(problem_of("(253)1234567890128(8030)ABC123") ==
        "(8030) needs a serialised key: (253) the document type (GDTI) without its serial component");
  CHECK(problem_of("(253)1234567890128X(8030)ABC123") == "ok");
  CHECK(problem_of("(8003)01234567890128(8030)ABC123").find("(8030) needs a serialised key: (8003)") == 0);
}

TEST_CASE("gs1_association_problem passes the labels a pack station sees")
{
  CHECK(problem_of("(01)09506000134352(17)201225(10)ABC123") == "ok");
  CHECK(problem_of("(01)09506000134352(3103)000189") == "ok");
  CHECK(problem_of("(00)106141411234567897") == "ok");
  CHECK(problem_of("(01)09506000134352(21)12345(8030)DIGSIG") == "ok");
  CHECK(problem_of("(90)ANYTHING(91)ELSE") == "ok");
}

TEST_CASE("parse_code makes an association violation malformed, from any input form")
{
  const auto scanned = parse_code("]C1021234567890123137123");
  CHECK(scanned.kind == CodeKind::malformed);
  CHECK(scanned.breaks_association);
  CHECK(scanned.reason == "(37) needs (00): the SSCC of the logistic unit");
  CHECK(parse_code("(21)ABC123").kind == CodeKind::malformed);
  CHECK(parse_code("https://id.gs1.org/01/09506000134352?37=5").reason.find("(01) and (37)") == 0);
  // A wedge that drops the FNC1: digits only.
  CHECK(parse_code("0109506000134352"
                   "0209506000134352")
            .breaks_association);

  const auto logistic = parse_code("]C1001061414112345678970209506000134352"
                                   "3712");
  CHECK(logistic.kind == CodeKind::gtin);
  CHECK(logistic.gtin14 == "09506000134352");
  CHECK_FALSE(logistic.breaks_association);

  ParseOptions syntax_only;
  syntax_only.gs1_requisite_ais = false;
  CHECK(parse_code("]C1021234567890123137123", std::nullopt, syntax_only).kind == CodeKind::gtin);
  CHECK(parse_code("]C1011234567890123137123", std::nullopt, syntax_only).kind == CodeKind::malformed);
  // A bad check digit is still a bad read, not a rule.
  CHECK_FALSE(parse_code("]C10112345678901234").breaks_association);
}
