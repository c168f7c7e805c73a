// The station-controller protocol, version 1: the single source for the host driver, the firmware
// model the tests attach through umockdev, and the firmware itself (header-only, no allocation, no
// exceptions, C++20 freestanding-friendly). PROTOCOL.md explains it in words; a test checks that
// every code named here is named there.
//
// Transport: one vendor-class interface (class 0xff, subclass k_interface_subclass, protocol =
// k_protocol_major). Every command is a vendor control transfer, device-to-host, recipient device
// (bmRequestType 0xc0): the parameters travel in wValue and wIndex, the answer in the data stage.
// Why IN for commands that change things: a control OUT can only fail with a STALL, which carries
// no reason; an IN answer always carries a status code. Input changes arrive unasked on the
// interrupt IN endpoint k_event_endpoint. All multi-byte fields are little-endian.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace pickverify::fw {

// --- Versions and USB identity ------------------------------------------------------------------

constexpr std::uint8_t k_protocol_major = 1; // a host refuses any other major version
constexpr std::uint8_t k_protocol_minor = 0; // additions that old hosts may ignore
// pid.codes test VID:PID (https://pid.codes/1209/0001/): for development boards only. A production
// run gets its own PID; the host matches the interface class/subclass/protocol, not only the id.
constexpr std::uint16_t k_usb_vendor = 0x1209;
constexpr std::uint16_t k_usb_product = 0x0001;
constexpr std::uint8_t k_interface_class = 0xff;    // vendor specific
constexpr std::uint8_t k_interface_subclass = 0x50; // 'P': pickverify station controller
constexpr std::uint8_t k_event_endpoint = 0x81;     // interrupt IN, k_event_size bytes
constexpr std::uint8_t k_request_type_in = 0xc0;    // IN | vendor | device

// --- Commands (bRequest) ------------------------------------------------------------------------

enum class Request : std::uint8_t {
  get_info = 0x01,    // wValue 0, wIndex 0 → InfoPayload
  set_outputs = 0x02, // wValue = lock | colour << 8, wIndex = pattern | buzzer << 8 → OutputsPayload
  get_inputs = 0x03,  // wValue 0, wIndex 0 → InputsPayload
  heartbeat = 0x04,   // wValue = watchdog timeout in ms, wIndex = host sequence → HeartbeatPayload
};

constexpr std::string_view to_string(Request request)
{
  switch (request) {
  case Request::get_info:
    return "GET_INFO";
  case Request::set_outputs:
    return "SET_OUTPUTS";
  case Request::get_inputs:
    return "GET_INPUTS";
  case Request::heartbeat:
    return "HEARTBEAT";
  }
  return "UNKNOWN_REQUEST";
}

// --- Status codes (byte 1 of every answer) ------------------------------------------------------

enum class Status : std::uint8_t {
  ok = 0x00,
  unknown_request = 0x01,    // bRequest is not a command of this major version
  bad_value = 0x02,          // a field is out of its range (the answer's detail byte names which)
  bad_length = 0x03,         // wLength is smaller than the answer
  watchdog_not_armed = 0x04, // unlock refused: no HEARTBEAT since power-up
  watchdog_tripped = 0x05,   // unlock refused: the host went silent; a HEARTBEAT re-arms first
  emergency_stop = 0x06,     // unlock refused: the emergency stop is pressed
  internal_error = 0x07,     // the firmware failed an own check; outputs are locked and red
};

constexpr std::string_view to_string(Status status)
{
  switch (status) {
  case Status::ok:
    return "ok";
  case Status::unknown_request:
    return "unknown_request";
  case Status::bad_value:
    return "bad_value";
  case Status::bad_length:
    return "bad_length";
  case Status::watchdog_not_armed:
    return "watchdog_not_armed";
  case Status::watchdog_tripped:
    return "watchdog_tripped";
  case Status::emergency_stop:
    return "emergency_stop";
  case Status::internal_error:
    return "internal_error";
  }
  return "unknown_status";
}

// --- Output and input fields --------------------------------------------------------------------

enum class Lock : std::uint8_t { unlocked = 0, locked = 1 };
enum class Colour : std::uint8_t { off = 0, red = 1, amber = 2, green = 3 };
enum class Pattern : std::uint8_t { steady = 0, blink_slow = 1, blink_fast = 2 }; // 1 Hz / 4 Hz
// One-shot patterns play once per SET_OUTPUTS that carries them; alarm repeats until replaced.
enum class Buzzer : std::uint8_t { silent = 0, chirp = 1, error_tone = 2, alarm = 3 };

constexpr std::uint8_t k_max_lock = 1;
constexpr std::uint8_t k_max_colour = 3;
constexpr std::uint8_t k_max_pattern = 2;
constexpr std::uint8_t k_max_buzzer = 3;

