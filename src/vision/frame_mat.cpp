#include "frame_mat.hpp"

#include <opencv2/imgproc.hpp>

#include <string>

namespace pickverify::vision {

namespace {

int bytes_per_pixel(PixelFormat format)
{
  return format == PixelFormat::lum8 ? 1 : 3;
}

} // namespace

Result<void> validate(const FrameView& frame)
{
  if (frame.data == nullptr) {
    return make_error(ErrorType::invalid_input, "frame has no pixel data");
  }
  if (frame.width <= 0 || frame.height <= 0) {
    return make_error(ErrorType::invalid_input,
                      "frame is empty (" + std::to_string(frame.width) + "x" + std::to_string(frame.height) + ")");
  }
  if (frame.width > k_max_frame_side || frame.height > k_max_frame_side ||
      static_cast<long long>(frame.width) * frame.height > k_max_frame_pixels) {
    return make_error(ErrorType::invalid_input,
                      "frame is too large (" + std::to_string(frame.width) + "x" + std::to_string(frame.height) + ")");
  }
  if (frame.format != PixelFormat::lum8 && frame.format != PixelFormat::bgr8 && frame.format != PixelFormat::rgb8) {
    return make_error(ErrorType::invalid_input, "frame has an unknown pixel format");
  }
  if (static_cast<long long>(frame.stride) < static_cast<long long>(frame.width) * bytes_per_pixel(frame.format)) {
    return make_error(ErrorType::invalid_input,
                      "frame stride " + std::to_string(frame.stride) + " is shorter than a row");
  }
  return {};
}

cv::Mat to_grey(const FrameView& frame)
{
  // OpenCV takes a non-const pointer for a header it will only read from.
  auto* data = const_cast<std::uint8_t*>(frame.data);
  const auto stride = static_cast<std::size_t>(frame.stride);
  if (frame.format == PixelFormat::lum8) {
    return cv::Mat(frame.height, frame.width, CV_8UC1, data, stride).clone();
  }
  const cv::Mat colour(frame.height, frame.width, CV_8UC3, data, stride);
  cv::Mat grey;
  cv::cvtColor(colour, grey, frame.format == PixelFormat::bgr8 ? cv::COLOR_BGR2GRAY : cv::COLOR_RGB2GRAY);
  return grey;
}

FrameView view_of(const cv::Mat& mat)
{
  FrameView view;
  if (mat.empty() || mat.depth() != CV_8U || (mat.channels() != 1 && mat.channels() != 3)) {
    return view;
  }
  view.data = mat.data;
  view.width = mat.cols;
  view.height = mat.rows;
  view.stride = static_cast<int>(mat.step[0]);
  view.format = mat.channels() == 1 ? PixelFormat::lum8 : PixelFormat::bgr8;
  return view;
}

} // namespace pickverify::vision
