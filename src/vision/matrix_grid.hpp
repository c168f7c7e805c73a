// DataMatrix symbols too fine for ZXing's own detector (1.2-1.6 px per module in a station frame):
// the symbol's outline is found in a magnified crop, its module grid laid over it for each square
// ECC 200 size that fits, checked against the finder L and the timing pattern, sampled, and the
// clean grid handed to ZXing, whose Reed-Solomon decoding then judges the samples.
#pragma once

#include "zxing_reader.hpp"

#include <opencv2/core.hpp>

#include <optional>

namespace pickverify::vision {

// One DataMatrix read from a grey crop holding it (and little else), or nothing. The corners are in
// the crop's pixels. Square ECC 200 sizes from 10x10 to 32x32 modules at 1-2.2 px per module are
// fitted; the crop is first also turned upright and read by ZXing's own detector. Crops over
// 400 px on a side are not looked at. About 5-15 ms per crop.
std::optional<ZxingRead> read_fine_datamatrix(const cv::Mat& crop, bool quick = false);

} // namespace pickverify::vision
