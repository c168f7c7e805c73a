#include "hid_pos_decoder.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace pickverify::scanners {

HidPosDecoder::HidPosDecoder(HidPosLayout layout) : m_layout(std::move(layout)) {}

Result<std::optional<HidPosScan>> HidPosDecoder::feed(std::span<const std::uint8_t> report)
{
  if (report.empty())
    return make_error(ErrorType::invalid_input, "empty HID POS report");
  if (m_layout.report_id != 0) {
    if (report[0] != m_layout.report_id)
      return std::optional<HidPosScan>{}; // another report (trigger, status): not scanned data
    report = report.subspan(1);
  }
  const std::size_t needed = std::max<std::size_t>(m_layout.data.offset + m_layout.data.length, m_layout.report_bytes);
  if (report.size() < needed) {
    reset();
    return make_error(ErrorType::invalid_input,
                      fmt::format("short HID POS report: {} bytes, the descriptor says {}", report.size(), needed));
  }
  if (report.size() > needed) {
    reset();
    return make_error(ErrorType::invalid_input,
                      fmt::format("oversized HID POS report: {} bytes, the descriptor says {}", report.size(), needed));
  }

  const auto field = report.subspan(m_layout.data.offset, m_layout.data.length);
  std::size_t length = 0;
  if (m_layout.length) {
    length = report[m_layout.length->offset];
    if (length > field.size()) {
      reset();
      return make_error(
          ErrorType::invalid_input,
          fmt::format("malformed HID POS report: length {} but only {} data bytes", length, field.size()));
    }
  } else {
    length = static_cast<std::size_t>(std::find(field.begin(), field.end(), 0) - field.begin());
  }

  if (!m_in_progress && m_layout.aim) {
    const auto aim = report.subspan(m_layout.aim->offset, 3);
    // Some scanners leave the id empty when AIM ids are off; "]" starts every real one.
    if (aim[0] == ']' && aim[1] != 0 && aim[2] != 0)
      m_aim = std::string(reinterpret_cast<const char*>(aim.data()), 3);
  }
  m_in_progress = true;
  if (m_data.size() + length > k_max_hid_pos_scan_bytes) {
    reset();
    return make_error(ErrorType::invalid_input,
                      fmt::format("HID POS scan longer than {} bytes dropped", k_max_hid_pos_scan_bytes));
  }
  m_data.append(reinterpret_cast<const char*>(field.data()), length);

  bool continued = false;
  if (m_layout.continued_bit) {
    const std::uint32_t bit = *m_layout.continued_bit;
    continued = (report[bit / 8] >> (bit % 8)) & 1;
  }
  if (continued)
    return std::optional<HidPosScan>{};

  HidPosScan scan{std::move(m_data), std::move(m_aim)};
  m_data.clear();
  m_aim.reset();
  m_in_progress = false;
  return std::optional<HidPosScan>{std::move(scan)};
}

std::size_t HidPosDecoder::reset()
{
  const std::size_t dropped = m_data.size();
  m_data.clear();
  m_aim.reset();
  m_in_progress = false;
  return dropped;
}

std::optional<std::vector<std::uint8_t>> HidPosDecoder::beep_report(const HidPosLayout& layout, bool good_read)
{
  const auto& position = good_read ? layout.good_read_beep : layout.error_beep;
  if (!position)
    return std::nullopt;
  std::vector<std::uint8_t> report;
  if (position->report_id != 0)
    report.push_back(position->report_id);
  const std::size_t base = report.size();
  report.resize(base + std::max<std::uint32_t>(position->report_bytes, position->bit / 8 + 1), 0);
  report[base + position->bit / 8] |= static_cast<std::uint8_t>(1u << (position->bit % 8));
  return report;
}

} // namespace pickverify::scanners
