// The host side of the protocol over any transport: builds each request, checks each answer
// strictly (header, version, echo, status, length) and decodes it. The USB driver and the virtual
// controller both talk through it, so the demo exercises the same code as the device.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include <pickverify/controller.hpp>

#include "protocol.hpp"

namespace pickverify::fw {

// One control-IN round trip: (bRequest, wValue, wIndex, wLength) → the data stage as received.
using Transport = std::function<Result<std::vector<std::uint8_t>>(std::uint8_t request, std::uint16_t value,
                                                                  std::uint16_t index, std::uint16_t length)>;

// Checks an answer to `request`; returns its payload. Errors name the command and what was wrong:
// "GET_INFO: answer is 3 bytes, shorter than the 5-byte header".
Result<std::span<const std::uint8_t>> check_answer(Request request, std::span<const std::uint8_t> answer);

Result<ControllerInfo> decode_info(std::span<const std::uint8_t> payload);
Result<ControllerInputs> decode_inputs(std::span<const std::uint8_t> payload);
Result<ControllerOutputs> decode_outputs(std::span<const std::uint8_t> payload);
// An interrupt-IN event: kind plus the inputs it carries.
struct DecodedEvent {
  EventKind kind = EventKind::inputs_changed;
  ControllerInputs inputs; // inputs, flags, lock and sequence filled; the rest unknown
};
Result<DecodedEvent> decode_event(std::span<const std::uint8_t> event);

Outputs to_wire(const ControllerOutputs& outputs);
ControllerOutputs from_wire(const Outputs& outputs);

class ControllerLink {
public:
  explicit ControllerLink(Transport transport) : m_transport(std::move(transport)) {}

  Result<ControllerInfo> get_info();
  Result<ControllerOutputs> set_outputs(const ControllerOutputs& outputs);
  Result<ControllerInputs> get_inputs();
  // Arms or refreshes the device's watchdog.
  Result<void> heartbeat(std::chrono::milliseconds timeout);

private:
  Result<std::vector<std::uint8_t>> round_trip(Request request, std::uint16_t value, std::uint16_t index);

  Transport m_transport;
  std::uint16_t m_sequence = 0;
};

} // namespace pickverify::fw
