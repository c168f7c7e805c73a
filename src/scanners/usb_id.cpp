// USB ids as profiles write them: "0c2e:0b61" (vendor:product, four hex digits each).
#include <pickverify/device_profile.hpp>

#include <fmt/format.h>

namespace pickverify {

std::string to_string(UsbId id)
{
  return fmt::format("{:04x}:{:04x}", id.vendor, id.product);
}

std::optional<UsbId> parse_usb_id(std::string_view text)
{
  if (text.size() != 9 || text[4] != ':') {
    return std::nullopt;
  }
  auto hex16 = [](std::string_view part, std::uint16_t& out) {
    unsigned value = 0;
    for (const char c : part) {
      const auto lower = static_cast<char>(c | 0x20);
      if (c >= '0' && c <= '9') {
        value = value << 4 | unsigned(c - '0');
      } else if (lower >= 'a' && lower <= 'f') {
        value = value << 4 | unsigned(lower - 'a' + 10);
      } else {
        return false;
      }
    }
    out = static_cast<std::uint16_t>(value);
    return true;
  };
  UsbId id;
  if (!hex16(text.substr(0, 4), id.vendor) || !hex16(text.substr(5, 4), id.product)) {
    return std::nullopt;
  }
  return id;
}

} // namespace pickverify
