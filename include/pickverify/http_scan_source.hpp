// HTTP input from handheld terminals: the web service calls submit() for POST /stations/{id}/scans.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include <pickverify/error.hpp>
#include <pickverify/scan_event.hpp>

namespace pickverify {

struct HttpScanRequest {
  std::string station;
  std::string data;               // the scanned text as the terminal sent it
  std::optional<std::string> aim; // "]C1" when the terminal knows it
  std::string terminal;           // terminal id, becomes the source: "http:<terminal>"
};

class HttpScanSource {
public:
  explicit HttpScanSource(std::function<void(const ScanEvent&)> on_scan, std::size_t max_data_bytes = 4096);
  // Validates and delivers the scan; returns the event as delivered (for the HTTP response).
  Result<ScanEvent> submit(const HttpScanRequest& request) const;

private:
  std::function<void(const ScanEvent&)> m_on_scan;
  std::size_t m_max_data_bytes;
};

} // namespace pickverify
