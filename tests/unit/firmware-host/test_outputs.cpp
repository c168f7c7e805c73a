#include <catch2/catch.hpp>

#include <pickverify/controller.hpp>

using namespace pickverify;

TEST_CASE("outputs_for: each station state has its gate, light and tone", "[firmware-host][outputs]")
{
  const auto blocked = outputs_for(SessionState::blocked, false, false);
  CHECK(blocked.locked);
  CHECK(blocked.colour == LightColour::red);
  CHECK(blocked.buzzer == BuzzerPattern::error_tone);

  for (auto verifying : {SessionState::active, SessionState::complete, SessionState::awaiting_image_check}) {
    const auto o = outputs_for(verifying, false, false);
    CHECK(o.locked);
    CHECK(o.colour == LightColour::amber);
    CHECK(o.buzzer == BuzzerPattern::silent);
  }

  const auto released = outputs_for(SessionState::released, false, false);
  CHECK_FALSE(released.locked);
  CHECK(released.colour == LightColour::green);

  for (auto done : {SessionState::idle, SessionState::packed, SessionState::abandoned}) {
    const auto o = outputs_for(done, false, false);
    CHECK(o.locked);
    CHECK(o.colour == LightColour::off);
  }

  CHECK(outputs_for(SessionState::active, false, true).buzzer == BuzzerPattern::error_tone);
}

TEST_CASE("outputs_for: a required device offline keeps the gate locked under red, even when released",
          "[firmware-host][outputs]")
{
  for (auto state : {SessionState::idle, SessionState::active, SessionState::blocked, SessionState::complete,
                     SessionState::awaiting_image_check, SessionState::released, SessionState::packed}) {
    const auto o = outputs_for(state, true, false);
    CHECK(o.locked);
    CHECK(o.colour == LightColour::red);
  }
}

TEST_CASE("describe: outputs in words", "[firmware-host][outputs]")
{
  CHECK(describe(outputs_for(SessionState::blocked, false, false)) ==
        "gate LOCKED, light red steady, buzzer error tone");
  CHECK(describe(outputs_for(SessionState::released, false, false)) ==
        "gate UNLOCKED, light green steady, buzzer silent");
  CHECK(describe(outputs_for(SessionState::idle, false, false)) == "gate LOCKED, light off, buzzer silent");
}
