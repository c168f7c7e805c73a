// `pickverify controller status|set|watch`: what a technician needs at the bench.
// `kind` is "usb" or "virtual". Each returns a process exit code (0 ok, 1 device error).
#pragma once

#include <atomic>
#include <chrono>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/controller.hpp>

namespace pickverify::app {

// Connects, prints GET_INFO and GET_INPUTS, exits.
int controller_status(std::ostream& out, std::string_view kind, const ControllerOptions& options);
// Parses "locked|unlocked", a colour, a pattern and a buzzer pattern (any order, e.g.
// "unlocked green blink_slow chirp"); the rest keep the fail-closed defaults (locked, red, steady, silent).
Result<ControllerOutputs> parse_outputs(const std::vector<std::string>& words);
// Sets the outputs, confirms them from the device and holds them for `hold` (heartbeats go on),
// then releases the device, whose watchdog locks the gate again.
int controller_set(std::ostream& out, std::string_view kind, const ControllerOptions& options,
                   const ControllerOutputs& outputs, std::chrono::milliseconds hold);
// Prints every connection change and input event until `stop`.
int controller_watch(std::ostream& out, std::string_view kind, ControllerOptions options, std::atomic<bool>& stop);

} // namespace pickverify::app
