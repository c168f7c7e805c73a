// `pickverify controller status|set|watch`: what a technician needs at the bench.
#include "controller_command.hpp"

#include <pickverify/controller.hpp>

#include <mutex>
#include <ostream>
#include <thread>

#include <fmt/format.h>

namespace pickverify::app {

namespace {

using namespace std::chrono_literals;
constexpr auto k_connect_timeout = 3s;

Result<std::unique_ptr<Controller>> open_controller(std::string_view kind, ControllerOptions options)
{
  if (kind == "virtual")
    return start_virtual_controller(std::move(options));
  if (kind != "usb" && !is_commodity_controller_kind(kind))
    return make_error(ErrorType::invalid_input,
                      fmt::format("controller kind '{}' is not usb, virtual, relay, delcom or relay+delcom", kind));
  auto controller = is_commodity_controller_kind(kind) ? start_commodity_controller(kind, std::move(options))
                                                       : start_usb_controller(std::move(options));
  if (!controller)
    return controller;
  const auto give_up = std::chrono::steady_clock::now() + k_connect_timeout;
  while (!(*controller)->online() && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(10ms);
  if (!(*controller)->online())
    return make_error(ErrorType::device_offline,
                      fmt::format("no station controller answered within {} s (is it plugged in? pickverify devices "
                                  "list shows what is attached)",
                                  k_connect_timeout.count()));
  return controller;
}

} // namespace

int controller_status(std::ostream& out, std::string_view kind, const ControllerOptions& options)
{
  auto controller = open_controller(kind, options);
  if (!controller) {
    out << "controller: " << controller.error().message << "\n";
    return 1;
  }
  auto info = (*controller)->info();
  auto inputs = (*controller)->read_inputs();
  if (!info || !inputs) {
    out << "controller: " << (info ? inputs.error().message : info.error().message) << "\n";
    return 1;
  }
  out << describe(*info) << "\n" << describe(*inputs) << "\n";
  (*controller)->stop();
  return 0;
}

Result<ControllerOutputs> parse_outputs(const std::vector<std::string>& words)
{
  ControllerOutputs o;
  for (const auto& word : words) {
    if (word == "locked" || word == "lock")
      o.locked = true;
    else if (word == "unlocked" || word == "unlock")
      o.locked = false;
    else if (word == "off")
      o.colour = LightColour::off;
    else if (word == "red")
      o.colour = LightColour::red;
    else if (word == "amber")
      o.colour = LightColour::amber;
    else if (word == "green")
      o.colour = LightColour::green;
    else if (word == "steady")
      o.pattern = LightPattern::steady;
    else if (word == "blink_slow")
      o.pattern = LightPattern::blink_slow;
    else if (word == "blink_fast")
      o.pattern = LightPattern::blink_fast;
    else if (word == "silent")
      o.buzzer = BuzzerPattern::silent;
    else if (word == "chirp")
      o.buzzer = BuzzerPattern::chirp;
    else if (word == "error_tone")
      o.buzzer = BuzzerPattern::error_tone;
    else if (word == "alarm")
      o.buzzer = BuzzerPattern::alarm;
    else
      return make_error(ErrorType::invalid_input,
                        fmt::format("'{}' is not an output: locked|unlocked, off|red|amber|green, "
                                    "steady|blink_slow|blink_fast, silent|chirp|error_tone|alarm",
                                    word));
  }
  return o;
}

int controller_set(std::ostream& out, std::string_view kind, const ControllerOptions& options,
                   const ControllerOutputs& outputs, std::chrono::milliseconds hold)
{
  std::mutex mutex;
  std::string refusal;
  ControllerOptions watched = options;
  watched.on_state = [&](ControllerState, const std::string& message) {
    std::lock_guard lock(mutex);
    if (message.find("refuses") != std::string::npos || message.find("SET_OUTPUTS") != std::string::npos)
      refusal = message;
  };
  auto controller = open_controller(kind, watched);
  if (!controller) {
    out << "controller: " << controller.error().message << "\n";
    return 1;
  }
  if (auto set = (*controller)->set_outputs(outputs); !set) {
    out << "controller: " << set.error().message << "\n";
    return 1;
  }
  // Confirm from the device itself: what it has in force after the command.
  std::optional<ControllerInputs> confirmed;
  const auto give_up = std::chrono::steady_clock::now() + 1s;
  while (std::chrono::steady_clock::now() < give_up) {
    auto inputs = (*controller)->read_inputs();
    if (inputs && inputs->outputs.locked == outputs.locked && inputs->outputs.colour == outputs.colour &&
        inputs->outputs.pattern == outputs.pattern) {
      confirmed = *inputs;
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  if (!confirmed) {
    std::lock_guard lock(mutex);
    out << "controller: the device did not take " << describe(outputs)
        << (refusal.empty() ? std::string() : ": " + refusal) << "\n";
    return 1;
  }
  out << "in force: " << describe(confirmed->outputs) << fmt::format(" (held for {} ms", hold.count())
      << ", then the device's watchdog locks the gate)\n";
  std::this_thread::sleep_for(hold);
  (*controller)->stop();
  return 0;
}

int controller_watch(std::ostream& out, std::string_view kind, ControllerOptions options, std::atomic<bool>& stop)
{
  std::mutex mutex;
  options.on_state = [&](ControllerState state, const std::string& message) {
    std::lock_guard lock(mutex);
    out << (state == ControllerState::online ? "online  " : "offline ") << message << std::endl;
  };
  options.on_inputs = [&](const ControllerInputs& inputs) {
    std::lock_guard lock(mutex);
    out << fmt::format("event #{}: gate {}, pack button {}, emergency stop {}{}", inputs.event_sequence,
                       inputs.gate_closed ? "closed" : "open", inputs.pack_button ? "pressed" : "released",
                       inputs.emergency_stop ? "PRESSED" : "released",
                       inputs.watchdog_tripped ? ", watchdog TRIPPED" : "")
        << std::endl;
  };
  std::unique_ptr<Controller> controller;
  if (kind == "virtual") {
    controller = start_virtual_controller(std::move(options));
  } else {
    auto started = is_commodity_controller_kind(kind) ? start_commodity_controller(kind, std::move(options))
                                                      : start_usb_controller(std::move(options));
    if (!started) {
      out << "controller: " << started.error().message << "\n";
      return 1;
    }
    controller = std::move(*started);
  }
  {
    std::lock_guard lock(mutex);
    out << controller->describe() << " — watching (Ctrl-C stops)" << std::endl;
  }
  while (!stop)
    std::this_thread::sleep_for(50ms);
  controller->stop();
  return 0;
}

} // namespace pickverify::app