constexpr std::string_view to_string(Lock v)
{
  return v == Lock::locked ? "locked" : "unlocked";
}
constexpr std::string_view to_string(Colour v)
{
  constexpr std::array<std::string_view, 4> names = {"off", "red", "amber", "green"};
  return static_cast<std::size_t>(v) < names.size() ? names[static_cast<std::size_t>(v)] : "unknown";
}
constexpr std::string_view to_string(Pattern v)
{
  constexpr std::array<std::string_view, 3> names = {"steady", "blink_slow", "blink_fast"};
  return static_cast<std::size_t>(v) < names.size() ? names[static_cast<std::size_t>(v)] : "unknown";
}
constexpr std::string_view to_string(Buzzer v)
{
  constexpr std::array<std::string_view, 4> names = {"silent", "chirp", "error_tone", "alarm"};
  return static_cast<std::size_t>(v) < names.size() ? names[static_cast<std::size_t>(v)] : "unknown";
}

// Input bits (InputsPayload::inputs, Event::inputs).
constexpr std::uint8_t k_input_gate_closed = 0x01;    // the gate sensor sees the gate shut
constexpr std::uint8_t k_input_pack_button = 0x02;    // the pack-confirm button is held
constexpr std::uint8_t k_input_emergency_stop = 0x04; // the emergency stop is pressed
constexpr std::uint8_t k_input_mask = 0x07;

// Flag bits (InputsPayload::flags, Event::flags).
constexpr std::uint8_t k_flag_watchdog_armed = 0x01;
constexpr std::uint8_t k_flag_watchdog_tripped = 0x02;

// Capability bits (InfoPayload::capabilities).
constexpr std::uint16_t k_cap_lock = 0x0001;
constexpr std::uint16_t k_cap_light = 0x0002;
constexpr std::uint16_t k_cap_buzzer = 0x0004;
constexpr std::uint16_t k_cap_gate_sensor = 0x0008;
constexpr std::uint16_t k_cap_pack_button = 0x0010;
constexpr std::uint16_t k_cap_emergency_stop = 0x0020;

// The watchdog timeout a HEARTBEAT may set (wValue), in milliseconds.
constexpr std::uint16_t k_watchdog_min_ms = 100;
constexpr std::uint16_t k_watchdog_max_ms = 10000;

// --- Answer layout ------------------------------------------------------------------------------
//
//   byte 0  protocol major version (k_protocol_major)
//   byte 1  Status
//   byte 2  the bRequest answered (echo)
//   byte 3  detail: for bad_value the 1-based number of the offending field, else 0
//   byte 4  payload length n (0 unless status is ok)
//   bytes 5 .. 5+n-1  payload
constexpr std::size_t k_header_size = 5;

constexpr std::size_t k_info_payload_size = 24;
constexpr std::size_t k_outputs_payload_size = 4;
constexpr std::size_t k_inputs_payload_size = 12;
constexpr std::size_t k_heartbeat_payload_size = 4;
constexpr std::size_t k_max_answer_size = k_header_size + k_info_payload_size; // the wLength a host asks for
constexpr std::size_t k_serial_size = 12;

constexpr std::size_t payload_size(Request request)
{
  switch (request) {
  case Request::get_info:
    return k_info_payload_size;
  case Request::set_outputs:
    return k_outputs_payload_size;
  case Request::get_inputs:
    return k_inputs_payload_size;
  case Request::heartbeat:
    return k_heartbeat_payload_size;
  }
  return 0;
}

struct Outputs {
  Lock lock = Lock::locked;
  Colour colour = Colour::red;
  Pattern pattern = Pattern::steady;
  Buzzer buzzer = Buzzer::silent;
  friend constexpr bool operator==(const Outputs&, const Outputs&) = default;
};

// GET_INFO payload, 24 bytes.
struct Info {
  std::uint8_t protocol_major = k_protocol_major; // 0
  std::uint8_t protocol_minor = k_protocol_minor; // 1
  std::uint8_t firmware_major = 0;                // 2
  std::uint8_t firmware_minor = 0;                // 3
  std::uint16_t firmware_patch = 0;               // 4..5
  std::uint16_t capabilities = 0;                 // 6..7
  std::uint16_t watchdog_min_ms = k_watchdog_min_ms;
  std::uint16_t watchdog_max_ms = k_watchdog_max_ms; // 10..11
  std::array<char, k_serial_size> serial{};          // 12..23 ASCII, NUL-padded
};

// GET_INPUTS payload, 12 bytes.
struct Inputs {
  std::uint8_t inputs = 0;      // 0: k_input_* bits
  std::uint8_t flags = 0;       // 1: k_flag_* bits
  Outputs outputs;              // 2..5: lock, colour, pattern, buzzer in force
  std::uint16_t event_sequence; // 6..7: sequence number of the last Event sent
  std::uint32_t uptime_ms = 0;  // 8..11
};

// HEARTBEAT payload, 4 bytes.
struct Heartbeat {
  std::uint16_t timeout_ms = 0; // the watchdog timeout now in force
  std::uint16_t sequence = 0;   // the host's sequence, echoed
};

