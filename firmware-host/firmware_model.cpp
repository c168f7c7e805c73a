#include "firmware_model.hpp"

#include <algorithm>

namespace pickverify::fw {

namespace {

constexpr std::uint8_t k_firmware_major = 1;
constexpr std::uint8_t k_firmware_minor = 0;
constexpr std::uint16_t k_firmware_patch = 0;

} // namespace

FirmwareModel::FirmwareModel(std::string serial, Clock::time_point boot) : m_boot(boot)
{
  m_info.firmware_major = k_firmware_major;
  m_info.firmware_minor = k_firmware_minor;
  m_info.firmware_patch = k_firmware_patch;
  m_info.capabilities =
      k_cap_lock | k_cap_light | k_cap_buzzer | k_cap_gate_sensor | k_cap_pack_button | k_cap_emergency_stop;
  std::copy_n(serial.begin(), std::min(serial.size(), k_serial_size), m_info.serial.begin());
}

std::vector<std::uint8_t> FirmwareModel::answer(std::uint8_t request, std::uint16_t value, std::uint16_t index,
                                                std::uint16_t length, Clock::time_point now)
{
  std::lock_guard lock(m_mutex);
  (void)check_watchdog(now); // its event goes out with the next tick()
  if (m_fault == Fault::no_answer && m_fault_count > 0) {
    --m_fault_count; // a wedged firmware task: the request is not even seen
    return {};
  }
  std::vector<std::uint8_t> out = answer_locked(request, value, index, now);
  const std::size_t full = out.size();
  if (length < full && length >= k_header_size) {
    // The host asked for less than the answer: say so instead of cutting the payload.
    out.resize(k_header_size);
    out[1] = static_cast<std::uint8_t>(Status::bad_length);
    out[3] = 0;
    out[4] = 0;
  }
  if (out.size() > length)
    out.resize(length);

  if (m_fault_count > 0) {
    --m_fault_count;
    switch (m_fault) {
    case Fault::none:
      break;
    case Fault::short_answer:
      out.resize(std::min<std::size_t>(out.size(), 3));
      break;
    case Fault::wrong_version:
      out[0] = static_cast<std::uint8_t>(k_protocol_major + 1);
      break;
    case Fault::wrong_echo:
      out[2] = static_cast<std::uint8_t>(out[2] ^ 0x40);
      break;
    case Fault::wrong_length:
      if (out.size() > k_header_size)
        out[4] = static_cast<std::uint8_t>(out[4] + 3);
      break;
    case Fault::no_answer:
      break;
    }
  }
  return out;
}

std::vector<std::uint8_t> FirmwareModel::answer_locked(std::uint8_t request, std::uint16_t value, std::uint16_t index,
                                                       Clock::time_point now)
{
  std::vector<std::uint8_t> out(k_header_size, 0);
  out[0] = k_protocol_major;
  out[2] = request;
  auto fail = [&](Status status, std::uint8_t detail = 0) {
    out[1] = static_cast<std::uint8_t>(status);
    out[3] = detail;
    out[4] = 0;
    return out;
  };
  auto payload = [&](std::size_t size) {
    out[1] = static_cast<std::uint8_t>(Status::ok);
    out[4] = static_cast<std::uint8_t>(size);
    out.resize(k_header_size + size);
    return out.data() + k_header_size;
  };

  switch (static_cast<Request>(request)) {
  case Request::get_info:
    encode_info(m_info, payload(k_info_payload_size));
    return out;
  case Request::get_inputs: {
    Inputs inputs;
    inputs.inputs = m_inputs;
    inputs.flags =
        static_cast<std::uint8_t>((m_armed ? k_flag_watchdog_armed : 0) | (m_tripped ? k_flag_watchdog_tripped : 0));
    inputs.outputs = m_outputs;
    inputs.event_sequence = m_event_sequence;
    inputs.uptime_ms = static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(now - m_boot).count() & 0xffffffffu);
    encode_inputs(inputs, payload(k_inputs_payload_size));
    return out;
  }
  case Request::heartbeat: {
    if (value < k_watchdog_min_ms || value > k_watchdog_max_ms)
      return fail(Status::bad_value, 1);
    m_armed = true;
    m_tripped = false; // the host is back; the outputs stay locked and red until it sets them
    m_timeout = std::chrono::milliseconds(value);
    m_last_heartbeat = now;
    ++m_heartbeats;
    encode_heartbeat(Heartbeat{value, index}, payload(k_heartbeat_payload_size));
    return out;
  }
  case Request::set_outputs: {
    const auto lock = static_cast<std::uint8_t>(value & 0xff);
    const auto colour = static_cast<std::uint8_t>(value >> 8);
    const auto pattern = static_cast<std::uint8_t>(index & 0xff);
    const auto buzzer = static_cast<std::uint8_t>(index >> 8);
    if (int field = check_outputs(lock, colour, pattern, buzzer); field != 0)
      return fail(Status::bad_value, static_cast<std::uint8_t>(field));
    const Outputs wanted = outputs_from(lock, colour, pattern, buzzer);
    if (wanted.lock == Lock::unlocked) {
      if (m_inputs & k_input_emergency_stop)
        return fail(Status::emergency_stop);
      if (m_tripped)
        return fail(Status::watchdog_tripped);
      if (!m_armed)
        return fail(Status::watchdog_not_armed);
    }
    m_outputs = wanted;
    m_applied.push_back(Applied{wanted, now});
    encode_outputs(m_outputs, payload(k_outputs_payload_size));
    return out;
  }
  }
  return fail(Status::unknown_request);
}

