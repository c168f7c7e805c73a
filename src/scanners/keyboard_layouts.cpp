// Keyboard layouts as the scanner "types" them: which character each HID key usage (Keyboard/Keypad
// page 0x07) yields with Shift or AltGr. A scanner set to German sends the usage of the key that
// carries the character on a German keyboard; decoding it as US turns "z" into "y" and "-" into "/".
#include "keyboard_decoder.hpp"

#include <array>

namespace pickverify::scanners {

namespace {

struct Key {
  const char* normal;
  const char* shift;
  const char* altgr;
};

constexpr std::size_t k_usages = 0x65;
using Table = std::array<Key, k_usages>;

// Spacing forms of dead keys are marked by this prefix in the tables.
constexpr char k_dead = '\x7f';

constexpr Table make_us()
{
  Table t{};
  const char* lower[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m",
                         "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z"};
  const char* upper[] = {"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M",
                         "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z"};
  for (std::size_t i = 0; i < 26; ++i)
    t[0x04 + i] = {lower[i], upper[i], nullptr};
  const char* digits[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0"};
  const char* shifted[] = {"!", "@", "#", "$", "%", "^", "&", "*", "(", ")"};
  for (std::size_t i = 0; i < 10; ++i)
    t[0x1e + i] = {digits[i], shifted[i], nullptr};
  t[0x2c] = {" ", " ", nullptr};
  t[0x2d] = {"-", "_", nullptr};
  t[0x2e] = {"=", "+", nullptr};
  t[0x2f] = {"[", "{", nullptr};
  t[0x30] = {"]", "}", nullptr};
  t[0x31] = {"\\", "|", nullptr};
  t[0x32] = {"#", "~", nullptr};
  t[0x33] = {";", ":", nullptr};
  t[0x34] = {"'", "\"", nullptr};
  t[0x35] = {"`", "~", nullptr};
  t[0x36] = {",", "<", nullptr};
  t[0x37] = {".", ">", nullptr};
  t[0x38] = {"/", "?", nullptr};
  t[0x54] = {"/", "/", nullptr};
  t[0x55] = {"*", "*", nullptr};
  t[0x56] = {"-", "-", nullptr};
  t[0x57] = {"+", "+", nullptr};
  const char* keypad[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0"};
  for (std::size_t i = 0; i < 10; ++i)
    t[0x59 + i] = {keypad[i], keypad[i], nullptr};
  t[0x63] = {".", ".", nullptr};
  t[0x64] = {"\\", "|", nullptr};
  return t;
}

constexpr Table make_de()
{
  Table t = make_us();
  t[0x1c] = {"z", "Z", nullptr};
  t[0x1d] = {"y", "Y", nullptr};
  t[0x14] = {"q", "Q", "@"};
  t[0x08] = {"e", "E", "\xe2\x82\xac"}; // €
  t[0x10] = {"m", "M", "\xc2\xb5"};     // µ
  const char* shifted[] = {"!", "\"", "\xc2\xa7", "$", "%", "&", "/", "(", ")", "="};
  const char* digits[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0"};
  const char* altgr[] = {nullptr, "\xc2\xb2", "\xc2\xb3", nullptr, nullptr, nullptr, "{", "[", "]", "}"};
  for (std::size_t i = 0; i < 10; ++i)
    t[0x1e + i] = {digits[i], shifted[i], altgr[i]};
  t[0x2d] = {"\xc3\x9f", "?", "\\"};            // ß ? \ .
  t[0x2e] = {"\x7f\xc2\xb4", "\x7f`", nullptr}; // dead ´ and `
  t[0x2f] = {"\xc3\xbc", "\xc3\x9c", nullptr};  // ü Ü
  t[0x30] = {"+", "*", "~"};
  t[0x31] = {"#", "'", nullptr};
  t[0x32] = {"#", "'", nullptr};
  t[0x33] = {"\xc3\xb6", "\xc3\x96", nullptr}; // ö Ö
  t[0x34] = {"\xc3\xa4", "\xc3\x84", nullptr}; // ä Ä
  t[0x35] = {"\x7f^", "\xc2\xb0", nullptr};    // dead ^, °
  t[0x36] = {",", ";", nullptr};
  t[0x37] = {".", ":", nullptr};
  t[0x38] = {"-", "_", nullptr};
  t[0x64] = {"<", ">", "|"};
  return t;
}

constexpr Table make_fr()
{
  Table t = make_us();
  t[0x04] = {"q", "Q", nullptr};
  t[0x14] = {"a", "A", nullptr};
  t[0x1a] = {"z", "Z", nullptr};
  t[0x1d] = {"w", "W", nullptr};
  t[0x33] = {"m", "M", nullptr};
  t[0x10] = {",", "?", nullptr};
  t[0x08] = {"e", "E", "\xe2\x82\xac"};
  // AZERTY: the digits need Shift; unshifted the top row types symbols.
  const char* normal[] = {"&", "\xc3\xa9", "\"", "'", "(", "-", "\xc3\xa8", "_", "\xc3\xa7", "\xc3\xa0"};
  const char* digits[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0"};
  const char* altgr[] = {nullptr, "\x7f~", "#", "{", "[", "|", "\x7f`", "\\", "^", "@"};
  for (std::size_t i = 0; i < 10; ++i)
    t[0x1e + i] = {normal[i], digits[i], altgr[i]};
  t[0x2d] = {")", "\xc2\xb0", "]"};
  t[0x2e] = {"=", "+", "}"};
  t[0x2f] = {"\x7f^", "\x7f\xc2\xa8", nullptr}; // dead ^ and ¨
  t[0x30] = {"$", "\xc2\xa3", "\xc2\xa4"};
  t[0x31] = {"*", "\xc2\xb5", nullptr};
  t[0x32] = {"*", "\xc2\xb5", nullptr};
  t[0x34] = {"\xc3\xb9", "%", nullptr};
  t[0x35] = {"\xc2\xb2", nullptr, nullptr};
  t[0x36] = {";", ".", nullptr};
  t[0x37] = {":", "/", nullptr};
  t[0x38] = {"!", "\xc2\xa7", nullptr};
  t[0x64] = {"<", ">", nullptr};
  return t;
}

constexpr Table k_us = make_us();
constexpr Table k_de = make_de();
constexpr Table k_fr = make_fr();

const Table& table_for(KeyboardLayout layout)
{
  switch (layout) {
  case KeyboardLayout::de:
    return k_de;
  case KeyboardLayout::fr:
    return k_fr;
  case KeyboardLayout::us:
    break;
  }
  return k_us;
}

} // namespace

std::string_view layout_character(KeyboardLayout layout, std::uint8_t usage, bool shift, bool altgr)
{
  if (usage >= k_usages)
    return {};
  const Key& key = table_for(layout)[usage];
  const char* text = altgr ? key.altgr : (shift ? key.shift : key.normal);
  return text ? std::string_view(text) : std::string_view();
}

bool is_dead(std::string_view text)
{
  return !text.empty() && text[0] == k_dead;
}

} // namespace pickverify::scanners
