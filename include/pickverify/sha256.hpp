// SHA-256 as lower-case hex: the journal's hashes, evidence file names, API token digests.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace pickverify {

std::string sha256_hex(std::string_view bytes);
std::string sha256_hex(std::span<const std::uint8_t> bytes);
// 64 lower-case hex digits: what sha256_hex returns (evidence names and hashes are checked with it).
bool is_sha256_hex(std::string_view text);

} // namespace pickverify
