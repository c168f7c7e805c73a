// The only door to zbar (libzbar 0.23): a second reader, independent of ZXing, used by the still
// photo path as a second opinion (PLATFORM.md: it misreads EAN/UPC with valid check digits more
// often than ZXing, so nothing it reads alone is trusted). Only its 1D readers are used: it has no
// DataMatrix, and its QR reader cannot tell GS1 QR from plain.
#pragma once

#include <pickverify/decode.hpp>

#include <opencv2/core.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace pickverify::vision {

struct ZbarRead {
  std::string text; // as ZXing would give it: UPC-A 12 digits, UPC-E 8, GS1 without the leading FNC1
  BarcodeFormat format = BarcodeFormat::none;
  std::string aim;                    // "]E0", "]E4", "]C0"/"]C1"
  std::array<cv::Point2f, 4> corners; // bounding box of the scan points, in grey's pixels
  int quality = 0;                    // zbar's count of agreeing scan passes
};

// Every symbol of the given formats (a mask of pickverify::BarcodeFormat) zbar finds in grey
// (CV_8UC1). Images under k_min_zxing_side on a side give nothing.
std::vector<ZbarRead> read_zbar(const cv::Mat& grey, std::uint32_t formats);

} // namespace pickverify::vision
