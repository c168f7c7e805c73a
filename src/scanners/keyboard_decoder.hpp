// Turns USB boot-keyboard input reports from a scanner in keyboard mode into scans: key usages →
// characters through the scanner's keyboard layout, framed by the terminator, the profile's
// prefix/suffix and the inter-key timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/device_profile.hpp>
#include <pickverify/error.hpp>

namespace pickverify::scanners {

constexpr std::size_t k_boot_report_bytes = 8;
constexpr std::size_t k_max_keyboard_scan_bytes = 4096;

// The characters one key usage produces in a layout, or empty for keys that type nothing.
// `shift` and `altgr` are the modifier state; dead keys yield their spacing accent.
std::string_view layout_character(KeyboardLayout layout, std::uint8_t usage, bool shift, bool altgr);
// Dead keys come back from layout_character() marked by a leading 0x7f before their spacing form.
bool is_dead(std::string_view text);

struct KeyboardDecoderSettings {
  KeyboardLayout layout = KeyboardLayout::us;
  Terminator terminator = Terminator::enter;
  std::string prefix;
  std::string suffix;
  std::chrono::milliseconds inter_key_timeout{50};

  static KeyboardDecoderSettings from(const DeviceProfile& profile);
};

class KeyboardDecoder {
public:
  using Clock = std::chrono::steady_clock;

  explicit KeyboardDecoder(KeyboardDecoderSettings settings);

  // Feeds one input report. Completed scans are appended to `scans`. A report that is not a boot
  // keyboard report is an error; the decoder state is unchanged and the next report is read as usual.
  Result<void> feed(std::span<const std::uint8_t> report, Clock::time_point now, std::vector<std::string>& scans);
  // Ends a scan whose keys stopped arriving (no terminator): returns it once its deadline passed.
  std::optional<std::string> expire(Clock::time_point now);
  std::optional<Clock::time_point> deadline() const;
  // Drops a half-typed scan (device gone); returns how many bytes were dropped.
  std::size_t reset();
  std::size_t pending_bytes() const { return m_text.size(); }
  // True once after a scan was dropped for exceeding k_max_keyboard_scan_bytes (also when it
  // ended by timeout, where expire() cannot return an error).
  bool take_dropped_oversized();

private:
  void press(std::uint8_t usage, std::uint8_t modifiers, std::vector<std::string>& scans);
  void append(std::string_view text);
  std::optional<std::string> finish();

  KeyboardDecoderSettings m_settings;
  std::uint8_t m_previous_keys[6] = {};
  std::uint8_t m_previous_modifiers = 0;
  std::string m_text;
  std::string m_dead_key;
  std::optional<int> m_alt_code; // Alt + keypad digits: the character code being typed
  std::optional<Clock::time_point> m_last_key;
  bool m_overflowed = false;
  bool m_dropped_oversized = false;
};

} // namespace pickverify::scanners
