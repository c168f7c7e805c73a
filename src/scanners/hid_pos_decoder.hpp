// Assembles HID POS scanned-data reports into scans: one scan may span several reports
// ("Decode Data Continued"), the AIM id comes from the report's symbology-identifier bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <pickverify/error.hpp>

#include "hid_descriptor.hpp"

namespace pickverify::scanners {

constexpr std::size_t k_max_hid_pos_scan_bytes = 8192;

struct HidPosScan {
  std::string data;
  std::optional<std::string> aim;
};

class HidPosDecoder {
public:
  explicit HidPosDecoder(HidPosLayout layout);

  // Feeds one input report as read from the endpoint (with its report-id byte when the descriptor
  // uses ids). Returns the scan it completes, nothing (a continued part, or another report id), or an
  // error for a malformed report; after an error the next report starts afresh.
  Result<std::optional<HidPosScan>> feed(std::span<const std::uint8_t> report);
  std::size_t reset(); // drops a partly assembled scan; returns the bytes dropped
  std::size_t pending_bytes() const { return m_data.size(); }
  const HidPosLayout& layout() const { return m_layout; }

  // The output report (with report id first) that sounds a beep, if the device has the usage.
  static std::optional<std::vector<std::uint8_t>> beep_report(const HidPosLayout& layout, bool good_read);

private:
  HidPosLayout m_layout;
  std::string m_data;
  std::optional<std::string> m_aim;
  bool m_in_progress = false;
};

} // namespace pickverify::scanners
