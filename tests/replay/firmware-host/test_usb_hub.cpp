// The station controller, a relay board and a HID POS scale at once in one process: they share the
// one USB hub (src/scanners/usb_hub.hpp) — one event thread, no driver thread of their own — and a
// callback that waits for another device (here the scale's own on_state waiting for a stable
// weight, as the station's pack button does) does not hold up the thread that delivers it.
#include <catch2/catch.hpp>

#include <pickverify/controller.hpp>
#include <pickverify/device_profile.hpp>
#include <pickverify/scale.hpp>

#include <dirent.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include "controller_link.hpp"
#include "emulated_controller.hpp"
#include "emulated_outputs.hpp"
#include "hid_outputs.hpp"
#include "usb_emulator.hpp"

using namespace pickverify;
using namespace std::chrono_literals;
using pickverify::test::EmulatedController;
using pickverify::test::EmulatedDeviceSpec;
using pickverify::test::RelayBoard;
using pickverify::test::UsbEmulator;

namespace {

// How many of this process's threads are named `name`.
int threads_named(const std::string& name)
{
  int count = 0;
  DIR* dir = ::opendir("/proc/self/task");
  if (!dir)
    return -1;
  while (auto* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.')
      continue;
    std::ifstream comm(std::string("/proc/self/task/") + entry->d_name + "/comm");
    std::string text;
    std::getline(comm, text);
    count += text == name ? 1 : 0;
  }
  ::closedir(dir);
  return count;
}

fw::OutputProfile relay_profile()
{
  auto profiles = fw::load_output_profiles(default_profiles_dir() / "outputs");
  REQUIRE(profiles);
  for (const auto& p : *profiles)
    if (p.protocol == fw::OutputProtocol::usb_relay)
      return p;
  FAIL("no shipped relay profile");
  return {};
}

} // namespace

TEST_CASE("usb hub: controller, relay board and HID POS scale share one event thread and keep working together",
          "[replay][hub]")
{
  UsbEmulator usb;
  EmulatedController device(usb);
  RelayBoard board;

  std::mutex mutex;
  std::optional<Result<Weight>> weighed_in_callback;
  bool asked = false;
  std::atomic<Scale*> the_scale{nullptr};
  ScaleOptions scale_options;
  scale_options.name = "scale";
  scale_options.on_state = [&](ScaleState state, const std::string&) {
    {
      std::lock_guard lock(mutex);
      if (state != ScaleState::online || asked || !the_scale)
        return;
      asked = true;
    }
    // On the hub's callback thread: the reading must still arrive, through the event thread.
    auto weight = the_scale.load()->wait_stable(3s);
    std::lock_guard lock(mutex);
    weighed_in_callback = std::move(weight);
  };

  auto controller = start_usb_controller(ControllerOptions{});
  REQUIRE(controller);
  auto relay = fw::start_hid_output_controller(relay_profile(), ControllerOptions{});
  REQUIRE(relay);
  auto scale = start_hid_pos_scale(0x0922, 0x8003, scale_options);
  REQUIRE(scale);
  the_scale = scale->get();

  // One event thread and one callback thread for all three; none of the old per-driver threads.
  CHECK(threads_named("pv-usb-events") == 1);
  CHECK(threads_named("pv-usb-callback") == 1);
  CHECK(threads_named("pv-controller") == 0);
  CHECK(threads_named("pv-hid-output") == 0);
  CHECK(threads_named("pv-scale-usb") == 0);

  REQUIRE((*controller)->set_outputs(outputs_for(SessionState::released, false, false)));
  REQUIRE((*relay)->set_outputs(outputs_for(SessionState::released, false, false)));
  device.plug();
  const auto relay_key = usb.plug(board.spec(5));
  const EmulatedDeviceSpec spec = pickverify::test::dymo_scale_spec(4);
  const auto scale_key = usb.plug(spec);

  REQUIRE(
      UsbEmulator::wait_for([&] { return (*controller)->online() && (*relay)->online() && (*scale)->online(); }, 3s));
  CHECK(UsbEmulator::wait_for([&] { return board.relays() == 0x01; }, 1s));
  CHECK(UsbEmulator::wait_for(
      [&] {
        const auto now = fw::from_wire(device.model().outputs());
        return !now.locked && now.colour == LightColour::green;
      },
      1s));

  // The scale's own on_state callback is waiting for a stable weight: it comes.
  REQUIRE(UsbEmulator::wait_for(
      [&] {
        std::lock_guard lock(mutex);
        return asked;
      },
      2s));
  usb.send(scale_key, {0x03, 4, 2, 0, 0xd8, 0x04}); // stable, 1240 g
  REQUIRE(UsbEmulator::wait_for(
      [&] {
        std::lock_guard lock(mutex);
        return weighed_in_callback.has_value();
      },
      3s));
  {
    std::lock_guard lock(mutex);
    REQUIRE(*weighed_in_callback);
    CHECK((*weighed_in_callback)->grams_text() == "1,240 g");
  }

  // One device going does not disturb the others on the same thread.
  usb.unplug(relay_key);
  REQUIRE(UsbEmulator::wait_for([&] { return !(*relay)->online(); }, 2s));
  const int beats = device.model().heartbeats();
  std::this_thread::sleep_for(1200ms); // the default 1500 ms watchdog: a heartbeat every 500 ms
  CHECK(device.model().heartbeats() >= beats + 2);
  CHECK(device.model().watchdog_trips() == 0);
  CHECK((*controller)->online());
  usb.send(scale_key, {0x03, 4, 2, 0, 0x10, 0x27}); // stable, 10000 g
  CHECK(UsbEmulator::wait_for(
      [&] {
        auto latest = (*scale)->latest();
        return latest && latest->weight && latest->weight->grams_text() == "10,000 g";
      },
      1s));

  // The hub stops with its last client.
  (*scale)->stop();
  (*relay)->stop();
  CHECK(threads_named("pv-usb-events") == 1);
  (*controller)->stop();
  // Joined; the kernel may list an exited thread for a moment longer.
  CHECK(UsbEmulator::wait_for(
      [] { return threads_named("pv-usb-events") == 0 && threads_named("pv-usb-callback") == 0; }, 1s));
}
