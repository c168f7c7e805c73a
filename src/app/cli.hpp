// The command line: global options, commands, help. In the library so tests can run it in-process.
#pragma once

#include <iosfwd>

namespace pickverify::app {

int run_cli(int argc, char** argv, std::istream& in, std::ostream& out, std::ostream& err, bool interactive);

} // namespace pickverify::app
