#include <pickverify/expected.hpp>
#include <pickverify/weight.hpp>

#include <cstdlib>

#include <fmt/format.h>

namespace pickverify {

namespace {

__extension__ typedef __int128 Int; // exact products of mantissa, 10^9 and a unit factor

// Milligrams per unit as an exact fraction.
struct Fraction {
  Int num;
  Int den;
};

Fraction mg_per(WeightUnit unit)
{
  switch (unit) {
  case WeightUnit::mg:
    return {1, 1};
  case WeightUnit::g:
    return {1000, 1};
  case WeightUnit::kg:
    return {1000000, 1};
  case WeightUnit::oz:
    return {28349523125, 1000000}; // 28 349.523125 mg
  case WeightUnit::lb:
    return {45359237, 100}; // 453 592.37 mg
  }
  return {0, 1};
}

Int pow10(int n)
{
  Int v = 1;
  for (int i = 0; i < n; ++i)
    v *= 10;
  return v;
}

// The weight in mg as num / den, den > 0.
Fraction exact_mg(const Weight& w)
{
  const Fraction per = mg_per(w.unit);
  Fraction f{static_cast<Int>(w.mantissa) * per.num, per.den};
  if (w.exponent >= 0)
    f.num *= pow10(w.exponent);
  else
    f.den *= pow10(-w.exponent);
  return f;
}

} // namespace

std::string_view to_string(WeightUnit unit)
{
  switch (unit) {
  case WeightUnit::mg:
    return "mg";
  case WeightUnit::g:
    return "g";
  case WeightUnit::kg:
    return "kg";
  case WeightUnit::oz:
    return "oz";
  case WeightUnit::lb:
    return "lb";
  }
  return "?";
}

Result<WeightUnit> parse_weight_unit(std::string_view text)
{
  for (auto unit : {WeightUnit::mg, WeightUnit::g, WeightUnit::kg, WeightUnit::oz, WeightUnit::lb})
    if (text == to_string(unit))
      return unit;
  return make_error(ErrorType::invalid_input, fmt::format("'{}' is not a weight unit (mg, g, kg, oz, lb)", text));
}

Result<Weight> make_weight(std::int64_t mantissa, int exponent, WeightUnit unit)
{
  if (exponent < -9 || exponent > 9)
    return make_error(ErrorType::invalid_input, fmt::format("weight exponent {} is outside -9..9", exponent));
  if (mantissa > 1'000'000'000'000 || mantissa < -1'000'000'000'000)
    return make_error(ErrorType::invalid_input, fmt::format("weight {} is too large", mantissa));
  return Weight{mantissa, exponent, unit};
}

Result<Weight> parse_weight(std::string_view number, std::string_view unit_text)
{
  PV_TRY_ASSIGN(auto unit, parse_weight_unit(unit_text));
  std::string_view digits = number;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  std::int64_t mantissa = 0;
  int decimals = 0;
  bool point = false;
  int count = 0;
  for (char c : digits) {
    if (c == '.' && !point) {
      point = true;
    } else if (c >= '0' && c <= '9') {
      if (++count > 12)
        return make_error(ErrorType::invalid_input, fmt::format("weight '{}' has too many digits", number));
      mantissa = mantissa * 10 + (c - '0');
      if (point)
        ++decimals;
    } else {
      return make_error(ErrorType::invalid_input, fmt::format("'{}' is not a number", number));
    }
  }
  if (count == 0)
    return make_error(ErrorType::invalid_input, fmt::format("'{}' is not a number", number));
  return make_weight(negative ? -mantissa : mantissa, -decimals, unit);
}

int Weight::compare_mg(std::int64_t milligrams_value) const
{
  const Fraction f = exact_mg(*this);
  const Int rhs = static_cast<Int>(milligrams_value) * f.den;
  return f.num < rhs ? -1 : (f.num > rhs ? 1 : 0);
}

std::int64_t Weight::milligrams() const
{
  const Fraction f = exact_mg(*this);
  const Int magnitude = f.num < 0 ? -f.num : f.num;
  const Int rounded = (2 * magnitude + f.den) / (2 * f.den);
  return static_cast<std::int64_t>(f.num < 0 ? -rounded : rounded);
}

std::string format_grams(std::int64_t mg)
{
  const bool negative = mg < 0;
  std::int64_t grams = ((negative ? -mg : mg) + 500) / 1000;
  std::string digits = std::to_string(grams);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return (negative && grams != 0 ? "-" : "") + out + " g";
}

std::string Weight::grams_text() const
{
  return format_grams(milligrams());
}

std::string Weight::as_reported() const
{
  std::string digits = std::to_string(std::llabs(mantissa));
  if (exponent > 0)
    digits += std::string(static_cast<std::size_t>(exponent), '0');
  else if (exponent < 0) {
    const auto decimals = static_cast<std::size_t>(-exponent);
    if (digits.size() <= decimals)
      digits.insert(0, decimals - digits.size() + 1, '0');
    digits.insert(digits.size() - decimals, ".");
  }
  return (mantissa < 0 ? "-" : "") + digits + " " + std::string(to_string(unit));
}

} // namespace pickverify
