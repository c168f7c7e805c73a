// GTIN check digits and forms (GS1 General Specifications 7.9.1 check digit, 2.1 GTIN formats,
// UPC-E zero suppression).
#include <algorithm>
#include <string>

#include <fmt/format.h>

#include <pickverify/codes.hpp>
#include <pickverify/text.hpp>

namespace pickverify {

namespace {

std::string check_digit_problem(std::string_view digits)
{
  const int expected = gtin_check_digit(digits.substr(0, digits.size() - 1));
  return fmt::format("check digit: expected {}, got {}", expected, digits.back());
}

} // namespace

int gtin_check_digit(std::string_view digits_without_check)
{
  if (!text::all_digits(digits_without_check)) {
    return -1;
  }
  // Weight 3 falls on the digit next to the check digit, whatever the length.
  int sum = 0;
  int weight = 3;
  for (auto it = digits_without_check.rbegin(); it != digits_without_check.rend(); ++it) {
    sum += (*it - '0') * weight;
    weight = 4 - weight;
  }
  return (10 - sum % 10) % 10;
}

bool has_valid_gtin_check_digit(std::string_view digits)
{
  if (digits.size() < 2 || !text::all_digits(digits)) {
    return false;
  }
  return gtin_check_digit(digits.substr(0, digits.size() - 1)) == digits.back() - '0';
}

Result<std::string> normalize_gtin(std::string_view digits)
{
  if (!text::all_digits(digits)) {
    return make_error(ErrorType::invalid_input, "not a GTIN: contains characters other than digits");
  }
  const auto length = digits.size();
  if (length != 8 && length != 12 && length != 13 && length != 14) {
    return make_error(ErrorType::invalid_input, fmt::format("not a GTIN: {} digit{}", length, length == 1 ? "" : "s"));
  }
  if (!has_valid_gtin_check_digit(digits)) {
    return make_error(ErrorType::invalid_input, check_digit_problem(digits));
  }
  return std::string(14 - length, '0') + std::string(digits);
}

Result<std::string> expand_upce(std::string_view upce)
{
  if (upce.size() != 8 || !text::all_digits(upce)) {
    return make_error(ErrorType::invalid_input, "not a UPC-E: needs 8 digits");
  }
  if (upce[0] != '0' && upce[0] != '1') {
    return make_error(ErrorType::invalid_input, fmt::format("not a UPC-E: number system {}, must be 0 or 1", upce[0]));
  }
  const char number_system = upce[0];
  const std::string_view d = upce.substr(1, 6); // d[0]..d[5]; d[5] says how zeros were suppressed
  const char check = upce[7];
  std::string upca;
  upca.reserve(12);
  upca += number_system;
  switch (d[5]) {
  case '0':
  case '1':
  case '2': // manufacturer X1 X2 X6 0 0, item 0 0 X3 X4 X5
    upca += d.substr(0, 2);
    upca += d[5];
    upca += "0000";
    upca += d.substr(2, 3);
    break;
  case '3': // manufacturer X1 X2 X3 0 0, item 0 0 0 X4 X5
    upca += d.substr(0, 3);
    upca += "00000";
    upca += d.substr(3, 2);
    break;
  case '4': // manufacturer X1 X2 X3 X4 0, item 0 0 0 0 X5
    upca += d.substr(0, 4);
    upca += "00000";
    upca += d[4];
    break;
  default: // 5-9: manufacturer X1..X5, item 0 0 0 0 X6
    upca += d.substr(0, 5);
    upca += "0000";
    upca += d[5];
    break;
  }
  upca += check;
  if (!has_valid_gtin_check_digit(upca)) {
    return make_error(ErrorType::invalid_input, check_digit_problem(upca));
  }
  return upca;
}

bool is_restricted_circulation(std::string_view gtin14)
{
  // GTIN-13 prefix 20-29 is "02..." in the 14-digit form; prefix 02 (UPC number system 2) is "002...".
  if (gtin14.size() != 14) {
    return false;
  }
  return gtin14.substr(0, 2) == "02" || gtin14.substr(0, 3) == "002";
}

} // namespace pickverify
