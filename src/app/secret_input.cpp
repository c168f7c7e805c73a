#include "secret_input.hpp"

#include <iostream>

#include <termios.h>
#include <unistd.h>

namespace pickverify::app {

namespace {

// Echo off for as long as it lives; restored even when reading throws.
class EchoOff {
public:
  EchoOff()
  {
    if (tcgetattr(STDIN_FILENO, &m_saved) == 0) {
      termios quiet = m_saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      quiet.c_lflag |= ECHONL;
      m_active = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
  }
  ~EchoOff()
  {
    if (m_active) {
      tcsetattr(STDIN_FILENO, TCSAFLUSH, &m_saved);
    }
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

private:
  termios m_saved{};
  bool m_active = false;
};

} // namespace

Result<std::string> read_secret(std::istream& in, std::ostream& out, const std::string& prompt)
{
  out << prompt << std::flush;
  std::string line;
  bool read = false;
  if (&in == &std::cin && isatty(STDIN_FILENO)) {
    EchoOff quiet;
    read = static_cast<bool>(std::getline(in, line));
  } else {
    read = static_cast<bool>(std::getline(in, line));
    out << "\n";
  }
  if (!read) {
    return make_error(ErrorType::invalid_input, "no PIN or password given (end of input)");
  }
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return line;
}

} // namespace pickverify::app
