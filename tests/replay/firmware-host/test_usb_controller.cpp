// The station controller's libusb driver (firmware-host/usb_controller.cpp) against the firmware
// model on an emulated USB device: watchdog, reconnect, re-assertion, malformed answers, events.
#include <catch2/catch.hpp>

#include <pickverify/controller.hpp>

#include <mutex>
#include <thread>

#include "controller_link.hpp"
#include "emulated_controller.hpp"

using namespace pickverify;
using namespace std::chrono_literals;
using pickverify::test::EmulatedController;
using pickverify::test::UsbEmulator;

namespace {

struct Recorder {
  std::mutex mutex;
  std::vector<std::pair<ControllerState, std::string>> states;
  std::vector<ControllerInputs> inputs;

  ControllerOptions options(std::chrono::milliseconds timeout = 300ms)
  {
    ControllerOptions o;
    o.watchdog_timeout = timeout;
    o.on_state = [this](ControllerState state, const std::string& message) {
      std::lock_guard lock(mutex);
      states.emplace_back(state, message);
    };
    o.on_inputs = [this](const ControllerInputs& in) {
      std::lock_guard lock(mutex);
      inputs.push_back(in);
    };
    return o;
  }

  bool said(const std::string& text)
  {
    std::lock_guard lock(mutex);
    for (const auto& [state, message] : states)
      if (message.find(text) != std::string::npos)
        return true;
    return false;
  }

  std::string all()
  {
    std::lock_guard lock(mutex);
    std::string out;
    for (const auto& [state, message] : states)
      out += std::string(state == ControllerState::online ? "online: " : "offline: ") + message + "\n";
    return out;
  }
};

const ControllerOutputs k_released = outputs_for(SessionState::released, false, false);
const ControllerOutputs k_verifying = outputs_for(SessionState::active, false, false);
const ControllerOutputs k_blocked = outputs_for(SessionState::blocked, false, true);

bool outputs_are(fw::FirmwareModel& model, const ControllerOutputs& wanted)
{
  auto now = fw::from_wire(model.outputs());
  return now.locked == wanted.locked && now.colour == wanted.colour && now.pattern == wanted.pattern;
}

} // namespace

TEST_CASE("usb controller: on arrival it arms the watchdog and asserts the station's outputs", "[replay][controller]")
{
  UsbEmulator usb;
  EmulatedController device(usb);
  Recorder recorder;
  // 600 ms: heartbeats every 200 ms, so a loaded CI machine's scheduling stalls do not trip it.
  auto controller = start_usb_controller(recorder.options(600ms));
  REQUIRE(controller);
  REQUIRE_FALSE((*controller)->online());
  REQUIRE((*controller)->set_outputs(k_released));

  device.plug();
  REQUIRE(UsbEmulator::wait_for([&] { return (*controller)->online(); }, 2s));
  REQUIRE(UsbEmulator::wait_for([&] { return outputs_are(device.model(), k_released); }, 1s));
  CHECK(device.model().heartbeats() >= 1);
  CHECK(recorder.said("protocol 1.0, firmware 1.0.0, serial PV-MODEL-01"));

  auto info = (*controller)->info();
  REQUIRE(info);
  CHECK(info->serial == "PV-MODEL-01");
  CHECK(info->device_id == "usb:1-3:1209:0001");

  // Heartbeats keep the watchdog from tripping for as long as the host runs.
  std::this_thread::sleep_for(900ms);
  CHECK(device.model().watchdog_trips() == 0);
  CHECK(device.model().heartbeats() >= 3);
  CHECK(outputs_are(device.model(), k_released));
}

TEST_CASE("usb controller: when the host goes silent the device's watchdog locks the gate and shows red",
          "[replay][controller]")
{
  UsbEmulator usb;
  EmulatedController device(usb);
  Recorder recorder;
  auto controller = start_usb_controller(recorder.options(200ms));
  REQUIRE(controller);
  REQUIRE((*controller)->set_outputs(k_released));
  device.plug();
  REQUIRE(UsbEmulator::wait_for([&] { return outputs_are(device.model(), k_released); }, 2s));

  (*controller)->stop(); // the host is gone: no more heartbeats
  REQUIRE(UsbEmulator::wait_for([&] { return device.model().watchdog_trips() == 1; }, 1s));
  const auto outputs = device.model().outputs();
  CHECK(outputs.lock == fw::Lock::locked);
  CHECK(outputs.colour == fw::Colour::red);
  CHECK((device.model().flags() & fw::k_flag_watchdog_tripped) != 0);
}

TEST_CASE("usb controller: a watchdog trip while running is reported, re-armed and the outputs re-asserted",
          "[replay][controller]")
{
  UsbEmulator usb;
  EmulatedController device(usb);
  Recorder recorder;
  auto controller = start_usb_controller(recorder.options(200ms));
  REQUIRE(controller);
  REQUIRE((*controller)->set_outputs(k_released));
  device.plug();
  REQUIRE(UsbEmulator::wait_for([&] { return outputs_are(device.model(), k_released); }, 2s));

  // Every answer stalls for a while (a wedged firmware task): heartbeats fail, the watchdog trips.
  device.model().inject_fault(fw::FirmwareModel::Fault::no_answer, 6);
  REQUIRE(UsbEmulator::wait_for([&] { return device.model().watchdog_trips() == 1; }, 2s));
  REQUIRE(UsbEmulator::wait_for([&] { return outputs_are(device.model(), k_released); }, 2s));
  // on_state runs on the USB hub's callback thread: a note may trail the device by a moment.
  CHECK(UsbEmulator::wait_for([&] { return recorder.said("its watchdog tripped"); }, 1s));
  CHECK(UsbEmulator::wait_for([&] { return recorder.said("the device stalled the request"); }, 1s));
  CHECK((*controller)->online());
}

