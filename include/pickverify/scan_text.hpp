// Printable form of raw scan bytes, for the `devices watch` output and the replay test files:
// printable ASCII as is, GS as <GS>, other bytes as \xHH, and a backslash as \\.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pickverify {

std::string escape_scan_text(std::string_view raw);
// The inverse; nullopt when the text holds a malformed escape.
std::optional<std::string> unescape_scan_text(std::string_view text);

} // namespace pickverify
