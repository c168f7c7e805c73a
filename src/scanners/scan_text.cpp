#include <pickverify/scan_text.hpp>

#include <fmt/format.h>

namespace pickverify {

std::string escape_scan_text(std::string_view raw)
{
  std::string out;
  for (unsigned char c : raw) {
    if (c == 0x1d)
      out += "<GS>";
    else if (c == '\\')
      out += "\\\\";
    else if (c >= 0x20 && c < 0x7f && c != '<')
      out += static_cast<char>(c);
    else
      out += fmt::format("\\x{:02x}", c);
  }
  return out;
}

std::optional<std::string> unescape_scan_text(std::string_view text)
{
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, 4) == "<GS>") {
      out += '\x1d';
      i += 3;
    } else if (text[i] == '\\') {
      if (i + 1 < text.size() && text[i + 1] == '\\') {
        out += '\\';
        ++i;
      } else if (i + 3 < text.size() + 0 && text[i + 1] == 'x') {
        const std::string hex(text.substr(i + 2, 2));
        if (hex.size() != 2 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
          return std::nullopt;
        out += static_cast<char>(std::stoi(hex, nullptr, 16));
        i += 3;
      } else {
        return std::nullopt;
      }
    } else {
      out += text[i];
    }
  }
  return out;
}

} // namespace pickverify
