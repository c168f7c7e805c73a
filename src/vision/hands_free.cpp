// Hands-free scanning: frames in, one scan per unit that enters the view out.
#include <pickverify/camera.hpp>
#include <pickverify/expected.hpp>
#include <pickverify/hands_free_scanner.hpp>

#include <algorithm>

#include <pickverify/codes.hpp>

namespace pickverify {

namespace {

// A unit's identity: its GTIN-14 when it carries one (the same item may show EAN-13 and GS1
// DataMatrix labels), else the symbology and the text.
std::string unit_key(const Symbol& symbol)
{
  const ParsedCode code =
      parse_code(symbol.text, symbol.aim.empty() ? std::nullopt : std::optional<std::string_view>(symbol.aim));
  if (code.kind == CodeKind::gtin) {
    return "gtin:" + code.gtin14;
  }
  return "text:" + symbol.aim + '\x1f' + symbol.text;
}

} // namespace

HandsFreeScanner::HandsFreeScanner(std::string source_id, HandsFreeSettings settings)
    : m_source_id(std::move(source_id)), m_settings(std::move(settings))
{
  m_settings.confirm_frames = std::max(1, m_settings.confirm_frames);
  m_settings.absent_frames = std::max(1, m_settings.absent_frames);
}

Result<std::vector<ScanEvent>> HandsFreeScanner::feed(const CapturedFrame& frame)
{
  return feed(frame.view(), frame.monotonic, frame.utc);
}

Result<std::vector<ScanEvent>> HandsFreeScanner::feed(const FrameView& frame,
                                                      std::chrono::steady_clock::time_point monotonic,
                                                      std::chrono::system_clock::time_point utc)
{
  auto symbols = decode(frame, m_settings.decode);
  if (!symbols) {
    return tl::unexpected(symbols.error().with_context("hands-free " + m_source_id));
  }
  return feed_symbols(*symbols, monotonic, utc);
}

Result<std::vector<ScanEvent>> HandsFreeScanner::poll(CameraSource& camera)
{
  PV_TRY_ASSIGN(auto frame, camera.grab());
  return feed(frame);
}

std::vector<ScanEvent> HandsFreeScanner::feed_symbols(const std::vector<Symbol>& symbols,
                                                      std::chrono::steady_clock::time_point monotonic,
                                                      std::chrono::system_clock::time_point utc)
{
  // Units per key in this frame: the most labels of any one symbology, so two boxes with one EAN
  // each are two, and one spray with an EAN and a DataMatrix is one.
  struct Seen {
    std::map<BarcodeFormat, int> per_format;
    const Symbol* first = nullptr;
    int units() const
    {
      int most = 0;
      for (const auto& [format, count] : per_format) {
        most = std::max(most, count);
      }
      return most;
    }
  };
  std::map<std::string, Seen> seen;
  for (const Symbol& symbol : symbols) {
    Seen& entry = seen[unit_key(symbol)];
    ++entry.per_format[symbol.format];
    if (entry.first == nullptr) {
      entry.first = &symbol;
    }
  }
  for (const auto& [key, entry] : seen) {
    m_tracks.try_emplace(key);
  }

  std::vector<ScanEvent> scans;
  for (auto it = m_tracks.begin(); it != m_tracks.end();) {
    Track& track = it->second;
    const auto found = seen.find(it->first);
    const int count = found == seen.end() ? 0 : found->second.units();

    if (count > track.in_view) {
      track.pending = track.streak == 0 ? count : std::min(track.pending, count);
      ++track.streak;
      if (track.streak >= m_settings.confirm_frames) {
        const Symbol& symbol = *found->second.first;
        for (int unit = track.in_view; unit < track.pending; ++unit) {
          ScanEvent scan;
          scan.raw = symbol.text;
          if (!symbol.aim.empty()) {
            scan.aim = symbol.aim;
          }
          scan.source = m_source_id;
          scan.source_kind = SourceKind::camera;
          scan.station = m_settings.station;
          scan.monotonic = monotonic;
          scan.utc = utc;
          scans.push_back(std::move(scan));
        }
        track.in_view = track.pending;
        track.streak = 0;
      }
    } else {
      track.streak = 0;
    }

    if (count < track.in_view) {
      if (track.below_frames == 0) {
        track.below_since = monotonic;
        track.below_max = count;
      } else {
        track.below_max = std::max(track.below_max, count);
      }
      ++track.below_frames;
      if (track.below_frames >= m_settings.absent_frames && monotonic - track.below_since >= m_settings.absent_time) {
        track.in_view = track.below_max;
        track.below_frames = 0;
      }
    } else {
      track.below_frames = 0;
    }

    if (track.in_view == 0 && track.streak == 0) {
      it = m_tracks.erase(it);
    } else {
      ++it;
    }
  }
  return scans;
}

void HandsFreeScanner::reset()
{
  m_tracks.clear();
}

std::size_t HandsFreeScanner::codes_in_view() const
{
  return static_cast<std::size_t>(
      std::count_if(m_tracks.begin(), m_tracks.end(), [](const auto& entry) { return entry.second.in_view > 0; }));
}

} // namespace pickverify