// --- Interrupt IN event, 8 bytes ----------------------------------------------------------------
//
//   byte 0  EventKind        byte 1  inputs (k_input_*)    byte 2  flags (k_flag_*)
//   byte 3  lock in force    bytes 4..5  event sequence    bytes 6..7  reserved, 0
enum class EventKind : std::uint8_t {
  inputs_changed = 0x01,   // a gate sensor, button or emergency-stop edge
  watchdog_tripped = 0x02, // the host was silent too long: the device locked and shows red
};
constexpr std::string_view to_string(EventKind kind)
{
  return kind == EventKind::inputs_changed     ? "inputs_changed"
         : kind == EventKind::watchdog_tripped ? "watchdog_tripped"
                                               : "unknown_event";
}
constexpr std::size_t k_event_size = 8;

struct Event {
  EventKind kind = EventKind::inputs_changed;
  std::uint8_t inputs = 0;
  std::uint8_t flags = 0;
  Lock lock = Lock::locked;
  std::uint16_t sequence = 0;
};

// --- Encoding helpers (shared by both ends) -----------------------------------------------------

constexpr void put16(std::uint8_t* out, std::uint16_t v)
{
  out[0] = static_cast<std::uint8_t>(v & 0xff);
  out[1] = static_cast<std::uint8_t>(v >> 8);
}
constexpr void put32(std::uint8_t* out, std::uint32_t v)
{
  for (int i = 0; i < 4; ++i)
    out[i] = static_cast<std::uint8_t>((v >> (8 * i)) & 0xff);
}
constexpr std::uint16_t get16(const std::uint8_t* in)
{
  return static_cast<std::uint16_t>(in[0] | (in[1] << 8));
}
constexpr std::uint32_t get32(const std::uint8_t* in)
{
  return static_cast<std::uint32_t>(in[0]) | (static_cast<std::uint32_t>(in[1]) << 8) |
         (static_cast<std::uint32_t>(in[2]) << 16) | (static_cast<std::uint32_t>(in[3]) << 24);
}

// SET_OUTPUTS parameters.
constexpr std::uint16_t outputs_value(const Outputs& o)
{
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(o.lock) | (static_cast<std::uint8_t>(o.colour) << 8));
}
constexpr std::uint16_t outputs_index(const Outputs& o)
{
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(o.pattern) | (static_cast<std::uint8_t>(o.buzzer) << 8));
}

// Raw field bytes → Outputs; the 1-based number of the first field out of range, or 0 when valid.
constexpr int check_outputs(std::uint8_t lock, std::uint8_t colour, std::uint8_t pattern, std::uint8_t buzzer)
{
  if (lock > k_max_lock)
    return 1;
  if (colour > k_max_colour)
    return 2;
  if (pattern > k_max_pattern)
    return 3;
  if (buzzer > k_max_buzzer)
    return 4;
  return 0;
}
constexpr Outputs outputs_from(std::uint8_t lock, std::uint8_t colour, std::uint8_t pattern, std::uint8_t buzzer)
{
  return Outputs{static_cast<Lock>(lock), static_cast<Colour>(colour), static_cast<Pattern>(pattern),
                 static_cast<Buzzer>(buzzer)};
}

constexpr void encode_outputs(const Outputs& o, std::uint8_t* out)
{
  out[0] = static_cast<std::uint8_t>(o.lock);
  out[1] = static_cast<std::uint8_t>(o.colour);
  out[2] = static_cast<std::uint8_t>(o.pattern);
  out[3] = static_cast<std::uint8_t>(o.buzzer);
}

constexpr void encode_info(const Info& info, std::uint8_t* out)
{
  out[0] = info.protocol_major;
  out[1] = info.protocol_minor;
  out[2] = info.firmware_major;
  out[3] = info.firmware_minor;
  put16(out + 4, info.firmware_patch);
  put16(out + 6, info.capabilities);
  put16(out + 8, info.watchdog_min_ms);
  put16(out + 10, info.watchdog_max_ms);
  for (std::size_t i = 0; i < k_serial_size; ++i)
    out[12 + i] = static_cast<std::uint8_t>(info.serial[i]);
}

constexpr void encode_inputs(const Inputs& in, std::uint8_t* out)
{
  out[0] = in.inputs;
  out[1] = in.flags;
  encode_outputs(in.outputs, out + 2);
  put16(out + 6, in.event_sequence);
  put32(out + 8, in.uptime_ms);
}

constexpr void encode_heartbeat(const Heartbeat& hb, std::uint8_t* out)
{
  put16(out, hb.timeout_ms);
  put16(out + 2, hb.sequence);
}

constexpr void encode_event(const Event& event, std::uint8_t* out)
{
  out[0] = static_cast<std::uint8_t>(event.kind);
  out[1] = event.inputs;
  out[2] = event.flags;
  out[3] = static_cast<std::uint8_t>(event.lock);
  put16(out + 4, event.sequence);
  out[6] = 0;
  out[7] = 0;
}

} // namespace pickverify::fw
