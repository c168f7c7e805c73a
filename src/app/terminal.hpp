// The station screen in a terminal: verdicts in colour (when it is a terminal), a bell on refusals.
#pragma once

#include <iosfwd>
#include <string>

#include <pickverify/station.hpp>

namespace pickverify::app {

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