std::optional<std::vector<std::uint8_t>> FirmwareModel::check_watchdog(Clock::time_point now)
{
  if (!m_armed || m_tripped || now - m_last_heartbeat <= m_timeout)
    return std::nullopt;
  m_tripped = true;
  m_armed = false;
  ++m_trips;
  force_safe();
  return event(EventKind::watchdog_tripped);
}

void FirmwareModel::force_safe()
{
  m_outputs = Outputs{Lock::locked, Colour::red, Pattern::blink_fast, Buzzer::silent};
}

std::optional<std::vector<std::uint8_t>> FirmwareModel::tick(Clock::time_point now)
{
  std::lock_guard lock(m_mutex);
  return check_watchdog(now);
}

std::optional<std::vector<std::uint8_t>> FirmwareModel::set_inputs(std::uint8_t inputs, Clock::time_point now)
{
  std::lock_guard lock(m_mutex);
  (void)now;
  inputs &= k_input_mask;
  if (inputs == m_inputs)
    return std::nullopt;
  m_inputs = inputs;
  if (m_inputs & k_input_emergency_stop)
    m_outputs.lock = Lock::locked; // the emergency stop locks at once, whatever the host said
  return event(EventKind::inputs_changed);
}

std::vector<std::uint8_t> FirmwareModel::event(EventKind kind)
{
  Event e;
  e.kind = kind;
  e.inputs = m_inputs;
  e.flags =
      static_cast<std::uint8_t>((m_armed ? k_flag_watchdog_armed : 0) | (m_tripped ? k_flag_watchdog_tripped : 0));
  e.lock = m_outputs.lock;
  e.sequence = ++m_event_sequence;
  std::vector<std::uint8_t> out(k_event_size);
  encode_event(e, out.data());
  return out;
}

void FirmwareModel::inject_fault(Fault fault, int count)
{
  std::lock_guard lock(m_mutex);
  m_fault = fault;
  m_fault_count = count;
}

Outputs FirmwareModel::outputs() const
{
  std::lock_guard lock(m_mutex);
  return m_outputs;
}

std::uint8_t FirmwareModel::flags() const
{
  std::lock_guard lock(m_mutex);
  return static_cast<std::uint8_t>((m_armed ? k_flag_watchdog_armed : 0) | (m_tripped ? k_flag_watchdog_tripped : 0));
}

std::uint8_t FirmwareModel::inputs() const
{
  std::lock_guard lock(m_mutex);
  return m_inputs;
}

Info FirmwareModel::info() const
{
  std::lock_guard lock(m_mutex);
  return m_info;
}

std::vector<FirmwareModel::Applied> FirmwareModel::applied() const
{
  std::lock_guard lock(m_mutex);
  return m_applied;
}

int FirmwareModel::heartbeats() const
{
  std::lock_guard lock(m_mutex);
  return m_heartbeats;
}

int FirmwareModel::watchdog_trips() const
{
  std::lock_guard lock(m_mutex);
  return m_trips;
}

} // namespace pickverify::fw
