#include "controller_link.hpp"

#include <fmt/format.h>

#include <pickverify/expected.hpp>

namespace pickverify::fw {

namespace {

std::string status_text(Status status, std::uint8_t detail)
{
  switch (status) {
  case Status::bad_value:
    return fmt::format("the device refused field {} as out of range (bad_value)", detail);
  case Status::watchdog_not_armed:
    return "the device refuses to unlock before its watchdog is armed (watchdog_not_armed)";
  case Status::watchdog_tripped:
    return "the device refuses to unlock: its watchdog tripped and was not re-armed (watchdog_tripped)";
  case Status::emergency_stop:
    return "the device refuses to unlock while the emergency stop is pressed (emergency_stop)";
  default:
    return fmt::format("the device answered {}", to_string(status));
  }
}

bool known_status(std::uint8_t status)
{
  return status <= static_cast<std::uint8_t>(Status::internal_error);
}

} // namespace

Result<std::span<const std::uint8_t>> check_answer(Request request, std::span<const std::uint8_t> answer)
{
  const auto name = to_string(request);
  if (answer.size() < k_header_size)
    return make_error(ErrorType::io, fmt::format("{}: answer is {} bytes, shorter than the {}-byte header", name,
                                                 answer.size(), k_header_size));
  if (answer[0] != k_protocol_major)
    return make_error(ErrorType::unsupported, fmt::format("{}: device speaks protocol version {}, this host speaks {}",
                                                          name, answer[0], k_protocol_major));
  if (answer[2] != static_cast<std::uint8_t>(request))
    return make_error(ErrorType::io, fmt::format("{}: answer is for request 0x{:02x}, not 0x{:02x}", name, answer[2],
                                                 static_cast<std::uint8_t>(request)));
  if (!known_status(answer[1]))
    return make_error(ErrorType::io, fmt::format("{}: unknown status 0x{:02x}", name, answer[1]));
  const auto status = static_cast<Status>(answer[1]);
  if (status != Status::ok) {
    const ErrorType type =
        status == Status::emergency_stop || status == Status::watchdog_tripped || status == Status::watchdog_not_armed
            ? ErrorType::conflict
            : ErrorType::io;
    return make_error(type, fmt::format("{}: {}", name, status_text(status, answer[3])));
  }
  const std::size_t declared = answer[4];
  const std::size_t expected = payload_size(request);
  if (declared != expected)
    return make_error(ErrorType::io, fmt::format("{}: payload length field says {} bytes, the command's payload is {}",
                                                 name, declared, expected));
  if (answer.size() != k_header_size + expected)
    return make_error(ErrorType::io, fmt::format("{}: answer is {} bytes, expected {}", name, answer.size(),
                                                 k_header_size + expected));
  return answer.subspan(k_header_size);
}

Outputs to_wire(const ControllerOutputs& o)
{
  return Outputs{o.locked ? Lock::locked : Lock::unlocked, static_cast<Colour>(o.colour),
                 static_cast<Pattern>(o.pattern), static_cast<Buzzer>(o.buzzer)};
}

ControllerOutputs from_wire(const Outputs& o)
{
  return ControllerOutputs{o.lock == Lock::locked, static_cast<LightColour>(o.colour),
                           static_cast<LightPattern>(o.pattern), static_cast<BuzzerPattern>(o.buzzer)};
}

Result<ControllerOutputs> decode_outputs(std::span<const std::uint8_t> p)
{
  if (p.size() < k_outputs_payload_size)
    return make_error(ErrorType::io, "outputs: payload too short");
  if (int field = check_outputs(p[0], p[1], p[2], p[3]); field != 0)
    return make_error(ErrorType::io, fmt::format("outputs: field {} holds {}, out of range", field, p[field - 1]));
  return from_wire(outputs_from(p[0], p[1], p[2], p[3]));
}

Result<ControllerInfo> decode_info(std::span<const std::uint8_t> p)
{
  if (p.size() != k_info_payload_size)
    return make_error(ErrorType::io, "GET_INFO: payload is not 24 bytes");
  ControllerInfo info;
  info.protocol_major = p[0];
  info.protocol_minor = p[1];
  info.firmware_version = fmt::format("{}.{}.{}", p[2], p[3], get16(&p[4]));
  info.capabilities = get16(&p[6]);
  info.watchdog_min = std::chrono::milliseconds(get16(&p[8]));
  info.watchdog_max = std::chrono::milliseconds(get16(&p[10]));
  for (std::size_t i = 0; i < k_serial_size && p[12 + i] != 0; ++i) {
    const char c = static_cast<char>(p[12 + i]);
    if (c < 0x20 || c > 0x7e)
      return make_error(ErrorType::io, fmt::format("GET_INFO: serial number byte {} is not printable ASCII", i));
    info.serial += c;
  }
  if (info.protocol_major != k_protocol_major)
    return make_error(ErrorType::unsupported,
                      fmt::format("GET_INFO: firmware implements protocol {}.{}, host needs {}.x", info.protocol_major,
                                  info.protocol_minor, k_protocol_major));
  if (info.watchdog_min.count() > info.watchdog_max.count())
    return make_error(ErrorType::io, "GET_INFO: watchdog minimum above maximum");
  return info;
}

Result<ControllerInputs> decode_inputs(std::span<const std::uint8_t> p)
{
  if (p.size() != k_inputs_payload_size)
    return make_error(ErrorType::io, "GET_INPUTS: payload is not 12 bytes");
  ControllerInputs in;
  if (p[0] & ~k_input_mask)
    return make_error(ErrorType::io, fmt::format("GET_INPUTS: unknown input bits 0x{:02x}", p[0]));
  in.gate_closed = p[0] & k_input_gate_closed;
  in.pack_button = p[0] & k_input_pack_button;
  in.emergency_stop = p[0] & k_input_emergency_stop;
  in.watchdog_armed = p[1] & k_flag_watchdog_armed;
  in.watchdog_tripped = p[1] & k_flag_watchdog_tripped;
  auto outputs = decode_outputs(p.subspan(2, 4));
  if (!outputs)
    return tl::unexpected(outputs.error().with_context("GET_INPUTS"));
  in.outputs = *outputs;
  in.event_sequence = get16(&p[6]);
  in.uptime_ms = get32(&p[8]);
  return in;
}

Result<DecodedEvent> decode_event(std::span<const std::uint8_t> e)
{
  if (e.size() != k_event_size)
    return make_error(ErrorType::io, fmt::format("event: {} bytes, expected {}", e.size(), k_event_size));
  if (e[0] != static_cast<std::uint8_t>(EventKind::inputs_changed) &&
      e[0] != static_cast<std::uint8_t>(EventKind::watchdog_tripped))
    return make_error(ErrorType::io, fmt::format("event: unknown kind 0x{:02x}", e[0]));
  if (e[1] & ~k_input_mask)
    return make_error(ErrorType::io, fmt::format("event: unknown input bits 0x{:02x}", e[1]));
  if (e[3] > k_max_lock)
    return make_error(ErrorType::io, fmt::format("event: lock state {} out of range", e[3]));
  DecodedEvent out;
  out.kind = static_cast<EventKind>(e[0]);
  out.inputs.gate_closed = e[1] & k_input_gate_closed;
  out.inputs.pack_button = e[1] & k_input_pack_button;
  out.inputs.emergency_stop = e[1] & k_input_emergency_stop;
  out.inputs.watchdog_armed = e[2] & k_flag_watchdog_armed;
  out.inputs.watchdog_tripped = e[2] & k_flag_watchdog_tripped;
  out.inputs.outputs.locked = e[3] == static_cast<std::uint8_t>(Lock::locked);
  out.inputs.event_sequence = get16(&e[4]);
  return out;
}

Result<std::vector<std::uint8_t>> ControllerLink::round_trip(Request request, std::uint16_t value, std::uint16_t index)
{
  auto answer =
      m_transport(static_cast<std::uint8_t>(request), value, index, static_cast<std::uint16_t>(k_max_answer_size));
  if (!answer)
    return tl::unexpected(answer.error().with_context(to_string(request)));
  return answer;
}

Result<ControllerInfo> ControllerLink::get_info()
{
  PV_TRY_ASSIGN(auto answer, round_trip(Request::get_info, 0, 0));
  PV_TRY_ASSIGN(auto payload, check_answer(Request::get_info, answer));
  return decode_info(payload);
}

Result<ControllerOutputs> ControllerLink::set_outputs(const ControllerOutputs& outputs)
{
  const Outputs wire = to_wire(outputs);
  if (int field = check_outputs(static_cast<std::uint8_t>(wire.lock), static_cast<std::uint8_t>(wire.colour),
                                static_cast<std::uint8_t>(wire.pattern), static_cast<std::uint8_t>(wire.buzzer));
      field != 0)
    return make_error(ErrorType::invalid_input, fmt::format("SET_OUTPUTS: field {} out of range", field));
  PV_TRY_ASSIGN(auto answer, round_trip(Request::set_outputs, outputs_value(wire), outputs_index(wire)));
  PV_TRY_ASSIGN(auto payload, check_answer(Request::set_outputs, answer));
  auto in_force = decode_outputs(payload);
  if (!in_force)
    return tl::unexpected(in_force.error().with_context("SET_OUTPUTS"));
  if (!(*in_force == outputs))
    return make_error(ErrorType::io, fmt::format("SET_OUTPUTS: device reports {} in force, asked for {}",
                                                 describe(*in_force), describe(outputs)));
  return in_force;
}

Result<ControllerInputs> ControllerLink::get_inputs()
{
  PV_TRY_ASSIGN(auto answer, round_trip(Request::get_inputs, 0, 0));
  PV_TRY_ASSIGN(auto payload, check_answer(Request::get_inputs, answer));
  return decode_inputs(payload);
}

Result<void> ControllerLink::heartbeat(std::chrono::milliseconds timeout)
{
  if (timeout.count() < k_watchdog_min_ms || timeout.count() > k_watchdog_max_ms)
    return make_error(ErrorType::invalid_input, fmt::format("HEARTBEAT: watchdog timeout {} ms is outside {}..{} ms",
                                                            timeout.count(), k_watchdog_min_ms, k_watchdog_max_ms));
  const std::uint16_t sequence = ++m_sequence;
  PV_TRY_ASSIGN(auto answer, round_trip(Request::heartbeat, static_cast<std::uint16_t>(timeout.count()), sequence));
  PV_TRY_ASSIGN(auto payload, check_answer(Request::heartbeat, answer));
  const auto& p = payload;
  if (get16(&p[0]) != timeout.count() || get16(&p[2]) != sequence)
    return make_error(ErrorType::io, fmt::format("HEARTBEAT: echo is timeout {} ms / sequence {}, sent {} / {}",
                                                 get16(&p[0]), get16(&p[2]), timeout.count(), sequence));
  return {};
}

} // namespace pickverify::fw
