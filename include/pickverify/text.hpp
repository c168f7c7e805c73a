// Small text helpers every room uses: ASCII digits, a case-insensitive prefix, hex. One home each, so
// that "is this a digit" means the same in GTIN parsing, GS1 Digital Link and a camera's device index.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pickverify::text {

// An ASCII digit '0'..'9' (never locale-dependent, unlike std::isdigit).
constexpr bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

// Every character an ASCII digit; true for the empty string (say `!s.empty() &&` where one is needed).
constexpr bool all_digits(std::string_view s)
{
  return std::all_of(s.begin(), s.end(), is_digit);
}

constexpr char to_lower_ascii(char c)
{
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// `text` starts with `lower_prefix` ignoring ASCII case; the prefix is written in lower case
// ("https://", "/dev/video").
constexpr bool starts_with_ignoring_case(std::string_view text, std::string_view lower_prefix)
{
  if (text.size() < lower_prefix.size())
    return false;
  for (std::size_t i = 0; i < lower_prefix.size(); ++i)
    if (to_lower_ascii(text[i]) != lower_prefix[i])
      return false;
  return true;
}

// The value of one hex digit of either case ('7' → 7, 'b' and 'B' → 11); -1 for any other character.
int hex_digit_value(char c);
// Lower-case hex of bytes: "\x01\xab" → "01ab".
std::string to_hex(std::string_view bytes);
std::string to_hex(std::span<const std::uint8_t> bytes);
// Lower-case hex back to bytes; nullopt for an odd length or any other character (one spelling of
// each key, signature and hash).
std::optional<std::string> from_hex(std::string_view hex);

} // namespace pickverify::text
