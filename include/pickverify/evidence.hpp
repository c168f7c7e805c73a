// Evidence photos of the image check, stored content-addressed by SHA-256 under
// <data_dir>/evidence/ so the journal can carry their hashes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/error.hpp>
#include <pickverify/sha256.hpp>

namespace pickverify {

// <data_dir>/evidence/<first 2 hex>/<hash>.jpg. Inline: the service and the evidence pack name the
// files without linking the vision room that stores them.
inline std::filesystem::path evidence_path(const std::filesystem::path& data_dir, std::string_view sha256_hex)
{
  const std::string name(sha256_hex);
  return data_dir / "evidence" / name.substr(0, 2) / (name + ".jpg");
}

// Stores bytes content-addressed (temp file, fsync, rename, fsync of the folder); returns the hash.
// Storing the same bytes twice is a no-op that returns the same hash.
Result<std::string> store_evidence(const std::filesystem::path& data_dir, const std::vector<std::uint8_t>& jpeg);

// Re-hashes the stored file: not_found when it is missing, corrupt when its bytes differ from the hash.
Result<void> verify_evidence(const std::filesystem::path& data_dir, std::string_view sha256_hex);

} // namespace pickverify