TEST_CASE("usb controller: unplugged it goes offline, plugged back the outputs are re-asserted within 1 s",
          "[replay][controller]")
{
  UsbEmulator usb;
  EmulatedController device(usb);
  Recorder recorder;
  auto controller = start_usb_controller(recorder.options());
  REQUIRE(controller);
  REQUIRE((*controller)->set_outputs(k_blocked));
  device.plug();
  REQUIRE(UsbEmulator::wait_for([&] { return (*controller)->online() && !device.model().applied().empty(); }, 2s));
  CHECK(device.model().applied().front().outputs.buzzer == fw::Buzzer::error_tone);
  CHECK(outputs_are(device.model(), k_blocked));

  device.unplug();
  const bool offline =
      UsbEmulator::wait_for([&] { return !(*controller)->online() && recorder.said("unplugged"); }, 2s);
  INFO(recorder.all());
  REQUIRE(offline);
  CHECK_FALSE((*controller)->read_inputs());

  // The station moved on while the device was away.
  REQUIRE((*controller)->set_outputs(k_verifying));
  const auto plugged_at = std::chrono::steady_clock::now();
  device.plug(); // power-cycled: the firmware boots locked and red
  REQUIRE(UsbEmulator::wait_for([&] { return !device.model().applied().empty(); }, 1s));
  const auto first = device.model().applied().front();
  CHECK(first.at - plugged_at < 1s);
  CHECK(fw::from_wire(first.outputs).colour == LightColour::amber);
  CHECK(fw::from_wire(first.outputs).locked);
  // The error tone was sounded once before the unplug; it is not replayed on reconnect.
  CHECK(first.outputs.buzzer == fw::Buzzer::silent);
  CHECK(device.model().heartbeats() >= 1);
  CHECK(UsbEmulator::wait_for([&] { return (*controller)->online(); }, 1s));
}

TEST_CASE("usb controller: malformed and short answers are clear errors and the device stays usable",
          "[replay][controller]")
{
  UsbEmulator usb;
  EmulatedController device(usb);
  Recorder recorder;
  auto controller = start_usb_controller(recorder.options(1000ms));
  REQUIRE(controller);
  device.plug();
  REQUIRE(UsbEmulator::wait_for([&] { return (*controller)->online(); }, 2s));

  using Fault = fw::FirmwareModel::Fault;
  const std::vector<std::pair<Fault, std::string>> cases = {
      {Fault::short_answer, "GET_INPUTS: answer is 3 bytes, shorter than the 5-byte header"},
      {Fault::wrong_version, "GET_INPUTS: device speaks protocol version 2, this host speaks 1"},
      {Fault::wrong_echo, "GET_INPUTS: answer is for request 0x43, not 0x03"},
      {Fault::wrong_length, "GET_INPUTS: payload length field says 15 bytes, the command's payload is 12"},
      {Fault::no_answer, "GET_INPUTS: the device stalled the request"},
  };
  for (const auto& [fault, message] : cases) {
    INFO(message);
    device.model().inject_fault(fault, 1);
    auto broken = (*controller)->read_inputs();
    REQUIRE_FALSE(broken);
    CHECK(broken.error().message == message);
    auto fine = (*controller)->read_inputs();
    REQUIRE(fine);
    CHECK(fine->watchdog_armed);
    CHECK((*controller)->online());
  }
}

TEST_CASE("usb controller: input changes arrive as events, the emergency stop refuses an unlock by name",
          "[replay][controller]")
{
  UsbEmulator usb;
  EmulatedController device(usb);
  Recorder recorder;
  auto controller = start_usb_controller(recorder.options(1000ms));
  REQUIRE(controller);
  device.plug();
  REQUIRE(UsbEmulator::wait_for([&] { return (*controller)->online(); }, 2s));

  device.set_inputs(fw::k_input_pack_button); // gate open, button pressed
  REQUIRE(UsbEmulator::wait_for(
      [&] {
        std::lock_guard lock(recorder.mutex);
        return !recorder.inputs.empty();
      },
      1s));
  {
    std::lock_guard lock(recorder.mutex);
    CHECK(recorder.inputs.back().pack_button);
    CHECK_FALSE(recorder.inputs.back().gate_closed);
  }

  device.send_raw({0x7f, 0, 0, 0, 0, 0, 0, 0});
  REQUIRE(UsbEmulator::wait_for([&] { return recorder.said("event: unknown kind 0x7f, ignored"); }, 1s));

  device.set_inputs(fw::k_input_emergency_stop | fw::k_input_gate_closed);
  REQUIRE((*controller)->set_outputs(k_released));
  REQUIRE(UsbEmulator::wait_for(
      [&] { return recorder.said("refuses to unlock while the emergency stop is pressed (emergency_stop)"); }, 1s));
  CHECK(device.model().outputs().lock == fw::Lock::locked);
  auto inputs = (*controller)->read_inputs();
  REQUIRE(inputs);
  CHECK(inputs->emergency_stop);
  CHECK(inputs->outputs.locked);
}
