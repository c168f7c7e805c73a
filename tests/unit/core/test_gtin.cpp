// GTIN check digits, forms and UPC-E expansion, against the GS1 General Specifications' examples.
#include <catch2/catch.hpp>

#include <pickverify/codes.hpp>

using namespace pickverify;

TEST_CASE("gtin_check_digit computes the GS1 mod-10 check digit for every length")
{
  CHECK(gtin_check_digit("950600013435") == 2);      // GTIN-13 9506000134352
  CHECK(gtin_check_digit("0950600013435") == 2);     // the same as GTIN-14
  CHECK(gtin_check_digit("10614141234567890") == 8); // SSCC 106141412345678908
  CHECK(gtin_check_digit("9638507") == 4);           // EAN-8 96385074
  CHECK(gtin_check_digit("04210000526") == 4);       // UPC-A 042100005264
  CHECK(gtin_check_digit("") == 0);
  CHECK(gtin_check_digit("12a4") == -1);
}

TEST_CASE("has_valid_gtin_check_digit accepts good and refuses altered numbers")
{
  CHECK(has_valid_gtin_check_digit("09506000134352"));
  CHECK(has_valid_gtin_check_digit("106141412345678908"));
  CHECK_FALSE(has_valid_gtin_check_digit("09506000134353"));
  CHECK_FALSE(has_valid_gtin_check_digit("09506000143352")); // transposed digits
  CHECK_FALSE(has_valid_gtin_check_digit("0950600013435X"));
  CHECK_FALSE(has_valid_gtin_check_digit("2"));
  CHECK_FALSE(has_valid_gtin_check_digit(""));
}

TEST_CASE("normalize_gtin pads GTIN-8/12/13/14 to 14 digits")
{
  CHECK(normalize_gtin("96385074").value() == "00000096385074");
  CHECK(normalize_gtin("042100005264").value() == "00042100005264");
  CHECK(normalize_gtin("9506000134352").value() == "09506000134352");
  CHECK(normalize_gtin("09506000134352").value() == "09506000134352");
  CHECK(normalize_gtin("10950600013436").value() == "10950600013436");
}

TEST_CASE("normalize_gtin refuses wrong lengths, non-digits and bad check digits with a reason")
{
  auto bad_check = normalize_gtin("9506000134353");
  REQUIRE_FALSE(bad_check);
  CHECK(bad_check.error().type == ErrorType::invalid_input);
  CHECK(bad_check.error().message == "check digit: expected 2, got 3");

  auto eleven = normalize_gtin("95060001343");
  REQUIRE_FALSE(eleven);
  CHECK(eleven.error().message == "not a GTIN: 11 digits");

  CHECK_FALSE(normalize_gtin(""));
  CHECK_FALSE(normalize_gtin("950600013435 "));
  CHECK_FALSE(normalize_gtin("106141412345678908")); // an SSCC is not a GTIN
}

TEST_CASE("expand_upce applies the zero-suppression rule of every last digit")
{
  // Last digit 0-2: manufacturer X1 X2 X6 00, item 00 X3 X4 X5.
  CHECK(expand_upce("01234505").value() == "012000003455");
  CHECK(expand_upce("01234514").value() == "012100003454");
  CHECK(expand_upce("01234523").value() == "012200003453");
  CHECK(expand_upce("04252614").value() == "042100005264");
  // 3: manufacturer X1 X2 X3 00, item 000 X4 X5.
  CHECK(expand_upce("01234531").value() == "012300000451");
  // 4: manufacturer X1 X2 X3 X4 0, item 0000 X5.
  CHECK(expand_upce("01234543").value() == "012340000053");
  // 5-9: manufacturer X1..X5, item 0000 X6.
  CHECK(expand_upce("01234558").value() == "012345000058");
  CHECK(expand_upce("01234565").value() == "012345000065");
  CHECK(expand_upce("01234572").value() == "012345000072");
  CHECK(expand_upce("01234589").value() == "012345000089");
  CHECK(expand_upce("01234596").value() == "012345000096");
  // Number system 1 keeps its leading digit.
  CHECK(expand_upce("11234562").value() == "112345000062");
}

TEST_CASE("expand_upce refuses bad input")
{
  CHECK(expand_upce("01234566").error().message == "check digit: expected 5, got 6");
  CHECK_FALSE(expand_upce("21234565")); // number system 2 has no UPC-E
  CHECK_FALSE(expand_upce("0123456"));
  CHECK_FALSE(expand_upce("012345655"));
  CHECK_FALSE(expand_upce("0123456a"));
}

TEST_CASE("is_restricted_circulation recognises GTIN-13 prefixes 02 and 20-29")
{
  CHECK(is_restricted_circulation("02012345678903")); // GTIN-13 2012345678903
  CHECK(is_restricted_circulation("02912345678906"));
  CHECK(is_restricted_circulation("00212345678909")); // UPC-A number system 2 (GTIN-13 prefix 02)
  CHECK_FALSE(is_restricted_circulation("09506000134352"));
  CHECK_FALSE(is_restricted_circulation("00042100005264"));
  CHECK_FALSE(is_restricted_circulation("03012345678900"));
  CHECK_FALSE(is_restricted_circulation("12012345678909")); // indicator digit 1
  CHECK_FALSE(is_restricted_circulation("2012345678903"));  // not in 14-digit form
}
