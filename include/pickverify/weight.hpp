// Weights as scales report them, converted exactly. A reading keeps the scale's own decimal form
// (mantissa × 10^exponent in its unit); conversions to milligrams are exact rationals (1 lb is
// 0.45359237 kg by definition, 1 oz is 1/16 lb = 28.349523125 g), and comparisons with a gram
// tolerance are done on those rationals, never on rounded floats. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <pickverify/error.hpp>

namespace pickverify {

enum class WeightUnit { mg, g, kg, oz, lb };

std::string_view to_string(WeightUnit unit);
Result<WeightUnit> parse_weight_unit(std::string_view text); // "g", "kg", "oz", "lb", "mg"

struct Weight {
  std::int64_t mantissa = 0; // signed: a tared scale can read below zero
  int exponent = 0;          // base 10, -9..9
  WeightUnit unit = WeightUnit::g;

  // Exact comparison with a whole number of milligrams: -1, 0, +1.
  int compare_mg(std::int64_t milligrams) const;
  // Rounded to the nearest milligram (half away from zero), for messages and the journal.
  std::int64_t milligrams() const;
  // "1,240 g" (grams, rounded to the gram) and "12.34 oz" (as the scale said it).
  std::string grams_text() const;
  std::string as_reported() const;
};

// Builds a weight, refusing exponents outside -9..9 (no scale reports them; they would overflow).
Result<Weight> make_weight(std::int64_t mantissa, int exponent, WeightUnit unit);
// "12.5" + "kg" → Weight{125, -1, kg}; strict: digits, at most one point, optional sign.
Result<Weight> parse_weight(std::string_view number, std::string_view unit);

// "1,240 g" from milligrams, rounded to the gram.
std::string format_grams(std::int64_t milligrams);

} // namespace pickverify
