// Reading a PIN or password: from the terminal without echo, or one line of piped input (scripts,
// tests, a badge reader that types).
#pragma once

#include <iosfwd>
#include <string>

#include <pickverify/error.hpp>

namespace pickverify::app {

// Writes prompt to out, then reads one line from in. When in is std::cin and standard input is a
// terminal, echo is off while the line is typed. End of input is invalid_input.
Result<std::string> read_secret(std::istream& in, std::ostream& out, const std::string& prompt);

} // namespace pickverify::app
