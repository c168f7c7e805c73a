// One scan as it came from a device: the bytes exactly as read, before any interpretation.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace pickverify {

// Where a scan came from, the way a station and the journal name it.
// `manual` is a code typed by a person rather than read by a device: policy decides where it counts.
enum class SourceKind { keyboard, hid_keyboard, hid_pos, serial, camera, http, replay, manual };

std::string_view to_string(SourceKind kind);

struct ScanEvent {
  std::string raw;                // bytes exactly as read (may hold GS 0x1D, invalid UTF-8, an AIM prefix)
  std::optional<std::string> aim; // AIM symbology id reported by the device out of band, e.g. "]C1"
  std::string source;             // stable device id: "usb:1-1.2:0c2e:0b61", "serial:/dev/ttyACM0", "stdin"
  SourceKind source_kind = SourceKind::keyboard;
  std::string station;                               // station id the source is assigned to
  std::chrono::steady_clock::time_point monotonic{}; // for logic (bounce window)
  std::chrono::system_clock::time_point utc{};       // for storage (ms)
};

// Fills both clocks with "now" — drivers call this at the moment the last byte of a scan arrived.
void stamp_now(ScanEvent& event);

} // namespace pickverify
