#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "controller_link.hpp"
#include "firmware_model.hpp"

using namespace pickverify;
using namespace pickverify::fw;

namespace {

std::vector<std::uint8_t> answer(FirmwareModel& model, Request request, std::uint16_t value = 0,
                                 std::uint16_t index = 0, std::uint16_t length = k_max_answer_size)
{
  return model.answer(static_cast<std::uint8_t>(request), value, index, length);
}

std::string protocol_md()
{
  std::ifstream in(std::string(PICKVERIFY_FIRMWARE_HOST_DIR) + "/PROTOCOL.md");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

TEST_CASE("check_answer: a well-formed answer yields its payload", "[firmware-host][protocol]")
{
  FirmwareModel model;
  auto info = answer(model, Request::get_info);
  auto payload = check_answer(Request::get_info, info);
  REQUIRE(payload);
  CHECK(payload->size() == k_info_payload_size);
  auto decoded = decode_info(*payload);
  REQUIRE(decoded);
  CHECK(decoded->serial == "PV-MODEL-01");
  CHECK(decoded->firmware_version == "1.0.0");
  CHECK(decoded->watchdog_min.count() == k_watchdog_min_ms);
  CHECK(decoded->watchdog_max.count() == k_watchdog_max_ms);
}

TEST_CASE("check_answer: each defect is named", "[firmware-host][protocol]")
{
  FirmwareModel model;
  const auto good = answer(model, Request::get_inputs);
  REQUIRE(check_answer(Request::get_inputs, good));

  auto with = [&](auto change) {
    auto bytes = good;
    change(bytes);
    auto checked = check_answer(Request::get_inputs, bytes);
    REQUIRE_FALSE(checked);
    return checked.error().message;
  };
  CHECK(with([](auto& b) { b.resize(4); }) == "GET_INPUTS: answer is 4 bytes, shorter than the 5-byte header");
  CHECK(with([](auto& b) { b[0] = 9; }) == "GET_INPUTS: device speaks protocol version 9, this host speaks 1");
  CHECK(with([](auto& b) { b[2] = 0x01; }) == "GET_INPUTS: answer is for request 0x01, not 0x03");
  CHECK(with([](auto& b) { b[1] = 0x55; }) == "GET_INPUTS: unknown status 0x55");
  CHECK(with([](auto& b) { b[4] = 11; }) ==
        "GET_INPUTS: payload length field says 11 bytes, the command's payload is 12");
  CHECK(with([](auto& b) { b.push_back(0); }) == "GET_INPUTS: answer is 18 bytes, expected 17");
  CHECK(with([](auto& b) { b.resize(10); }) == "GET_INPUTS: answer is 10 bytes, expected 17");
}

TEST_CASE("check_answer: device refusals carry their readable names", "[firmware-host][protocol]")
{
  FirmwareModel model;
  auto refused = answer(model, Request::set_outputs, outputs_value({Lock::unlocked, Colour::green}), 0);
  auto checked = check_answer(Request::set_outputs, refused);
  REQUIRE_FALSE(checked);
  CHECK(checked.error().type == ErrorType::conflict);
  CHECK(checked.error().message ==
        "SET_OUTPUTS: the device refuses to unlock before its watchdog is armed (watchdog_not_armed)");

  auto bad = answer(model, Request::set_outputs, 0x0400 /* colour 4 */, 0);
  auto bad_checked = check_answer(Request::set_outputs, bad);
  REQUIRE_FALSE(bad_checked);
  CHECK(bad_checked.error().message == "SET_OUTPUTS: the device refused field 2 as out of range (bad_value)");

  auto unknown = model.answer(0x7e, 0, 0, k_max_answer_size);
  auto unknown_checked = check_answer(Request::get_info, unknown);
  REQUIRE_FALSE(unknown_checked);
  CHECK(unknown_checked.error().message == "GET_INFO: answer is for request 0x7e, not 0x01");
  CHECK(unknown[1] == static_cast<std::uint8_t>(Status::unknown_request));
}

TEST_CASE("protocol: a short wLength is answered with bad_length, never a cut payload", "[firmware-host][protocol]")
{
  FirmwareModel model;
  auto cut = answer(model, Request::get_info, 0, 0, 10);
  REQUIRE(cut.size() == k_header_size);
  CHECK(cut[1] == static_cast<std::uint8_t>(Status::bad_length));
  CHECK(cut[4] == 0);
}

TEST_CASE("protocol: outputs and events round-trip through their encodings", "[firmware-host][protocol]")
{
  for (std::uint8_t lock = 0; lock <= k_max_lock; ++lock)
    for (std::uint8_t colour = 0; colour <= k_max_colour; ++colour)
      for (std::uint8_t pattern = 0; pattern <= k_max_pattern; ++pattern)
        for (std::uint8_t buzzer = 0; buzzer <= k_max_buzzer; ++buzzer) {
          const Outputs o = outputs_from(lock, colour, pattern, buzzer);
          CHECK(to_wire(from_wire(o)) == o);
          std::uint8_t bytes[4];
          encode_outputs(o, bytes);
          auto decoded = decode_outputs(bytes);
          REQUIRE(decoded);
          CHECK(to_wire(*decoded) == o);
        }
  CHECK(check_outputs(2, 0, 0, 0) == 1);
  CHECK(check_outputs(0, 0, 3, 0) == 3);
  CHECK(check_outputs(0, 0, 0, 4) == 4);

  Event e{EventKind::inputs_changed, k_input_pack_button | k_input_gate_closed, k_flag_watchdog_armed, Lock::unlocked,
          0xbeef};
  std::uint8_t bytes[k_event_size];
  encode_event(e, bytes);
  auto decoded = decode_event(bytes);
  REQUIRE(decoded);
  CHECK(decoded->kind == EventKind::inputs_changed);
  CHECK(decoded->inputs.pack_button);
  CHECK(decoded->inputs.gate_closed);
  CHECK_FALSE(decoded->inputs.emergency_stop);
  CHECK(decoded->inputs.watchdog_armed);
  CHECK_FALSE(decoded->inputs.outputs.locked);
  CHECK(decoded->inputs.event_sequence == 0xbeef);

  bytes[1] = 0x80;
  CHECK(decode_event(bytes).error().message == "event: unknown input bits 0x80");
  CHECK(decode_event(std::span<const std::uint8_t>(bytes, 7)).error().message == "event: 7 bytes, expected 8");
}

TEST_CASE("PROTOCOL.md names every request, status and event code of protocol.hpp", "[firmware-host][protocol]")
{
  const std::string doc = protocol_md();
  REQUIRE_FALSE(doc.empty());
  for (auto request : {Request::get_info, Request::set_outputs, Request::get_inputs, Request::heartbeat}) {
    const auto code = fmt::format("`0x{:02x}` {}", static_cast<int>(request), to_string(request));
    INFO(code);
    CHECK(doc.find(code) != std::string::npos);
  }
  for (int status = 0; status <= static_cast<int>(Status::internal_error); ++status) {
    const auto row = fmt::format("| `0x{:02x}` | `{}` |", status, to_string(static_cast<Status>(status)));
    INFO(row);
    CHECK(doc.find(row) != std::string::npos);
  }
  for (auto kind : {EventKind::inputs_changed, EventKind::watchdog_tripped}) {
    const auto code = fmt::format("`0x{:02x}` `{}`", static_cast<int>(kind), to_string(kind));
    INFO(code);
    CHECK(doc.find(code) != std::string::npos);
  }
  CHECK(doc.find(fmt::format("version {}.{}", k_protocol_major, k_protocol_minor)) != std::string::npos);
  CHECK(doc.find(fmt::format("`{:04x}:{:04x}`", k_usb_vendor, k_usb_product)) != std::string::npos);
  CHECK(doc.find(fmt::format("{}–{}", k_watchdog_min_ms, k_watchdog_max_ms)) != std::string::npos);
}
