#include <catch2/catch.hpp>

#include <pickverify/text.hpp>

using namespace pickverify;

TEST_CASE("is_digit and all_digits take ASCII digits only", "[text]")
{
  CHECK(text::is_digit('0'));
  CHECK(text::is_digit('9'));
  CHECK_FALSE(text::is_digit('a'));
  CHECK_FALSE(text::is_digit('\xd9')); // the second byte of U+0669 ARABIC-INDIC DIGIT NINE is no digit
  CHECK(text::all_digits("0123456789"));
  CHECK(text::all_digits("")); // callers that need one digit say so
  CHECK_FALSE(text::all_digits("12 3"));
  const std::string with_nul("12\0003", 4);
  CHECK_FALSE(text::all_digits(with_nul));
}

TEST_CASE("starts_with_ignoring_case compares ASCII case-insensitively against a lower-case prefix", "[text]")
{
  CHECK(text::starts_with_ignoring_case("HTTPS://id.gs1.org/01/1", "https://"));
  CHECK(text::starts_with_ignoring_case("/DEV/video0", "/dev/video"));
  CHECK_FALSE(text::starts_with_ignoring_case("http", "https://"));
  CHECK_FALSE(text::starts_with_ignoring_case("rtsp://", "http://"));
  CHECK(text::starts_with_ignoring_case("anything", ""));
}

TEST_CASE("to_hex writes lower-case hex of every byte", "[text]")
{
  CHECK(text::to_hex(std::string_view("\x00\x01\xab\xff", 4)) == "0001abff");
  CHECK(text::to_hex(std::string_view()).empty());
}

TEST_CASE("text::from_hex reads lower-case hex back and refuses anything else", "[text]")
{
  CHECK(pickverify::text::from_hex("01ab00ff") == std::string("\x01\xab\x00\xff", 4));
  CHECK(pickverify::text::from_hex("") == std::string());
  CHECK_FALSE(pickverify::text::from_hex("abc"));
  CHECK_FALSE(pickverify::text::from_hex("AB"));
  CHECK_FALSE(pickverify::text::from_hex("0g"));
  CHECK(pickverify::text::from_hex(pickverify::text::to_hex(std::string_view("\0\x1d\xff", 3))) ==
        std::string("\0\x1d\xff", 3));
}
