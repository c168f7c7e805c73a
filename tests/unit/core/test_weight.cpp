#include <catch2/catch.hpp>

#include <pickverify/weight.hpp>

using namespace pickverify;

TEST_CASE("Weight: g, kg, oz and lb converted exactly", "[core][weight]")
{
  CHECK(Weight{1240, 0, WeightUnit::g}.milligrams() == 1'240'000);
  CHECK(Weight{124, -2, WeightUnit::kg}.milligrams() == 1'240'000);
  CHECK(Weight{1, 0, WeightUnit::lb}.milligrams() == 453'592);   // 453 592.37 mg
  CHECK(Weight{1, 0, WeightUnit::oz}.milligrams() == 28'350);    // 28 349.523125 mg
  CHECK(Weight{16, 0, WeightUnit::oz}.compare_mg(453'592) == 1); // 16 oz = 1 lb = 453 592.37 mg, exactly
  CHECK(Weight{16, 0, WeightUnit::oz}.compare_mg(453'593) == -1);
  CHECK(Weight{100, 0, WeightUnit::lb}.compare_mg(45'359'237) == 0); // 100 lb is exactly 45 359 237 mg
  CHECK(Weight{4375, -2, WeightUnit::oz}.milligrams() == 1'240'292); // 43.75 oz
  CHECK(Weight{-5, 0, WeightUnit::g}.milligrams() == -5000);
}

TEST_CASE("parse_weight and make_weight: strict", "[core][weight]")
{
  auto w = parse_weight("1.240", "kg");
  REQUIRE(w);
  CHECK(w->mantissa == 1240);
  CHECK(w->exponent == -3);
  CHECK(w->grams_text() == "1,240 g");
  CHECK(w->as_reported() == "1.240 kg");
  CHECK(parse_weight("-0.5", "lb")->as_reported() == "-0.5 lb");
  CHECK_FALSE(parse_weight("1.2.3", "g"));
  CHECK_FALSE(parse_weight("", "g"));
  CHECK_FALSE(parse_weight("12a", "g"));
  CHECK(parse_weight("12", "stone").error().message == "'stone' is not a weight unit (mg, g, kg, oz, lb)");
  CHECK_FALSE(make_weight(1, 10, WeightUnit::g));
  CHECK(format_grams(1'234'567'400) == "1,234,567 g");
  CHECK(format_grams(499) == "0 g");
}
