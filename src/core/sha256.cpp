#include <pickverify/sha256.hpp>
#include <pickverify/text.hpp>

#include <sodium.h>

namespace pickverify {

std::string sha256_hex(std::span<const std::uint8_t> bytes)
{
  // sodium_init is idempotent and thread-safe; crypto_hash_sha256 does not strictly need it, but
  // the library asks for it before any call.
  static const int initialised = sodium_init();
  (void)initialised;
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, bytes.data(), bytes.size());
  return text::to_hex(std::span<const std::uint8_t>(digest, sizeof digest));
}

std::string sha256_hex(std::string_view bytes)
{
  return sha256_hex(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

bool is_sha256_hex(std::string_view text)
{
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

} // namespace pickverify
