#include "utf8.hpp"

namespace pickverify::app {

std::optional<Utf8Sequence> utf8_sequence_at(std::string_view text, std::size_t pos)
{
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  if (pos >= text.size()) {
    return std::nullopt;
  }
  const unsigned char lead = byte(pos);
  if (lead < 0x80) {
    return Utf8Sequence{1, lead};
  }
  std::size_t length = 0;
  char32_t min = 0;
  char32_t value = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2, min = 0x80, value = lead & 0x1fu;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3, min = 0x800, value = lead & 0x0fu;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4, min = 0x10000, value = lead & 0x07u;
  } else {
    return std::nullopt;
  }
  if (pos + length > text.size()) {
    return std::nullopt;
  }
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xc0u) != 0x80u) {
      return std::nullopt;
    }
    value = (value << 6) | (byte(pos + i) & 0x3fu);
  }
  if (value < min || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
    return std::nullopt;
  }
  return Utf8Sequence{length, value};
}

std::optional<std::size_t> invalid_utf8_at(std::string_view text)
{
  for (std::size_t pos = 0; pos < text.size();) {
    const auto sequence = utf8_sequence_at(text, pos);
    if (!sequence) {
      return pos;
    }
    pos += sequence->length;
  }
  return std::nullopt;
}

} // namespace pickverify::app
