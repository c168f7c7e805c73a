// The annotated copy of an image-check photo and JPEG encoding of evidence images. Internal.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include <pickverify/calibration.hpp>
#include <pickverify/decode.hpp>
#include <pickverify/error.hpp>

namespace pickverify::vision {

enum class Mark { expected, unexpected, ignored };

struct MarkedSymbol {
  Point corners[4]; // in the annotated image's pixels
  std::string label;
  Mark mark = Mark::expected;
};

Result<std::vector<std::uint8_t>> encode_jpeg(const cv::Mat& image, int quality);

// The photo with each symbol boxed and labelled (green expected, red unexpected, grey ignored),
// the pack area outlined, and a banner on top: the verdict line, then the missing units.
cv::Mat annotate(const cv::Mat& bgr, const std::vector<MarkedSymbol>& symbols, const PixelRect& pack_area, bool passed,
                 const std::vector<std::string>& banner_lines);

} // namespace pickverify::vision
