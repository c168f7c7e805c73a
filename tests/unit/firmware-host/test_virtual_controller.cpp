#include <catch2/catch.hpp>

#include <pickverify/controller.hpp>

#include <mutex>
#include <thread>

using namespace pickverify;
using namespace std::chrono_literals;

TEST_CASE("virtual controller: shows each change of the outputs in force, refuses like the device",
          "[firmware-host][virtual]")
{
  std::mutex mutex;
  std::vector<std::string> lines;
  ControllerOptions options;
  options.watchdog_timeout = 300ms;
  auto controller = start_virtual_controller(options, [&](const std::string& line) {
    std::lock_guard lock(mutex);
    lines.push_back(line);
  });
  REQUIRE(controller->online());
  REQUIRE(controller->set_outputs(outputs_for(SessionState::blocked, false, true)));
  REQUIRE(controller->set_outputs(outputs_for(SessionState::released, false, false)));
  std::this_thread::sleep_for(700ms); // longer than the watchdog: the heartbeats keep it armed
  auto inputs = controller->read_inputs();
  REQUIRE(inputs);
  CHECK_FALSE(inputs->outputs.locked);
  CHECK(inputs->watchdog_armed);
  CHECK_FALSE(inputs->watchdog_tripped);
  auto info = controller->info();
  REQUIRE(info);
  CHECK(info->device_id == "virtual");
  {
    std::lock_guard lock(mutex);
    REQUIRE(lines.size() >= 3);
    CHECK(lines[0] == "[controller] gate LOCKED, light red steady, buzzer silent");
    CHECK(lines[1] == "[controller] gate LOCKED, light red steady, buzzer error tone");
    CHECK(lines[2] == "[controller] gate UNLOCKED, light green steady, buzzer silent");
  }
  CHECK_FALSE(controller->wanted_outputs().locked);
  controller->stop();
}
