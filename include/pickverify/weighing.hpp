// Check-weighing: the expected weight of a pack is the catalog weights of its accepted units plus
// the packaging, within a tolerance from policy; a stable scale reading outside it refuses the pack
// and says by how much and which way. Pure: no I/O (the station asks the scale).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/catalog.hpp>
#include <pickverify/weight.hpp>

namespace pickverify {

// A kind of box the bench packs into ([[policy.weighing.packaging]]): its own weight and, where its
// contents weigh differently (a padded mailer, a shoe box with filler), its own tolerance. The
// picker scans one of its codes (printed on the carton or on the bench) while the order is open.
struct Packaging {
  std::string name;               // "shoe-box", shown and journaled
  std::vector<std::string> codes; // what the scanner reads for it: "PKG-SHOE-BOX"
  std::int64_t weight_g = 0;
  std::optional<std::int64_t> tolerance_g;        // unset: the station's tolerance_g
  std::optional<std::int32_t> tolerance_permille; // unset: the station's tolerance_permille
};

struct WeighingPolicy {
  bool required = false;               // weigh every pack before release (a scale offline then refuses)
  std::int64_t packaging_g = 0;        // the box, filler and label
  std::int64_t tolerance_g = 20;       // at least this much either way …
  std::int32_t tolerance_permille = 0; // … or this share of the expected weight (40 = 4.0 %), whichever is larger
  // Units whose catalog weight is 0 (unknown) make the check impossible: refuse, or skip it and say why.
  enum class MissingWeight { refuse, skip } missing_weight = MissingWeight::refuse;
  // The boxes of this station; until the picker scans one, packaging_g and the tolerances above hold.
  std::vector<Packaging> packagings;

  // The packaging whose code this is, or nullptr.
  const Packaging* packaging_for_code(std::string_view code) const;
  const Packaging* packaging_named(std::string_view name) const;
};

struct WeightExpectation {
  std::int64_t expected_mg = 0;
  std::int64_t tolerance_mg = 0;
  std::vector<std::string> without_weight; // "SKU-1 (Laces, black)" for each item with no catalog weight
};

// `packaging` (one of policy.packagings) replaces packaging_g, and its tolerances those of the policy.
WeightExpectation expect_weight(const std::vector<const Item*>& accepted_units, const WeighingPolicy& policy,
                                const Packaging* packaging = nullptr);
// "shoe-box: 180 g, tolerance ± 30 g or 3.0 %"
std::string describe(const Packaging& packaging, const WeighingPolicy& policy);

struct WeightCheck {
  enum class Outcome { passed, too_heavy, too_light, impossible, skipped };
  Outcome outcome = Outcome::impossible;
  std::optional<Weight> measured;
  std::int64_t measured_mg = 0;
  std::int64_t expected_mg = 0;
  std::int64_t tolerance_mg = 0;
  std::int64_t difference_mg = 0; // measured − expected
  // "the box weighs 1,240 g, expected 1,010 g ± 40 g: 230 g too heavy — is something extra inside?"
  std::string message;
  bool releases() const { return outcome == Outcome::passed || outcome == Outcome::skipped; }
};

std::string_view to_string(WeightCheck::Outcome outcome);

// Compares a stable reading with the expectation (exactly: the tolerance edges are inclusive).
WeightCheck check_weight(const WeightExpectation& expectation, const Weight& measured, const WeighingPolicy& policy);
// Before weighing: impossible (or skipped) when units have no catalog weight.
std::optional<WeightCheck> check_weight_possible(const WeightExpectation& expectation, const WeighingPolicy& policy);

} // namespace pickverify
