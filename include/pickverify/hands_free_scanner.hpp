// Hands-free scanning: a camera as a scanner, one scan per item held in view however many frames
// show it. No OpenCV type appears here.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <pickverify/camera.hpp>
#include <pickverify/decode.hpp>
#include <pickverify/error.hpp>
#include <pickverify/scan_event.hpp>

namespace pickverify {

struct HandsFreeSettings {
  std::string station;                        // stamped on every scan event
  int confirm_frames = 2;                     // a code counts once read in this many frames in a row
  int absent_frames = 8;                      // a code gone for this many frames in a row …
  std::chrono::milliseconds absent_time{400}; // … and for this long has left the view
  DecodeOptions decode;                       // DecodeEffort::hands_free by default: real time, frame after frame
};

// Turns a camera into a scanner: an item held under it is one scan, however many frames show it.
// A second unit of the same item is a new scan when both are in view at once, or when the first
// has left the view (absent for absent_frames frames and absent_time) before the second comes.
// Codes are compared as GTIN-14 where they carry one, so an item showing both an EAN-13 and a GS1
// DataMatrix of the same GTIN is one unit, not two.
class HandsFreeScanner {
public:
  HandsFreeScanner(std::string source_id, HandsFreeSettings settings);

  // Decodes one frame; returns the scans it completes (usually none). An error only when the
  // frame cannot be decoded at all.
  Result<std::vector<ScanEvent>> feed(const CapturedFrame& frame);
  Result<std::vector<ScanEvent>> feed(const FrameView& frame, std::chrono::steady_clock::time_point monotonic,
                                      std::chrono::system_clock::time_point utc);

  // Grabs one frame from the camera and feeds it. The camera's device_offline error when it has
  // none: the caller reports the camera offline and calls again later (grab() reopens it).
  Result<std::vector<ScanEvent>> poll(CameraSource& camera);

  // The tracking step alone, for symbols decoded elsewhere.
  std::vector<ScanEvent> feed_symbols(const std::vector<Symbol>& symbols,
                                      std::chrono::steady_clock::time_point monotonic,
                                      std::chrono::system_clock::time_point utc);

  void reset();                      // forget everything in view (a new order starts)
  std::size_t codes_in_view() const; // distinct codes counted and still in view

private:
  struct Track {
    int in_view = 0;      // units already scanned and still in view
    int streak = 0;       // frames in a row showing more than in_view
    int pending = 0;      // the fewest units shown during that streak
    int below_frames = 0; // frames in a row showing fewer than in_view
    int below_max = 0;    // the most units shown during those
    std::chrono::steady_clock::time_point below_since{};
  };

  std::string m_source_id;
  HandsFreeSettings m_settings;
  std::map<std::string, Track> m_tracks;
};

} // namespace pickverify
