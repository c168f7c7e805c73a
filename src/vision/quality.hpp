// The quality gate's measurements on an OpenCV image. Internal.
#pragma once

#include <opencv2/core.hpp>

#include <pickverify/frame_quality.hpp>

namespace pickverify::vision {

// grey: 8-bit, one channel.
FrameQuality measure_grey(const cv::Mat& grey);

} // namespace pickverify::vision
