// The journal's chain hash. The encoding is documented byte for byte in docs/JOURNAL.md so QA can
// recompute it with any SHA-256 tool; change both together or not at all.
#include "journal_hash.hpp"
#include "journal_fields.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <sodium.h>

#include <pickverify/store.hpp>
#include <pickverify/text.hpp>

namespace pickverify {

namespace {

void update(crypto_hash_sha256_state& state, std::string_view bytes)
{
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

// Length first (8 bytes, big-endian), so no choice of field contents can shift bytes from one
// field into the next and collide with another row.
void update_field(crypto_hash_sha256_state& state, std::string_view bytes)
{
  std::array<unsigned char, 8> length{};
  auto size = static_cast<std::uint64_t>(bytes.size());
  for (int i = 7; i >= 0; --i) {
    length[static_cast<std::size_t>(i)] = static_cast<unsigned char>(size & 0xffu);
    size >>= 8;
  }
  crypto_hash_sha256_update(&state, length.data(), length.size());
  update(state, bytes);
}

} // namespace

namespace store {

bool sodium_ready()
{
  // sodium_init is idempotent and thread-safe; the static only saves the repeated call.
  static const bool ready = sodium_init() >= 0;
  return ready;
}

} // namespace store

std::string journal_row_hash(const JournalEntry& entry, const std::string& prev_hash)
{
  (void)store::sodium_ready();
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  update(state, prev_hash);
  for (const store::JournalField* field : store::journal_hash_fields(store::journal_hash_recipe(entry))) {
    update_field(state, store::journal_field_bytes(entry, *field));
  }
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(&state, digest.data());
  return text::to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

} // namespace pickverify
