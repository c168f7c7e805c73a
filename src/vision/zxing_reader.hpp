// The only door to ZXing-C++ 1.4. It calls the single-result reader (maxNumberOfSymbols = 1, no
// internal downscaling): Debian's build asserts, and so abort()s, when ReadBarcodes merges 1D results
// (PLATFORM.md), and the single-result path never merges. Callers find more symbols by painting over
// what was found and asking again.
#pragma once

#include <pickverify/decode.hpp>

#include <opencv2/core.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace pickverify::vision {

struct ZxingRead {
  std::string text;
  std::string raw;
  BarcodeFormat format = BarcodeFormat::none;
  std::string aim;
  std::array<cv::Point2f, 4> corners; // in the pixels of the image passed in
  bool is_linear = false;             // 1D: corners describe the scan line(s), not the symbol
};

// How grey becomes black and white. ZXing's local-average binarizer suits most frames; its global
// histogram one reads some symbols the first cannot (large modules under uneven light), and the
// other way round.
enum class Binarizer { local_average, global_histogram };

// Images smaller than this on either side are not handed to ZXing (an empty one can crash it).
inline constexpr int k_min_zxing_side = 8;

// One symbol of the given formats (a mask of pickverify::BarcodeFormat), or nothing. grey is CV_8UC1.
std::optional<ZxingRead> read_one(const cv::Mat& grey, std::uint32_t formats, bool try_harder,
                                  Binarizer binarizer = Binarizer::local_average);

} // namespace pickverify::vision
