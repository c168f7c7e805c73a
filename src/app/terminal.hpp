// The station screen in a terminal: verdicts in colour (when it is a terminal), a bell on refusals.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

#include <pickverify/station.hpp>

namespace pickverify::app {

// Text from outside (catalog descriptions, order ids, scanned bytes, reasons, user ids) made safe
// for a terminal: every control character (C0, DEL, C1) and invalid UTF-8 byte becomes \xHH, and a
// backslash becomes \\, so nothing can move the cursor, clear the screen or fake a verdict.
std::string terminal_safe(std::string_view text);

class Terminal {
public:
  Terminal(std::ostream& out, bool interactive) : m_out(out), m_interactive(interactive) {}

  void show(const StationReply& reply);
  void show_error(const std::string& message);
  void show_status(const Station& station);
  void prompt(const std::string& state);

private:
  std::string paint(const std::string& text, const char* colour) const;

  std::ostream& m_out;
  bool m_interactive;
};

} // namespace pickverify::app
