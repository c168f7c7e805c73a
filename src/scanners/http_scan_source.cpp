// Scans from handheld terminals over HTTP: the web service parses the request and calls submit();
// this side validates it and turns it into the same ScanEvent a USB scanner yields.
#include <pickverify/http_scan_source.hpp>

#include <algorithm>

#include <fmt/format.h>

namespace pickverify {

namespace {

bool is_id(std::string_view text)
{
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

} // namespace

HttpScanSource::HttpScanSource(std::function<void(const ScanEvent&)> on_scan, std::size_t max_data_bytes)
    : m_on_scan(std::move(on_scan)), m_max_data_bytes(max_data_bytes)
{
}

Result<ScanEvent> HttpScanSource::submit(const HttpScanRequest& request) const
{
  if (!is_id(request.station))
    return make_error(ErrorType::invalid_input, "http scan: station id missing or not [A-Za-z0-9._-]{1,64}");
  if (!is_id(request.terminal))
    return make_error(ErrorType::invalid_input, "http scan: terminal id missing or not [A-Za-z0-9._-]{1,64}");
  if (request.data.empty())
    return make_error(ErrorType::invalid_input, "http scan: empty data");
  if (request.data.size() > m_max_data_bytes)
    return make_error(ErrorType::invalid_input,
                      fmt::format("http scan: {} bytes of data, at most {}", request.data.size(), m_max_data_bytes));
  if (request.aim && (request.aim->size() != 3 || (*request.aim)[0] != ']'))
    return make_error(ErrorType::invalid_input,
                      fmt::format("http scan: AIM id \"{}\" is not ']' and two characters", *request.aim));
  ScanEvent event;
  event.raw = request.data;
  event.aim = request.aim;
  event.source = "http:" + request.terminal;
  event.source_kind = SourceKind::http;
  event.station = request.station;
  stamp_now(event);
  if (m_on_scan)
    m_on_scan(event);
  return event;
}

} // namespace pickverify
