// The one adapter between the public FrameView / CapturedFrame and OpenCV's cv::Mat. Internal.
#pragma once

#include <pickverify/camera.hpp>
#include <pickverify/decode.hpp>

#include <opencv2/core.hpp>

namespace pickverify::vision {

// Checks that a view describes memory it can describe: non-null data, positive sizes, a stride that
// holds a row. Sizes above k_max_frame_side are refused rather than decoded for minutes.
Result<void> validate(const FrameView& frame);

// A borrowed view of a continuous or strided 8-bit cv::Mat (1 or 3 channels, BGR order).
FrameView view_of(const cv::Mat& mat);

// The camera side: owned frames and borrowed views to and from cv::Mat.
// A cv::Mat header over the view's pixels (no copy): valid while the view's memory is.
// An empty Mat when the view is unusable.
cv::Mat borrow_mat(const FrameView& view);

// The view as a BGR image (copied or converted); empty when the view is unusable.
cv::Mat to_bgr(const FrameView& view);

// The view as grey (copied or converted); empty when the view is unusable.
cv::Mat to_grey(const FrameView& view);

// Copies an 8-bit 1-, 3- or 4-channel Mat into an owned frame (4 channels become BGR).
CapturedFrame to_frame(const cv::Mat& image);

// True when the view's size, stride and format describe a buffer that can be read.
bool is_usable(const FrameView& view);

inline constexpr int k_max_frame_side = 16384;
inline constexpr long long k_max_frame_pixels = 64LL * 1024 * 1024;

} // namespace pickverify::vision
