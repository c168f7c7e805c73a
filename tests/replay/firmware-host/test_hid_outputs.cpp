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

#include "hid_outputs.hpp"
#include "usb_emulator.hpp"

using namespace pickverify;
using namespace std::chrono_literals;
using pickverify::test::ControlAnswer;
using pickverify::test::ControlRequest;
using pickverify::test::EmulatedDeviceSpec;
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

std::vector<std::uint8_t> string_descriptor(const std::string& text)
{
  std::vector<std::uint8_t> d{static_cast<std::uint8_t>(2 + 2 * text.size()), 3};
  for (char c : text)
    d.insert(d.end(), {static_cast<std::uint8_t>(c), 0});
  return d;
}

// A vendor-defined HID collection with one 8-byte feature report and no report ids (the V-USB
// descriptor of the relay boards; the Delcom one differs only in report ids, which the host does
// not parse).
const std::vector<std::uint8_t> k_feature_descriptor = {0x06, 0x00, 0xff, 0x09, 0x01, 0xa1, 0x01, 0x15,
                                                        0x00, 0x26, 0xff, 0x00, 0x75, 0x08, 0x95, 0x08,
                                                        0x09, 0x00, 0xb2, 0x02, 0x01, 0xc0};

// The relay board, from its protocol: feature report 0; SET [0xFF|0xFD, n], GET → serial, state.
struct RelayBoard {
  std::mutex mutex;
  std::uint8_t state = 0;
  std::string product = "USBRelay2";
  std::vector<std::array<std::uint8_t, 2>> commands; // (command, relay) as received
  std::atomic<int> short_replies{0};                 // the next GET answers this many times 3 bytes

  EmulatedDeviceSpec spec(int port)
  {
    EmulatedDeviceSpec s;
    s.port = port;
    s.vendor = 0x16c0;
    s.product = 0x05df;
    s.boot_keyboard = false;
    s.report_descriptor = k_feature_descriptor;
    s.on_control = [this](const ControlRequest& r) { return answer(r); };
    return s;
  }

  ControlAnswer answer(const ControlRequest& r)
  {
    std::lock_guard lock(mutex);
    if (r.request_type == 0x80 && r.request == 6 && r.value == 0x0302)
      return ControlAnswer::reply(string_descriptor(product));
    if (r.request_type == 0x21 && r.request == 0x09 && r.value == 0x0300) {
      if (r.data_out.size() != 8)
        return ControlAnswer::stall();
      const std::uint8_t cmd = r.data_out[0], n = r.data_out[1];
      commands.push_back({cmd, n});
      if ((cmd == 0xff || cmd == 0xfd) && n >= 1 && n <= 2)
        state = cmd == 0xff ? static_cast<std::uint8_t>(state | 1u << (n - 1))
                            : static_cast<std::uint8_t>(state & ~(1u << (n - 1)));
      else if (cmd == 0xfe || cmd == 0xfc)
        state = cmd == 0xfe ? 0x03 : 0x00;
      else
        return ControlAnswer::stall();
      return ControlAnswer::reply({});
    }
    if (r.request_type == 0xa1 && r.request == 0x01 && r.value == 0x0300) {
      if (short_replies > 0) {
        --short_replies;
        return ControlAnswer::reply({'P', 'V', '0'});
      }
      return ControlAnswer::reply({'P', 'V', '0', '0', '1', 0, 0, state});
    }
    return {};
  }

  std::uint8_t relays()
  {
    std::lock_guard lock(mutex);
    return state;
  }
  std::vector<std::array<std::uint8_t, 2>> received()
  {
    std::lock_guard lock(mutex);
    return commands;
  }
};

// The Delcom indicator, from its datasheet: SET feature 101 [101, 12, reset, set]; GET 100 → ports,
// GET 10 → firmware. Port 1 LEDs are active low (0xff: all dark).
struct DelcomIndicator {
  std::mutex mutex;
  std::uint8_t port1 = 0xff;
  std::vector<std::vector<std::uint8_t>> writes;
  std::uint8_t firmware_month = 6;
  std::atomic<int> short_replies{0};

  EmulatedDeviceSpec spec(int port)
  {
    EmulatedDeviceSpec s;
    s.port = port;
    s.vendor = 0x0fc5;
    s.product = 0xb080;
    s.boot_keyboard = false;
    s.report_descriptor = k_feature_descriptor;
    s.on_control = [this](const ControlRequest& r) { return answer(r); };
    return s;
  }

  ControlAnswer answer(const ControlRequest& r)
  {
    std::lock_guard lock(mutex);
    if (r.request_type == 0x21 && r.request == 0x09 && r.value == 0x0365) {
      if (r.data_out.size() != 8 || r.data_out[0] != 101 || r.data_out[1] != 12)
        return ControlAnswer::stall();
      writes.push_back(r.data_out);
      port1 = static_cast<std::uint8_t>((port1 | r.data_out[3]) & ~r.data_out[2]); // reset wins
      return ControlAnswer::reply({});
    }
    if (r.request_type == 0xa1 && r.request == 0x01 && r.value == 0x0364) {
      if (short_replies > 0) {
        --short_replies;
        return ControlAnswer::reply({0xff});
      }
      return ControlAnswer::reply({0xff, port1, 0, 0xff, 0, 0, 0, 0});
    }
    if (r.request_type == 0xa1 && r.request == 0x01 && r.value == 0x030a)
      return ControlAnswer::reply({0x87, 0xd6, 0x12, 0x00, 58, 15, firmware_month, 21}); // serial 1234567
    return {};
  }

  std::uint8_t leds()
  {
    std::lock_guard lock(mutex);
    return static_cast<std::uint8_t>(~port1 & 0x07); // lit: bit 0 green, 1 red, 2 amber
  }
};

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
  CHECK(recorder.said("shows gate LOCKED, expected gate UNLOCKED: re-asserting"));
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
