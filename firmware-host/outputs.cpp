// What the gate, light and buzzer show for each station state, and how that reads in words.
#include <pickverify/controller.hpp>

#include <fmt/format.h>

namespace pickverify {

std::string_view to_string(LightColour colour)
{
  switch (colour) {
  case LightColour::off:
    return "off";
  case LightColour::red:
    return "red";
  case LightColour::amber:
    return "amber";
  case LightColour::green:
    return "green";
  }
  return "unknown";
}

std::string_view to_string(LightPattern pattern)
{
  switch (pattern) {
  case LightPattern::steady:
    return "steady";
  case LightPattern::blink_slow:
    return "slow blink";
  case LightPattern::blink_fast:
    return "fast blink";
  }
  return "unknown";
}

std::string_view to_string(BuzzerPattern pattern)
{
  switch (pattern) {
  case BuzzerPattern::silent:
    return "silent";
  case BuzzerPattern::chirp:
    return "chirp";
  case BuzzerPattern::error_tone:
    return "error tone";
  case BuzzerPattern::alarm:
    return "alarm";
  }
  return "unknown";
}

std::string describe(const ControllerOutputs& o)
{
  if (o.colour == LightColour::off)
    return fmt::format("gate {}, light off, buzzer {}", o.locked ? "LOCKED" : "UNLOCKED", to_string(o.buzzer));
  return fmt::format("gate {}, light {} {}, buzzer {}", o.locked ? "LOCKED" : "UNLOCKED", to_string(o.colour),
                     to_string(o.pattern), to_string(o.buzzer));
}

std::string describe(const ControllerInputs& in)
{
  return fmt::format("gate {}, pack button {}, emergency stop {}, watchdog {}; outputs in force: {}",
                     in.gate_closed ? "closed" : "open", in.pack_button ? "pressed" : "released",
                     in.emergency_stop ? "PRESSED" : "released",
                     in.watchdog_tripped ? "TRIPPED"
                     : in.watchdog_armed ? "armed"
                                         : "not armed",
                     describe(in.outputs));
}

std::string describe(const ControllerInfo& info)
{
  return fmt::format("{}: protocol {}.{}, firmware {}, serial {}, watchdog {}..{} ms, capabilities 0x{:04x}",
                     info.device_id, info.protocol_major, info.protocol_minor, info.firmware_version,
                     info.serial.empty() ? "(none)" : info.serial, info.watchdog_min.count(), info.watchdog_max.count(),
                     info.capabilities);
}

ControllerOutputs outputs_for(SessionState state, bool device_offline, bool reply_tone_error)
{
  ControllerOutputs o; // locked, red, steady, silent
  if (reply_tone_error)
    o.buzzer = BuzzerPattern::error_tone;
  if (device_offline) {
    o.pattern = LightPattern::blink_slow;
    return o;
  }
  switch (state) {
  case SessionState::blocked:
    o.colour = LightColour::red;
    o.buzzer = BuzzerPattern::error_tone;
    break;
  case SessionState::active:
  case SessionState::complete:
  case SessionState::awaiting_image_check:
    o.colour = LightColour::amber;
    break;
  case SessionState::released:
    o.locked = false;
    o.colour = LightColour::green;
    break;
  case SessionState::idle:
  case SessionState::packed:
  case SessionState::abandoned:
    o.colour = LightColour::off;
    break;
  }
  return o;
}

} // namespace pickverify
