#include <pickverify/catalog.hpp>
#include <pickverify/text.hpp>

#include <cctype>
#include <cstdlib>

#include <fmt/format.h>

namespace pickverify {

namespace {

// Minor-unit digits per currency: the common ones; everything else has two.
int minor_digits(std::string_view currency)
{
  if (currency == "JPY" || currency == "KRW" || currency == "ISK" || currency == "CLP") {
    return 0;
  }
  if (currency == "BHD" || currency == "KWD" || currency == "OMR" || currency == "JOD" || currency == "TND") {
    return 3;
  }
  return 2;
}

std::string_view currency_symbol(std::string_view currency)
{
  if (currency == "USD")
    return "$";
  if (currency == "EUR")
    return "€";
  if (currency == "GBP")
    return "£";
  if (currency == "JPY")
    return "¥";
  return {};
}

} // namespace

std::string format_money(const Money& money)
{
  const int digits = minor_digits(money.currency);
  std::int64_t scale = 1;
  for (int i = 0; i < digits; ++i) {
    scale *= 10;
  }
  const bool negative = money.minor < 0;
  const std::uint64_t magnitude =
      negative ? 0 - static_cast<std::uint64_t>(money.minor) : static_cast<std::uint64_t>(money.minor);
  std::string amount = fmt::format("{}", magnitude / static_cast<std::uint64_t>(scale));
  if (digits > 0) {
    amount += fmt::format(".{:0{}}", magnitude % static_cast<std::uint64_t>(scale), digits);
  }
  const auto symbol = currency_symbol(money.currency);
  const std::string sign = negative ? "-" : "";
  if (!symbol.empty()) {
    return sign + std::string(symbol) + amount;
  }
  return sign + amount + " " + money.currency;
}

Result<Money> parse_money(std::string_view amount, std::string_view currency)
{
  if (currency.size() != 3 || !std::isupper(static_cast<unsigned char>(currency[0])) ||
      !std::isupper(static_cast<unsigned char>(currency[1])) ||
      !std::isupper(static_cast<unsigned char>(currency[2]))) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("currency '{}' is not a three-letter ISO 4217 code", currency));
  }
  const int digits = minor_digits(currency);
  std::string_view text = amount;
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 15 || !text::all_digits(whole) || !text::all_digits(fraction) ||
      static_cast<int>(fraction.size()) > digits || (dot != std::string_view::npos && fraction.empty())) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("amount '{}' is not a {} amount with at most {} decimals", amount, currency, digits));
  }
  std::int64_t minor = 0;
  for (char c : whole) {
    minor = minor * 10 + (c - '0');
  }
  for (int i = 0; i < digits; ++i) {
    minor = minor * 10 + (i < static_cast<int>(fraction.size()) ? fraction[static_cast<std::size_t>(i)] - '0' : 0);
  }
  return Money{negative ? -minor : minor, std::string(currency)};
}

} // namespace pickverify
