// UTF-8 validity for text read from files (catalog and order imports): RFC 3629, no overlong forms,
// no surrogates, nothing above U+10FFFF.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace pickverify::app {

// The offset of the first byte that does not begin a valid UTF-8 sequence, or nullopt.
std::optional<std::size_t> invalid_utf8_at(std::string_view text);

} // namespace pickverify::app
