#include <catch2/catch.hpp>

#include <sstream>

#include "terminal.hpp"

using namespace pickverify;
using pickverify::app::terminal_safe;

TEST_CASE("terminal_safe escapes control characters, C1 controls, bidi overrides and invalid UTF-8", "[terminal]")
{
  CHECK(terminal_safe("plain text 123") == "plain text 123");
  CHECK(terminal_safe("\x1b[2J") == "\\x1B[2J");
  CHECK(terminal_safe("a\rOK ACCEPTED") == "a\\x0DOK ACCEPTED");
  CHECK(terminal_safe(std::string("nul\0byte", 8)) == "nul\\x00byte");
  CHECK(terminal_safe("tab\tnew\nline\x7f") == "tab\\x09new\\x0Aline\\x7F");
  CHECK(terminal_safe("\xc2\x9b"
                      "31m") == "\\xC2\\x9B31m"); // CSI as a C1 control
  CHECK(terminal_safe("\xe2\x80\xae"
                      "evil") == "\\xE2\\x80\\xAEevil"); // right-to-left override
  CHECK(terminal_safe("Gr\xc3\xb6\xc3\x9f"
                      "e 42 \xe2\x82\xac") == "Gr\xc3\xb6\xc3\x9f"
                                              "e 42 \xe2\x82\xac"); // UTF-8 kept
  CHECK(terminal_safe("\xff\xc3") == "\\xFF\\xC3");
  CHECK(terminal_safe("\xc0\xaf") == "\\xC0\\xAF"); // overlong '/'
  CHECK(terminal_safe("back\\slash") == "back\\\\slash");
}

TEST_CASE("Terminal::show escapes every text it prints", "[terminal]")
{
  std::ostringstream out;
  app::Terminal terminal(out, false);
  StationReply reply;
  reply.headline = "WRONG ITEM\x1b[2J";
  reply.details.push_back("catalog says \x1b]0;pwned\x07");
  terminal.show(reply);
  terminal.show_error("order \x1b[1;32mOK ACCEPTED");
  CHECK(out.str().find('\x1b') == std::string::npos);
  CHECK(out.str().find('\x07') == std::string::npos);
  CHECK(out.str().find("\\x1B[2J") != std::string::npos);
}
