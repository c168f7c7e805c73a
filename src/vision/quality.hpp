// The quality gate's measurements on an OpenCV image. Internal.
#pragma once

#include <opencv2/core.hpp>

#include <pickverify/vision_check.hpp>

namespace pickverify::quality_detail {

// grey: 8-bit, one channel.
FrameQuality measure_grey(const cv::Mat& grey);

} // namespace pickverify::quality_detail
