#include <pickverify/weighing.hpp>

#include <algorithm>

#include <fmt/format.h>

namespace pickverify {

std::string_view to_string(WeightCheck::Outcome outcome)
{
  switch (outcome) {
  case WeightCheck::Outcome::passed:
    return "passed";
  case WeightCheck::Outcome::too_heavy:
    return "too_heavy";
  case WeightCheck::Outcome::too_light:
    return "too_light";
  case WeightCheck::Outcome::impossible:
    return "impossible";
  case WeightCheck::Outcome::skipped:
    return "skipped";
  }
  return "unknown";
}

const Packaging* WeighingPolicy::packaging_for_code(std::string_view code) const
{
  for (const auto& packaging : packagings)
    if (std::find(packaging.codes.begin(), packaging.codes.end(), code) != packaging.codes.end())
      return &packaging;
  return nullptr;
}

const Packaging* WeighingPolicy::packaging_named(std::string_view name) const
{
  for (const auto& packaging : packagings)
    if (packaging.name == name)
      return &packaging;
  return nullptr;
}

std::string describe(const Packaging& packaging, const WeighingPolicy& policy)
{
  const std::int64_t grams = packaging.tolerance_g.value_or(policy.tolerance_g);
  const std::int32_t permille = packaging.tolerance_permille.value_or(policy.tolerance_permille);
  std::string text = fmt::format("{}: {}, tolerance ± {}", packaging.name, format_grams(packaging.weight_g * 1000),
                                 format_grams(grams * 1000));
  if (permille > 0)
    text += fmt::format(" or {}.{} %", permille / 10, permille % 10);
  return text;
}

WeightExpectation expect_weight(const std::vector<const Item*>& accepted_units, const WeighingPolicy& policy,
                                const Packaging* packaging)
{
  WeightExpectation e;
  e.expected_mg = (packaging ? packaging->weight_g : policy.packaging_g) * 1000;
  for (const Item* item : accepted_units) {
    if (!item)
      continue;
    if (item->weight_g <= 0) {
      const auto name = fmt::format("{} ({})", item->sku, item->description);
      if (std::find(e.without_weight.begin(), e.without_weight.end(), name) == e.without_weight.end())
        e.without_weight.push_back(name);
      continue;
    }
    e.expected_mg += static_cast<std::int64_t>(item->weight_g) * 1000;
  }
  const std::int64_t tolerance_g = packaging && packaging->tolerance_g ? *packaging->tolerance_g : policy.tolerance_g;
  const std::int32_t permille =
      packaging && packaging->tolerance_permille ? *packaging->tolerance_permille : policy.tolerance_permille;
  const std::int64_t by_share = e.expected_mg * permille / 1000;
  e.tolerance_mg = std::max(tolerance_g * 1000, by_share);
  return e;
}

std::optional<WeightCheck> check_weight_possible(const WeightExpectation& expectation, const WeighingPolicy& policy)
{
  if (expectation.without_weight.empty())
    return std::nullopt;
  std::string names;
  for (const auto& name : expectation.without_weight)
    names += (names.empty() ? "" : ", ") + name;
  WeightCheck check;
  check.expected_mg = expectation.expected_mg;
  check.tolerance_mg = expectation.tolerance_mg;
  if (policy.missing_weight == WeighingPolicy::MissingWeight::skip) {
    check.outcome = WeightCheck::Outcome::skipped;
    check.message = fmt::format("weight check skipped: no catalog weight for {} (policy: skip)", names);
  } else {
    check.outcome = WeightCheck::Outcome::impossible;
    check.message = fmt::format("the pack cannot be weighed: no catalog weight for {} — add the weight to the "
                                "catalog or call a supervisor",
                                names);
  }
  return check;
}

WeightCheck check_weight(const WeightExpectation& e, const Weight& measured, const WeighingPolicy& policy)
{
  if (auto impossible = check_weight_possible(e, policy))
    return *impossible;
  WeightCheck check;
  check.measured = measured;
  check.measured_mg = measured.milligrams();
  check.expected_mg = e.expected_mg;
  check.tolerance_mg = e.tolerance_mg;
  check.difference_mg = check.measured_mg - e.expected_mg;
  const std::string stated = fmt::format("the box weighs {}, expected {} ± {}", measured.grams_text(),
                                         format_grams(e.expected_mg), format_grams(e.tolerance_mg));
  if (measured.compare_mg(e.expected_mg + e.tolerance_mg) > 0) {
    check.outcome = WeightCheck::Outcome::too_heavy;
    check.message =
        fmt::format("{}: {} too heavy — is something extra inside?", stated, format_grams(check.difference_mg));
  } else if (measured.compare_mg(e.expected_mg - e.tolerance_mg) < 0) {
    check.outcome = WeightCheck::Outcome::too_light;
    check.message = fmt::format("{}: {} too light — is something missing?", stated, format_grams(-check.difference_mg));
  } else {
    check.outcome = WeightCheck::Outcome::passed;
    check.message = fmt::format("{}: within tolerance", stated);
  }
  return check;
}

} // namespace pickverify
