#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include <pickverify/sha256.hpp>

using namespace pickverify;

TEST_CASE("sha256_hex matches the FIPS 180-2 test vectors", "[sha256]")
{
  CHECK(sha256_hex(std::string_view("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex(std::string_view()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const std::vector<std::uint8_t> abc{'a', 'b', 'c'};
  CHECK(sha256_hex(std::span<const std::uint8_t>(abc)) == sha256_hex(std::string_view("abc")));
  // Bytes, not C strings: a NUL inside counts.
  CHECK(sha256_hex(std::string_view("a\0c", 3)) != sha256_hex(std::string_view("a")));
}

TEST_CASE("is_sha256_hex accepts exactly 64 lower-case hex digits", "[sha256]")
{
  CHECK(is_sha256_hex(sha256_hex(std::string_view("abc"))));
  CHECK_FALSE(is_sha256_hex(""));
  CHECK_FALSE(is_sha256_hex(std::string(63, 'a')));
  CHECK_FALSE(is_sha256_hex(std::string(65, 'a')));
  CHECK_FALSE(is_sha256_hex(std::string(64, 'A')));
  CHECK_FALSE(is_sha256_hex(std::string(63, 'a') + "g"));
  CHECK_FALSE(is_sha256_hex("../" + std::string(61, 'a')));
}
