// AIM symbology identifiers (ISO/IEC 15424) as scanners send them.
#include <catch2/catch.hpp>

#include <pickverify/codes.hpp>

using namespace pickverify;

TEST_CASE("parse_aim reads exactly a three-character AIM id")
{
  const auto gs1_128 = parse_aim("]C1");
  REQUIRE(gs1_128);
  CHECK(gs1_128->code == 'C');
  CHECK(gs1_128->modifier == '1');
  CHECK(gs1_128->to_string() == "]C1");

  CHECK(parse_aim("]d2"));
  CHECK(parse_aim("]E0"));
  CHECK_FALSE(parse_aim(""));
  CHECK_FALSE(parse_aim("]C"));
  CHECK_FALSE(parse_aim("]C10"));
  CHECK_FALSE(parse_aim("C1]"));
  CHECK_FALSE(parse_aim("]11"));
  CHECK_FALSE(parse_aim("]C-"));
  CHECK_FALSE(parse_aim(std::string_view("]C\0", 3)));
}

TEST_CASE("AimId::is_gs1 is true for the GS1 identifiers only")
{
  for (const char* gs1 : {"]C1", "]d2", "]Q3", "]e0", "]J1"}) {
    INFO(gs1);
    CHECK(parse_aim(gs1)->is_gs1());
  }
  for (const char* other : {"]C0", "]C2", "]d1", "]Q1", "]E0", "]E4", "]I1", "]A0", "]J0", "]e1"}) {
    INFO(other);
    CHECK_FALSE(parse_aim(other)->is_gs1());
  }
}

TEST_CASE("AimId::symbology_name names the symbology")
{
  CHECK(parse_aim("]E0")->symbology_name() == "EAN-13/UPC-A/UPC-E");
  CHECK(parse_aim("]E4")->symbology_name() == "EAN-8");
  CHECK(parse_aim("]E3")->symbology_name() == "EAN/UPC with add-on");
  CHECK(parse_aim("]C0")->symbology_name() == "Code 128");
  CHECK(parse_aim("]C1")->symbology_name() == "GS1-128");
  CHECK(parse_aim("]d1")->symbology_name() == "Data Matrix");
  CHECK(parse_aim("]d2")->symbology_name() == "GS1 DataMatrix");
  CHECK(parse_aim("]Q1")->symbology_name() == "QR Code");
  CHECK(parse_aim("]Q3")->symbology_name() == "GS1 QR Code");
  CHECK(parse_aim("]e0")->symbology_name() == "GS1 DataBar");
  CHECK(parse_aim("]I1")->symbology_name() == "ITF-14 (Interleaved 2 of 5, check digit)");
  CHECK(parse_aim("]A0")->symbology_name() == "Code 39");
  CHECK(parse_aim("]y0")->symbology_name() == "unknown symbology");
}
