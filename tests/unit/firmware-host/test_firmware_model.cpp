#include <catch2/catch.hpp>

#include "controller_link.hpp"
#include "firmware_model.hpp"

using namespace pickverify;
using namespace pickverify::fw;
using namespace std::chrono_literals;

namespace {

struct Bench {
  FirmwareModel::Clock::time_point now = FirmwareModel::Clock::time_point{} + 1h;
  FirmwareModel model{"PV-TEST", now};
  ControllerLink link{[this](std::uint8_t request, std::uint16_t value, std::uint16_t index,
                             std::uint16_t length) -> Result<std::vector<std::uint8_t>> {
    return model.answer(request, value, index, length, now);
  }};
};

const ControllerOutputs k_green{false, LightColour::green, LightPattern::steady, BuzzerPattern::silent};

} // namespace

TEST_CASE("firmware model: boots locked and red, unlocks only once a heartbeat armed the watchdog",
          "[firmware-host][model]")
{
  Bench bench;
  CHECK(bench.model.outputs() == Outputs{Lock::locked, Colour::red, Pattern::steady, Buzzer::silent});
  auto refused = bench.link.set_outputs(k_green);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("watchdog_not_armed") != std::string::npos);
  REQUIRE(bench.link.heartbeat(500ms));
  REQUIRE(bench.link.set_outputs(k_green));
  CHECK(bench.model.outputs().lock == Lock::unlocked);
}

TEST_CASE("firmware model: host silent longer than the timeout → locked, red, tripped event", "[firmware-host][model]")
{
  Bench bench;
  REQUIRE(bench.link.heartbeat(500ms));
  REQUIRE(bench.link.set_outputs(k_green));

  bench.now += 500ms; // exactly the timeout: not yet
  CHECK_FALSE(bench.model.tick(bench.now));
  CHECK(bench.model.outputs().lock == Lock::unlocked);

  bench.now += 1ms;
  auto event = bench.model.tick(bench.now);
  REQUIRE(event);
  auto decoded = decode_event(*event);
  REQUIRE(decoded);
  CHECK(decoded->kind == EventKind::watchdog_tripped);
  CHECK(decoded->inputs.watchdog_tripped);
  CHECK(decoded->inputs.outputs.locked);
  CHECK(bench.model.outputs().lock == Lock::locked);
  CHECK(bench.model.outputs().colour == Colour::red);
  CHECK_FALSE(bench.model.tick(bench.now + 1s)); // one event per trip

  auto refused = bench.link.set_outputs(k_green);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("watchdog_tripped") != std::string::npos);
  REQUIRE(bench.link.heartbeat(500ms)); // the host is back
  REQUIRE(bench.link.set_outputs(k_green));
  CHECK(bench.model.watchdog_trips() == 1);
}

TEST_CASE("firmware model: heartbeats inside the timeout keep it armed", "[firmware-host][model]")
{
  Bench bench;
  REQUIRE(bench.link.heartbeat(300ms));
  REQUIRE(bench.link.set_outputs(k_green));
  for (int i = 0; i < 20; ++i) {
    bench.now += 100ms;
    CHECK_FALSE(bench.model.tick(bench.now));
    REQUIRE(bench.link.heartbeat(300ms));
  }
  CHECK(bench.model.outputs().lock == Lock::unlocked);
  CHECK(bench.model.watchdog_trips() == 0);
}

TEST_CASE("firmware model: heartbeat timeout outside 100..10000 ms is refused", "[firmware-host][model]")
{
  Bench bench;
  auto low = bench.model.answer(static_cast<std::uint8_t>(Request::heartbeat), 99, 1, k_max_answer_size, bench.now);
  CHECK(low[1] == static_cast<std::uint8_t>(Status::bad_value));
  CHECK(low[3] == 1);
  CHECK(bench.link.heartbeat(10001ms).error().message ==
        "HEARTBEAT: watchdog timeout 10001 ms is outside 100..10000 ms");
  CHECK((bench.model.flags() & k_flag_watchdog_armed) == 0);
}

TEST_CASE("firmware model: the emergency stop locks at once and refuses unlocking", "[firmware-host][model]")
{
  Bench bench;
  REQUIRE(bench.link.heartbeat(500ms));
  REQUIRE(bench.link.set_outputs(k_green));
  auto event = bench.model.set_inputs(k_input_emergency_stop, bench.now);
  REQUIRE(event);
  CHECK(bench.model.outputs().lock == Lock::locked);
  auto refused = bench.link.set_outputs(k_green);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message ==
        "SET_OUTPUTS: the device refuses to unlock while the emergency stop is pressed (emergency_stop)");
  CHECK_FALSE(bench.model.set_inputs(k_input_emergency_stop, bench.now)); // no edge, no event
  REQUIRE(bench.model.set_inputs(0, bench.now));
  REQUIRE(bench.link.set_outputs(k_green));
}
