// What a fuzz harness's parser made of one input, as lines of text: the fuzz regression tests compare
// it with the transcript kept for each corpus input (tests/fuzz/expected/<target>/<input>.txt), so a
// change in what parsing returns shows up, not only a crash.
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace pickverify::fuzz {

// Printable ASCII as it is; every other byte (and '\') as \xNN: a transcript is plain text.
inline std::string printable(std::string_view bytes)
{
  std::string out;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      out.push_back(c);
    } else {
      out += fmt::format("\\x{:02x}", byte);
    }
  }
  return out;
}

class Transcript {
public:
  template <typename... Args> void line(fmt::format_string<Args...> format, Args&&... args)
  {
    m_text += fmt::format(format, std::forward<Args>(args)...);
    m_text += '\n';
  }
  const std::string& text() const { return m_text; }

private:
  std::string m_text;
};

} // namespace pickverify::fuzz
