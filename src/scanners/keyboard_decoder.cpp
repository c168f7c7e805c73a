#include "keyboard_decoder.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include <pickverify/usb_protocol.hpp>

namespace pickverify::scanners {

namespace {

int keypad_digit(std::uint8_t usage)
{
  if (usage == usb::k_key_keypad_0)
    return 0;
  if (usage >= usb::k_key_keypad_1 && usage < usb::k_key_keypad_0)
    return usage - usb::k_key_keypad_1 + 1;
  return -1;
}

} // namespace

KeyboardDecoderSettings KeyboardDecoderSettings::from(const DeviceProfile& profile)
{
  return KeyboardDecoderSettings{profile.layout, profile.terminator, profile.prefix, profile.suffix,
                                 profile.inter_key_timeout};
}

KeyboardDecoder::KeyboardDecoder(KeyboardDecoderSettings settings) : m_settings(std::move(settings)) {}

Result<void> KeyboardDecoder::feed(std::span<const std::uint8_t> report, Clock::time_point now,
                                   std::vector<std::string>& scans)
{
  if (report.size() != k_boot_report_bytes)
    return make_error(
        ErrorType::invalid_input,
        fmt::format("keyboard report of {} bytes, a boot keyboard report has {}", report.size(), k_boot_report_bytes));
  const std::uint8_t modifiers = report[0];
  const auto keys = report.subspan(2, 6);
  // Phantom state: the keyboard reports too many keys at once; nothing in it is a key press.
  if (std::all_of(keys.begin(), keys.end(), [](std::uint8_t k) { return k == usb::k_key_error_rollover; }))
    return {};

  // A scan that went quiet longer than the timeout ended before this key.
  if (auto expired = expire(now))
    scans.push_back(std::move(*expired));

  // Alt released after Alt + keypad digits: the typed code is one byte (how scanners send GS etc.).
  const bool alt_held = (modifiers & usb::k_modifier_left_alt) != 0;
  if (!alt_held && m_alt_code) {
    append(std::string(1, static_cast<char>(*m_alt_code & 0xff)));
    m_alt_code.reset();
  }

  for (std::uint8_t usage : keys) {
    if (usage == 0 || usage == usb::k_key_error_rollover)
      continue;
    const bool held_before =
        std::find(std::begin(m_previous_keys), std::end(m_previous_keys), usage) != std::end(m_previous_keys);
    if (!held_before)
      press(usage, modifiers, scans);
  }
  if (m_text.size() + m_dead_key.size() > 0 || m_alt_code)
    m_last_key = now;
  std::copy(keys.begin(), keys.end(), m_previous_keys);
  m_previous_modifiers = modifiers;
  if (take_dropped_oversized())
    return make_error(ErrorType::invalid_input,
                      fmt::format("scan longer than {} bytes dropped", k_max_keyboard_scan_bytes));
  return {};
}

void KeyboardDecoder::press(std::uint8_t usage, std::uint8_t modifiers, std::vector<std::string>& scans)
{
  const bool shift = (modifiers & (usb::k_modifier_left_shift | usb::k_modifier_right_shift)) != 0;
  const bool ctrl = (modifiers & (usb::k_modifier_left_ctrl | usb::k_modifier_right_ctrl)) != 0;
  const bool altgr = (modifiers & usb::k_modifier_right_alt) != 0;
  const bool alt = (modifiers & usb::k_modifier_left_alt) != 0;

  if (alt && !altgr && !ctrl) {
    const int digit = keypad_digit(usage);
    if (digit >= 0) {
      m_alt_code = std::min(999, m_alt_code.value_or(0) * 10 + digit);
      return;
    }
  }

  const bool is_enter = usage == usb::k_key_enter || usage == usb::k_key_keypad_enter;
  if ((is_enter && m_settings.terminator == Terminator::enter) ||
      (usage == usb::k_key_tab && m_settings.terminator == Terminator::tab)) {
    if (auto scan = finish())
      scans.push_back(std::move(*scan));
    return;
  }
  if (is_enter) {
    append("\r");
    return;
  }
  if (usage == usb::k_key_tab) {
    append("\t");
    return;
  }

  const std::string_view text = layout_character(m_settings.layout, usage, shift, altgr);
  if (text.empty())
    return;
  if (ctrl) {
    // Ctrl + letter or one of @[\]^_ gives the C0 control code: scanners send GS (0x1d) as Ctrl+].
    const char c = is_dead(text) ? text[1] : text[0];
    const char upper = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    if (text.size() <= 2 && upper >= '@' && upper <= '_')
      append(std::string(1, static_cast<char>(upper & 0x1f)));
    return;
  }
  if (is_dead(text)) {
    if (!m_dead_key.empty())
      append(m_dead_key); // two dead keys in a row: both accents stand alone
    m_dead_key.assign(text.substr(1));
    return;
  }
  if (!m_dead_key.empty()) {
    // Dead key then space types the accent alone; we do not compose accented letters (no barcode
    // symbology a picker scans needs them), the accent is kept so the raw text shows what came in.
    std::string accent = std::move(m_dead_key);
    m_dead_key.clear();
    append(accent);
    if (text == " ")
      return;
  }
  append(text);
}

void KeyboardDecoder::append(std::string_view text)
{
  if (m_text.size() + text.size() > k_max_keyboard_scan_bytes) {
    m_overflowed = true;
    return;
  }
  m_text.append(text);
}

std::optional<std::string> KeyboardDecoder::finish()
{
  if (m_overflowed) {
    reset();
    m_dropped_oversized = true;
    return std::nullopt;
  }
  if (!m_dead_key.empty())
    append(m_dead_key);
  std::string text = std::move(m_text);
  m_text.clear();
  m_dead_key.clear();
  m_alt_code.reset();
  m_last_key.reset();
  const auto& prefix = m_settings.prefix;
  const auto& suffix = m_settings.suffix;
  if (!prefix.empty() && text.starts_with(prefix))
    text.erase(0, prefix.size());
  if (!suffix.empty() && text.ends_with(suffix))
    text.erase(text.size() - suffix.size());
  return text;
}

std::optional<std::string> KeyboardDecoder::expire(Clock::time_point now)
{
  if (!m_last_key || now - *m_last_key < m_settings.inter_key_timeout)
    return std::nullopt;
  if (m_text.empty() && m_dead_key.empty() && !m_alt_code) {
    m_last_key.reset();
    return std::nullopt;
  }
  if (m_alt_code) {
    append(std::string(1, static_cast<char>(*m_alt_code & 0xff)));
    m_alt_code.reset();
  }
  return finish();
}

bool KeyboardDecoder::take_dropped_oversized()
{
  return std::exchange(m_dropped_oversized, false);
}

std::optional<KeyboardDecoder::Clock::time_point> KeyboardDecoder::deadline() const
{
  if (!m_last_key)
    return std::nullopt;
  return *m_last_key + m_settings.inter_key_timeout;
}

std::size_t KeyboardDecoder::reset()
{
  const std::size_t dropped = m_text.size() + m_dead_key.size();
  m_text.clear();
  m_dead_key.clear();
  m_alt_code.reset();
  m_last_key.reset();
  m_overflowed = false;
  std::fill(std::begin(m_previous_keys), std::end(m_previous_keys), 0);
  m_previous_modifiers = 0;
  return dropped;
}

} // namespace pickverify::scanners
