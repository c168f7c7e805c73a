// Trust from outside the database: each station signs checkpoints of the journal with an Ed25519
// key kept in a file outside the database, and QA keeps anchors (signed checkpoints) elsewhere, so
// a rewritten-and-rechained journal, a cut tail or a rolled-back copy of the data folder is caught.
// docs/JOURNAL.md, "Checkpoints and anchors", says what is and is not detected.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/error.hpp>

namespace pickverify {

// A station's Ed25519 signing key: 64 bytes (libsodium's secret key, seed and public key) in a file
// of mode 0600 that only its owner may read. The public key goes beside it as <file>.pub (hex).
class StationKey {
public:
  // Loads the key, or creates it (and its folder, mode 0700) when the file does not exist. A file
  // of the wrong size, or readable or writable by group or others, is refused.
  static Result<StationKey> load_or_create(const std::filesystem::path& path);
  static Result<StationKey> load(const std::filesystem::path& path);

  const std::string& public_key_hex() const { return m_public_hex; }
  // The first 16 hex digits of SHA-256(public key): short enough to read out, long enough to tell
  // keys apart.
  const std::string& key_id() const { return m_key_id; }
  // Detached Ed25519 signature, hex.
  std::string sign(std::string_view message) const;

private:
  std::array<unsigned char, 64> m_secret{};
  std::string m_public_hex;
  std::string m_key_id;
};

std::string key_id_of(std::string_view public_key_hex);
bool verify_signature(std::string_view public_key_hex, std::string_view message, std::string_view signature_hex);
// A public key file: 64 hex digits (a StationKey's .pub, or the key_id-less hex from an anchor).
Result<std::string> read_public_key_file(const std::filesystem::path& path);
// SHA-256 of a file's bytes, lower-case hex.
Result<std::string> sha256_file_hex(const std::filesystem::path& path);

// A signed statement "the journal's row `seq` has hash `head_hash`", journaled as a row of type
// checkpoint (detail holds this as JSON) and written out as an anchor file.
struct Checkpoint {
  std::string station;
  std::int64_t seq = 0; // the row it covers (the checkpoint row itself is the next one)
  std::string head_hash;
  std::int64_t utc_ms = 0;
  std::string key_id;
  std::string public_key; // hex
  std::string signature;  // hex, over signed_message()

  // "pickverify-checkpoint-v1\nstation=…\nseq=…\nhash=…\nutc_ms=…\nkey_id=…\n": the exact bytes signed.
  std::string signed_message() const;
  bool signature_valid() const;
  std::string to_json() const; // one JSON object, keys as the fields
  // Strict: every field present with its type, no other key.
  static Result<Checkpoint> from_json(std::string_view text);
};

// When the store journals a checkpoint by itself: after every pack release, and once at least
// every_events rows or every_interval have passed since the last one (checked at each append).
struct CheckpointPolicy {
  std::int64_t every_events = 100;
  std::chrono::seconds every_interval{300};
};

} // namespace pickverify
