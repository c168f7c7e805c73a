// The HID POS scale driver (firmware-host/hid_pos_scale.cpp) against an emulated USB shipping
// scale: the scale data report of the HID POS usage tables (page 0x8D), real libusb via umockdev.
#include <catch2/catch.hpp>

#include <pickverify/scale.hpp>

#include <mutex>
#include <thread>

#include "emulated_outputs.hpp"
#include "usb_emulator.hpp"

using namespace pickverify;
using namespace std::chrono_literals;
using pickverify::test::EmulatedDeviceSpec;
using pickverify::test::UsbEmulator;

TEST_CASE("hid pos scale: motion is waited through, a stable report is the weight, unplug is offline",
          "[replay][scale]")
{
  UsbEmulator usb;
  std::mutex mutex;
  std::vector<std::string> states;
  ScaleOptions options;
  options.name = "scale";
  options.on_state = [&](ScaleState state, const std::string& message) {
    std::lock_guard lock(mutex);
    states.push_back((state == ScaleState::online ? "online " : "offline ") + message);
  };
  auto scale = start_hid_pos_scale(0x0922, 0x8003, options);
  REQUIRE(scale);
  CHECK_FALSE((*scale)->online());

  const EmulatedDeviceSpec spec = pickverify::test::dymo_scale_spec(4);
  const auto key = usb.plug(spec);
  REQUIRE(UsbEmulator::wait_for([&] { return (*scale)->online(); }, 2s));
  CHECK(usb.counters(key).kernel_driver_detached == 1);

  usb.send(key, {0x03, 3, 2, 0, 0xc4, 0x04}); // in motion, 1220 g
  std::thread settle([&] {
    std::this_thread::sleep_for(100ms);
    usb.send(key, {0x03, 4, 2, 0, 0x01});           // short: reported, ignored
    usb.send(key, {0x03, 4, 11, 0xff, 0xb6, 0x01}); // stable, 43.8 oz
  });
  auto weight = (*scale)->wait_stable(2s);
  settle.join();
  REQUIRE(weight);
  CHECK(weight->as_reported() == "43.8 oz");
  CHECK(weight->grams_text() == "1,242 g");
  {
    std::lock_guard lock(mutex);
    bool named = false;
    for (const auto& s : states)
      named = named || s == "online scale: scale report: 5 bytes, expected 6, ignored";
    CHECK(named);
  }

  usb.send(key, {0x03, 6, 2, 0, 0xff, 0xff}); // overload
  REQUIRE(UsbEmulator::wait_for([&] { return (*scale)->latest() && !(*scale)->latest()->usable(); }, 1s));
  auto overload = (*scale)->wait_stable(100ms);
  REQUIRE_FALSE(overload);
  CHECK(overload.error().message == "scale gave no stable reading within 100 ms (last: overload: not a reading)");

  usb.unplug(key);
  REQUIRE(UsbEmulator::wait_for([&] { return !(*scale)->online(); }, 2s));
  auto offline = (*scale)->wait_stable(50ms);
  REQUIRE_FALSE(offline);
  CHECK(offline.error().type == ErrorType::device_offline);
  (*scale)->stop();
}
