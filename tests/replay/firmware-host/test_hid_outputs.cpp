// The commodity outputs (firmware-host/hid_output_controller.cpp) against emulated devices built
// from their public protocols (devices/outputs/*.toml names the sources): a USBRelay2 HID relay
// board as the gate lock and a Delcom visual indicator as the stack light, real libusb via umockdev.
// The two [unplug] cases once hung in one run of four: the emulator dropped the URBs in flight at an
// unplug, so a synchronous control transfer racing it waited in libusb for a completion that never
// came (libusb reaps after a disconnect and completes a transfer only with its URB; without the
// POLLERR a real usbfs node gives, nothing else ends it). The emulator now does what usbfs does:
// the unplug completes every URB in flight with -ESHUTDOWN and they stay reapable (usb_emulator.cpp).
#include <catch2/catch.hpp>

#include <pickverify/controller.hpp>
#include <pickverify/device_profile.hpp>

#include <atomic>
#include <mutex>

#include "emulated_outputs.hpp"
#include "hid_outputs.hpp"
#include "usb_emulator.hpp"

using namespace pickverify;
using namespace std::chrono_literals;
using pickverify::test::ControlAnswer;
using pickverify::test::ControlRequest;
using pickverify::test::DelcomIndicator;
using pickverify::test::EmulatedDeviceSpec;
using pickverify::test::RelayBoard;
using pickverify::test::UsbEmulator;

namespace {

struct Recorder {
  std::mutex mutex;
  std::vector<std::pair<ControllerState, std::string>> states;

