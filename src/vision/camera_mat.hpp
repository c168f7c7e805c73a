// The OpenCV side of camera frames: owned frames and borrowed views to and from cv::Mat.
// Internal to src/vision.
#pragma once

#include <opencv2/core.hpp>

#include <pickverify/camera.hpp>

namespace pickverify::camera_detail {

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

} // namespace pickverify::camera_detail
