// The one adapter between the public FrameView and OpenCV's cv::Mat.
#pragma once

#include <pickverify/decode.hpp>

#include <opencv2/core.hpp>

namespace pickverify::vision {

// Checks that a view describes memory it can describe: non-null data, positive sizes, a stride that
// holds a row. Sizes above k_max_frame_side are refused rather than decoded for minutes.
Result<void> validate(const FrameView& frame);

// A grey 8-bit copy of the frame (BGR/RGB converted). The frame must have passed validate().
cv::Mat to_grey(const FrameView& frame);

// A borrowed view of a continuous or strided 8-bit cv::Mat (1 or 3 channels, BGR order).
FrameView view_of(const cv::Mat& mat);

inline constexpr int k_max_frame_side = 16384;
inline constexpr long long k_max_frame_pixels = 64LL * 1024 * 1024;

} // namespace pickverify::vision
