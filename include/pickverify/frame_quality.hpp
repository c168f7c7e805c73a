// The image check's quality gate: how sharp, bright and exposed a frame is, and whether that is
// good enough to check (otherwise the picker retakes the photo). No OpenCV type appears here.
#pragma once

#include <string>

#include <pickverify/calibration.hpp>
#include <pickverify/decode.hpp>
#include <pickverify/error.hpp>

namespace pickverify {

// What the quality gate measured; a "retake" reason quotes these.
struct FrameQuality {
  double sharpness = 0;            // variance of the Laplacian in the sharpest tile
  double brightness = 0;           // mean grey level
  double dark_percentile = 0;      // 5th percentile grey level
  double bright_percentile = 0;    // 95th percentile grey level
  double overexposed_fraction = 0; // share of pixels at 250 or above
};

// Measures a frame (or the part of it inside area, when not empty).
Result<FrameQuality> measure_quality(const FrameView& frame, const PixelRect& area = {});

// Empty when the quality is good enough; otherwise the reason a picker reads.
std::string quality_problem(const FrameQuality& quality, const QualityThresholds& thresholds);

} // namespace pickverify
