#include <pickverify/scan_event.hpp>

namespace pickverify {

std::string_view to_string(SourceKind kind)
{
  switch (kind) {
  case SourceKind::keyboard:
    return "keyboard";
  case SourceKind::hid_keyboard:
    return "hid-keyboard";
  case SourceKind::hid_pos:
    return "hid-pos";
  case SourceKind::serial:
    return "serial";
  case SourceKind::camera:
    return "camera";
  case SourceKind::http:
    return "http";
  case SourceKind::replay:
    return "replay";
  case SourceKind::manual:
    return "manual";
  }
  return "unknown";
}

void stamp_now(ScanEvent& event)
{
  event.monotonic = std::chrono::steady_clock::now();
  event.utc = std::chrono::system_clock::now();
}

} // namespace pickverify
