// The station controller's firmware in software: the same protocol (protocol.hpp) and the same
// watchdog as the device. Tests attach it to an emulated USB device through umockdev so the real
// libusb driver runs against it; the virtual controller runs it in-process. Time is passed in, so
// tests decide when the watchdog expires. Thread-safe: the USB emulator answers on its own thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "protocol.hpp"

namespace pickverify::fw {

class FirmwareModel {
public:
  using Clock = std::chrono::steady_clock;

  // Misbehaviour a test can ask for: the next `count` answers are damaged this way.
  enum class Fault { none, short_answer, wrong_version, wrong_echo, wrong_length, no_answer };

  explicit FirmwareModel(std::string serial = "PV-MODEL-01", Clock::time_point boot = Clock::now());

  // The data stage of a vendor control-IN request (bRequest, wValue, wIndex, wLength), at most
  // `length` bytes. Checks the watchdog first, as the firmware's main loop does.
  std::vector<std::uint8_t> answer(std::uint8_t request, std::uint16_t value, std::uint16_t index, std::uint16_t length,
                                   Clock::time_point now);
  std::vector<std::uint8_t> answer(std::uint8_t request, std::uint16_t value, std::uint16_t index, std::uint16_t length)
  {
    return answer(request, value, index, length, Clock::now());
  }

  // The firmware's main loop between requests: trips the watchdog when the host has been silent
  // too long. Returns the interrupt-IN event to send, if any.
  std::optional<std::vector<std::uint8_t>> tick(Clock::time_point now);
  // A physical input changed (gate sensor, pack button, emergency stop): returns the event to send.
  std::optional<std::vector<std::uint8_t>> set_inputs(std::uint8_t inputs, Clock::time_point now);

  void inject_fault(Fault fault, int count = 1);

  Outputs outputs() const;
  std::uint8_t flags() const;
  std::uint8_t inputs() const;
  Info info() const;
  // Every SET_OUTPUTS the firmware accepted, and when: tests check re-assertion and latency.
  struct Applied {
    Outputs outputs;
    Clock::time_point at;
  };
  std::vector<Applied> applied() const;
  int heartbeats() const;
  int watchdog_trips() const;

private:
  std::vector<std::uint8_t> answer_locked(std::uint8_t request, std::uint16_t value, std::uint16_t index,
                                          Clock::time_point now);
  std::optional<std::vector<std::uint8_t>> check_watchdog(Clock::time_point now);
  std::vector<std::uint8_t> event(EventKind kind);
  void force_safe();

  mutable std::mutex m_mutex;
  Info m_info;
  Clock::time_point m_boot;
  Outputs m_outputs; // power-up: locked, red
  std::uint8_t m_inputs = k_input_gate_closed;
  bool m_armed = false;
  bool m_tripped = false;
  std::chrono::milliseconds m_timeout{0};
  Clock::time_point m_last_heartbeat{};
  std::uint16_t m_event_sequence = 0;
  Fault m_fault = Fault::none;
  int m_fault_count = 0;
  std::vector<Applied> m_applied;
  int m_heartbeats = 0;
  int m_trips = 0;
};

} // namespace pickverify::fw
