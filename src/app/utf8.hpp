// UTF-8 validity for text read from files (catalog and order imports) and shown on a terminal: RFC 3629, no overlong
// forms, no surrogates, nothing above U+10FFFF.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace pickverify::app {

// One valid UTF-8 sequence: how many bytes it takes and the code point it encodes.
struct Utf8Sequence {
  std::size_t length = 0;
  char32_t value = 0;
};

// The valid sequence beginning at text[pos] (ASCII included), or nullopt.
std::optional<Utf8Sequence> utf8_sequence_at(std::string_view text, std::size_t pos);

// The offset of the first byte that does not begin a valid UTF-8 sequence, or nullopt.
std::optional<std::size_t> invalid_utf8_at(std::string_view text);

} // namespace pickverify::app
