#include <catch2/catch.hpp>

#include <pickverify/weighing.hpp>

using namespace pickverify;

namespace {

Item item(std::string sku, std::int32_t grams)
{
  Item i;
  i.sku = std::move(sku);
  i.description = "item " + i.sku;
  i.weight_g = grams;
  return i;
}

} // namespace

TEST_CASE("check_weight: outside the tolerance says by how much and which way", "[core][weighing]")
{
  // The incident's order: runner 800 g, insoles 90 g, laces 20 g; packaging 100 g → 1,010 g.
  const Item runner = item("RUN-9", 800), insoles = item("INS-M", 90), laces = item("LACE", 20);
  WeighingPolicy policy;
  policy.required = true;
  policy.packaging_g = 100;
  policy.tolerance_g = 40;
  const auto e = expect_weight({&runner, &insoles, &laces}, policy);
  CHECK(e.expected_mg == 1'010'000);
  CHECK(e.tolerance_mg == 40'000);

  auto heavy = check_weight(e, Weight{1240, 0, WeightUnit::g}, policy);
  CHECK(heavy.outcome == WeightCheck::Outcome::too_heavy);
  CHECK(heavy.message ==
        "the box weighs 1,240 g, expected 1,010 g ± 40 g: 230 g too heavy — is something extra inside?");
  CHECK_FALSE(heavy.releases());

  auto light = check_weight(e, Weight{92, -2, WeightUnit::kg}, policy);
  CHECK(light.outcome == WeightCheck::Outcome::too_light);
  CHECK(light.message == "the box weighs 920 g, expected 1,010 g ± 40 g: 90 g too light — is something missing?");

  // The edges are inside, exactly.
  CHECK(check_weight(e, Weight{1050, 0, WeightUnit::g}, policy).outcome == WeightCheck::Outcome::passed);
  CHECK(check_weight(e, Weight{970, 0, WeightUnit::g}, policy).outcome == WeightCheck::Outcome::passed);
  CHECK(check_weight(e, Weight{1050001, -3, WeightUnit::g}, policy).outcome == WeightCheck::Outcome::too_heavy);
  // 2.3 lb = 1,043.26 g: within.
  CHECK(check_weight(e, Weight{23, -1, WeightUnit::lb}, policy).releases());
}

TEST_CASE("expect_weight: the larger of grams and per mille", "[core][weighing]")
{
  const Item heavy = item("BOX", 10'000);
  WeighingPolicy policy;
  policy.tolerance_g = 20;
  policy.tolerance_permille = 40; // 4 %
  CHECK(expect_weight({&heavy}, policy).tolerance_mg == 400'000);
  const Item light = item("PEN", 100);
  CHECK(expect_weight({&light}, policy).tolerance_mg == 20'000);
}

TEST_CASE("check_weight: items without a catalog weight - refuse or skip, saying which", "[core][weighing]")
{
  const Item runner = item("RUN-9", 800), unknown = item("GIFT", 0);
  WeighingPolicy policy;
  auto refused =
      check_weight(expect_weight({&runner, &unknown, &unknown}, policy), Weight{900, 0, WeightUnit::g}, policy);
  CHECK(refused.outcome == WeightCheck::Outcome::impossible);
  CHECK_FALSE(refused.releases());
  CHECK(refused.message == "the pack cannot be weighed: no catalog weight for GIFT (item GIFT) — add the weight to "
                           "the catalog or call a supervisor");
  policy.missing_weight = WeighingPolicy::MissingWeight::skip;
  auto skipped = check_weight(expect_weight({&runner, &unknown}, policy), Weight{900, 0, WeightUnit::g}, policy);
  CHECK(skipped.outcome == WeightCheck::Outcome::skipped);
  CHECK(skipped.releases());
  CHECK(skipped.message == "weight check skipped: no catalog weight for GIFT (item GIFT) (policy: skip)");
}

TEST_CASE("expect_weight: a packaging brings its own weight and, where it says so, its own tolerance",
          "[core][weighing][packaging]")
{
  const Item runner = item("RUN-9", 800), insoles = item("INS-M", 90), laces = item("LACE", 20);
  WeighingPolicy policy;
  policy.packaging_g = 100;
  policy.tolerance_g = 20;
  policy.tolerance_permille = 10; // 1 %
  policy.packagings = {Packaging{"shoe-box", {"PKG-SHOE"}, 180, 60, std::nullopt},
                       Packaging{"mailer", {"PKG-MAIL", "PKG-MAIL-2"}, 30, std::nullopt, 50}};
  REQUIRE(policy.packaging_for_code("PKG-MAIL-2") == &policy.packagings[1]);
  CHECK(policy.packaging_for_code("PKG-NONE") == nullptr);
  CHECK(policy.packaging_named("shoe-box") == &policy.packagings[0]);

  // The station's own: 1,010 g, the larger of 20 g and 1 % (10.1 g).
  const auto plain = expect_weight({&runner, &insoles, &laces}, policy);
  CHECK(plain.expected_mg == 1'010'000);
  CHECK(plain.tolerance_mg == 20'000);
  // The shoe box: 180 g instead of 100 g, ± 60 g (its grams; the station's 1 % is smaller).
  const auto shoe_box = expect_weight({&runner, &insoles, &laces}, policy, &policy.packagings[0]);
  CHECK(shoe_box.expected_mg == 1'090'000);
  CHECK(shoe_box.tolerance_mg == 60'000);
  // The mailer: 30 g, 5 % of 940 g = 47 g beats the station's 20 g.
  const auto mailer = expect_weight({&runner, &insoles, &laces}, policy, &policy.packagings[1]);
  CHECK(mailer.expected_mg == 940'000);
  CHECK(mailer.tolerance_mg == 47'000);
  // 1,150 g in the shoe box is inside; the same box weighed against the station's packaging is not.
  CHECK(check_weight(shoe_box, Weight{1150, 0, WeightUnit::g}, policy).outcome == WeightCheck::Outcome::passed);
  CHECK(check_weight(plain, Weight{1150, 0, WeightUnit::g}, policy).message ==
        "the box weighs 1,150 g, expected 1,010 g ± 20 g: 140 g too heavy — is something extra inside?");

  CHECK(describe(policy.packagings[0], policy) == "shoe-box: 180 g, tolerance ± 60 g or 1.0 %");
  CHECK(describe(policy.packagings[1], policy) == "mailer: 30 g, tolerance ± 20 g or 5.0 %");
}