  ControllerOptions options()
  {
    ControllerOptions o;
    o.on_state = [this](ControllerState state, const std::string& message) {
      std::lock_guard lock(mutex);
      states.emplace_back(state, message);
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

fw::OutputProfile shipped_profile(fw::OutputProtocol protocol)
{
  auto profiles = fw::load_output_profiles(default_profiles_dir() / "outputs");
  REQUIRE(profiles);
  for (const auto& p : *profiles)
    if (p.protocol == protocol)
      return p;
  FAIL("no shipped profile for " << fw::to_string(protocol));
  return {};
}

const ControllerOutputs k_blocked = outputs_for(SessionState::blocked, false, true);
const ControllerOutputs k_verifying = outputs_for(SessionState::active, false, false);
const ControllerOutputs k_released = outputs_for(SessionState::released, false, false);
const ControllerOutputs k_offline = outputs_for(SessionState::released, true, false);

} // namespace

TEST_CASE("usb relay: each station state switches the lock relay, only released opens the gate", "[replay][outputs]")
{
  UsbEmulator usb;
  RelayBoard board;
  Recorder recorder;
  auto relay = fw::start_hid_output_controller(shipped_profile(fw::OutputProtocol::usb_relay), recorder.options());
  REQUIRE(relay);
  const auto key = usb.plug(board.spec(3));
  REQUIRE(UsbEmulator::wait_for([&] { return (*relay)->online(); }, 2s));
  INFO(recorder.all());
  CHECK(recorder.said("usbrelay usb:1-3:16c0:05df: serial PV001; outputs re-asserted: gate LOCKED"));
  CHECK(usb.counters(key).kernel_driver_detached == 1);
  REQUIRE_FALSE(board.received().empty());
  CHECK(board.received().back() == std::array<std::uint8_t, 2>{0xfd, 1}); // fail closed on arrival
  CHECK(board.relays() == 0);

  const std::pair<const char*, ControllerOutputs> steps[] = {
      {"blocked", k_blocked}, {"verifying", k_verifying}, {"released", k_released}, {"device offline", k_offline}};
  for (const auto& [name, outputs] : steps) {
    INFO(name);
    REQUIRE((*relay)->set_outputs(outputs));
    const bool open = !outputs.locked;
    REQUIRE(UsbEmulator::wait_for([&] { return board.relays() == (open ? 0x01 : 0x00); }, 1s));
    CHECK(board.received().back() == std::array<std::uint8_t, 2>{static_cast<std::uint8_t>(open ? 0xff : 0xfd), 1});
    REQUIRE(UsbEmulator::wait_for([&] { return (*relay)->read_inputs()->outputs.locked == outputs.locked; }, 1s));
  }
  auto info = (*relay)->info();
  REQUIRE(info);
  CHECK(info->serial == "PV001");
}

TEST_CASE("usb relay: unplugged it is offline, plugged back the lock state is re-asserted within 1 s",
          "[replay][outputs][unplug]")
{
  UsbEmulator usb;
  RelayBoard board;
  Recorder recorder;
  auto relay = fw::start_hid_output_controller(shipped_profile(fw::OutputProtocol::usb_relay), recorder.options());
  REQUIRE(relay);
  auto key = usb.plug(board.spec(3));
  REQUIRE(UsbEmulator::wait_for([&] { return (*relay)->online(); }, 2s));
  REQUIRE((*relay)->set_outputs(k_released));
  REQUIRE(UsbEmulator::wait_for([&] { return board.relays() == 0x01; }, 1s));

  usb.unplug(key);
  REQUIRE(UsbEmulator::wait_for([&] { return !(*relay)->online(); }, 2s));
  CHECK(recorder.said("usbrelay usb:1-3:16c0:05df: unplugged"));
  {
    std::lock_guard lock(recorder.mutex);
    CHECK(recorder.states.back().first == ControllerState::offline);
  }
  auto offline = (*relay)->read_inputs();
  REQUIRE_FALSE(offline);
  CHECK(offline.error().type == ErrorType::device_offline);
  CHECK((*relay)->describe().find("not connected (the station stays locked)") != std::string::npos);

  // The board lost power with the cable: it comes back with every relay off. The station still wants
  // the pack released, so the driver switches the lock relay back on.
  {
    std::lock_guard lock(board.mutex);
    board.state = 0;
  }
  const auto replugged = std::chrono::steady_clock::now();
  key = usb.plug(board.spec(3));
  REQUIRE(UsbEmulator::wait_for([&] { return (*relay)->online() && board.relays() == 0x01; }, 1s));
  CHECK(std::chrono::steady_clock::now() - replugged < 1s);

  // A board that resets itself while plugged in is caught by the next read-back and re-asserted.
  {
    std::lock_guard lock(board.mutex);
    board.state = 0;
  }
  REQUIRE(UsbEmulator::wait_for([&] { return board.relays() == 0x01; }, 2s));
  // on_state runs on the USB hub's callback thread: the note may trail the write by a moment.
  CHECK(UsbEmulator::wait_for([&] { return recorder.said("shows gate LOCKED, expected gate UNLOCKED: re-asserting"); },
                              1s));
}

TEST_CASE("usb relay: a short state report is a clear error and the board stays usable", "[replay][outputs]")
{
  UsbEmulator usb;
  RelayBoard board;
  Recorder recorder;
  auto relay = fw::start_hid_output_controller(shipped_profile(fw::OutputProtocol::usb_relay), recorder.options());
  REQUIRE(relay);
  usb.plug(board.spec(3));
  REQUIRE(UsbEmulator::wait_for([&] { return (*relay)->online(); }, 2s));

  board.short_replies = 1;
  REQUIRE((*relay)->set_outputs(k_released));
  REQUIRE(UsbEmulator::wait_for([&] { return recorder.said("relay board: state report is 3 bytes, expected 8"); }, 1s));
  CHECK(recorder.said("relay board: state report is 3 bytes, expected 8; retrying"));
  REQUIRE(
      UsbEmulator::wait_for([&] { return (*relay)->read_inputs() && !(*relay)->read_inputs()->outputs.locked; }, 1s));
  CHECK((*relay)->online());
}

TEST_CASE("usb relay: another V-USB device on 16c0:05df is not taken for a relay board", "[replay][outputs]")
{
  UsbEmulator usb;
  RelayBoard other;
  other.product = "LEDBlinker";
  Recorder recorder;
  auto relay = fw::start_hid_output_controller(shipped_profile(fw::OutputProtocol::usb_relay), recorder.options());
  REQUIRE(relay);
  usb.plug(other.spec(5));
  REQUIRE(UsbEmulator::wait_for(
      [&] { return recorder.said("usb:1-5:16c0:05df: product \"LEDBlinker\" is not \"USBRelay…\", ignored"); }, 2s));
  CHECK(other.received().empty());
  CHECK_FALSE((*relay)->online());
}

TEST_CASE("delcom indicator: each station state lights its colour through feature report 101", "[replay][outputs]")
{
  UsbEmulator usb;
  DelcomIndicator light;
  Recorder recorder;
  auto indicator =
      fw::start_hid_output_controller(shipped_profile(fw::OutputProtocol::delcom_indicator), recorder.options());
  REQUIRE(indicator);
  usb.plug(light.spec(4));
  REQUIRE(UsbEmulator::wait_for([&] { return (*indicator)->online(); }, 2s));
  INFO(recorder.all());
  CHECK(light.leds() == 0x02); // arrival: red, the fail-closed default
  auto info = (*indicator)->info();
  REQUIRE(info);
  CHECK(info->serial == "1234567");
  CHECK(info->firmware_version == "58 (2021-06-15)");

  const std::tuple<const char*, ControllerOutputs, std::uint8_t> steps[] = {
      {"blocked", k_blocked, 0x02},
      {"verifying", k_verifying, 0x04},
      {"released", k_released, 0x01},
      {"device offline", k_offline, 0x02},
      {"idle", outputs_for(SessionState::idle, false, false), 0x00}};
  for (const auto& [name, outputs, lit] : steps) {
    INFO(name);
    REQUIRE((*indicator)->set_outputs(outputs));
    REQUIRE(UsbEmulator::wait_for([&, lit = lit] { return light.leds() == lit; }, 1s));
    std::lock_guard lock(light.mutex);
    const auto& last = light.writes.back();
    CHECK(last[2] == lit);                                    // reset: lit
    CHECK(last[3] == static_cast<std::uint8_t>(0x07 & ~lit)); // set: dark
  }
}

TEST_CASE("delcom indicator: malformed firmware and short port reports are clear errors, unplug is offline",
          "[replay][outputs][unplug]")
{
  UsbEmulator usb;
  Recorder recorder;
  auto indicator =
      fw::start_hid_output_controller(shipped_profile(fw::OutputProtocol::delcom_indicator), recorder.options());
  REQUIRE(indicator);

  DelcomIndicator broken;
  broken.firmware_month = 13;
  auto key = usb.plug(broken.spec(4));
  REQUIRE(UsbEmulator::wait_for(
      [&] { return recorder.said("indicator: firmware report dates it 2021-13-15, not a date"); }, 2s));
  CHECK_FALSE((*indicator)->online());
  usb.unplug(key);

  DelcomIndicator light;
  key = usb.plug(light.spec(6));
  REQUIRE(UsbEmulator::wait_for([&] { return (*indicator)->online(); }, 2s));
  light.short_replies = 1;
  REQUIRE((*indicator)->set_outputs(k_released));
  REQUIRE(UsbEmulator::wait_for([&] { return recorder.said("indicator: port report is 1 bytes, expected 8"); }, 1s));
  REQUIRE(UsbEmulator::wait_for([&] { return light.leds() == 0x01; }, 1s));
  CHECK((*indicator)->online());

  usb.unplug(key);
  REQUIRE(UsbEmulator::wait_for([&] { return !(*indicator)->online(); }, 2s));
  CHECK(recorder.said("delcom-indicator usb:1-6:0fc5:b080: unplugged"));
}

TEST_CASE("relay+delcom: one controller to the station, online only while both devices are", "[replay][outputs]")
{
  UsbEmulator usb;
  RelayBoard board;
  DelcomIndicator light;
  Recorder recorder;
  auto both = start_commodity_controller("relay+delcom", recorder.options());
  REQUIRE(both);
  usb.plug(board.spec(3));
  REQUIRE(UsbEmulator::wait_for([&] { return recorder.said("serial PV001"); }, 2s));
  CHECK_FALSE((*both)->online());
  usb.plug(light.spec(4));
  REQUIRE(UsbEmulator::wait_for([&] { return (*both)->online(); }, 2s));

  REQUIRE((*both)->set_outputs(k_released));
  REQUIRE(UsbEmulator::wait_for([&] { return board.relays() == 0x01 && light.leds() == 0x01; }, 1s));

  auto unknown = start_commodity_controller("relay+buzzer", recorder.options());
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message == "controller kind 'relay+buzzer' is not relay, delcom or relay+delcom");
}

TEST_CASE("output profiles: the shipped ones load, a bad file is an error naming file and line", "[outputs]")
{
  auto shipped = fw::load_output_profiles(default_profiles_dir() / "outputs");
  REQUIRE(shipped);
  CHECK(shipped->size() == 2);
  auto bad = fw::parse_output_profiles("[[output]]\nname = \"x\"\nusb = \"16c0:05df\"\nprotocol = \"usb_relay\"\n"
                                       "channels = 1\nlock_channel = 2\n",
                                       "bad.toml");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "bad.toml:1: output 'x': lock_channel 2 but the board has 1 relays");
  auto unknown = fw::parse_output_profiles("[[output]]\nname = \"x\"\ncolour = 1\n", "bad.toml");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message == "bad.toml:3: unknown key 'colour' in [[output]]");
  auto id = fw::parse_output_profiles("[[output]]\nname = \"x\"\nusb = \"16c0-05df\"\n", "bad.toml");
  REQUIRE_FALSE(id);
  CHECK(id.error().message == "bad.toml:3: 'usb' = \"16c0-05df\" is not a VID:PID such as \"16c0:05df\"");
}
