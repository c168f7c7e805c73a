// A serial line (CDC-ACM /dev/ttyACM*, USB-serial adapters, a pty in tests) opened raw, non-blocking,
// at a standard speed and framing: the one way serial scanners and serial scales open their tty.
#pragma once

#include <filesystem>

#include <pickverify/device_profile.hpp>
#include <pickverify/error.hpp>

namespace pickverify {

// The open file descriptor (the caller owns it and closes it). Errors: device_offline when the tty does
// not exist, invalid_input for a speed that is not a standard one, io when it is not a terminal or
// cannot be configured. Messages carry no device name: callers add their context.
Result<int> open_serial_line(const std::filesystem::path& tty, const SerialSettings& settings);
// The speeds open_serial_line offers: 1200 … 230400 baud.
bool is_standard_baud(int baud);

} // namespace pickverify
