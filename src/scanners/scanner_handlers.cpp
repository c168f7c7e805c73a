// The registry of scanner handler families: the one place that knows them all.
#include "scanner_handler.hpp"

#include <array>

namespace pickverify::scanners {

namespace {

constexpr std::array k_families{
    ScannerHandlerFamily{"hid_keyboard", [](const DeviceProfile& p) { return p.mode == ScannerMode::hid_keyboard; },
                         true, &make_keyboard_handler},
    ScannerHandlerFamily{"hid_pos", [](const DeviceProfile& p) { return p.mode == ScannerMode::hid_pos; }, true,
                         &make_hid_pos_handler},
    ScannerHandlerFamily{"serial", [](const DeviceProfile& p) { return p.mode == ScannerMode::serial; }, false,
                         &make_serial_handler},
};

} // namespace

ScanEvent make_scan(std::string raw, std::optional<std::string> aim, SourceKind kind)
{
  ScanEvent event;
  event.raw = std::move(raw);
  event.aim = std::move(aim);
  event.source_kind = kind;
  stamp_now(event);
  return event;
}

std::span<const ScannerHandlerFamily> scanner_handler_families()
{
  return k_families;
}

const ScannerHandlerFamily* find_handler_family(const DeviceProfile& profile)
{
  for (const auto& family : k_families)
    if (family.matches(profile))
      return &family;
  return nullptr;
}

} // namespace pickverify::scanners
