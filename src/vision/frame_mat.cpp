#include "frame_mat.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
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

bool is_usable(const FrameView& view)
{
  if (view.data == nullptr || view.width <= 0 || view.height <= 0) {
    return false;
  }
  const long long row_bytes = static_cast<long long>(view.width) * bytes_per_pixel(view.format);
  return view.stride >= row_bytes && view.width <= 1 << 15 && view.height <= 1 << 15;
}

cv::Mat borrow_mat(const FrameView& view)
{
  if (!is_usable(view)) {
    return {};
  }
  const int type = view.format == PixelFormat::lum8 ? CV_8UC1 : CV_8UC3;
  // cv::Mat wants a non-const pointer; nothing here writes through it.
  return cv::Mat(view.height, view.width, type, const_cast<std::uint8_t*>(view.data),
                 static_cast<std::size_t>(view.stride));
}

cv::Mat to_bgr(const FrameView& view)
{
  cv::Mat borrowed = borrow_mat(view);
  if (borrowed.empty()) {
    return {};
  }
  cv::Mat bgr;
  switch (view.format) {
  case PixelFormat::lum8:
    cv::cvtColor(borrowed, bgr, cv::COLOR_GRAY2BGR);
    break;
  case PixelFormat::rgb8:
    cv::cvtColor(borrowed, bgr, cv::COLOR_RGB2BGR);
    break;
  case PixelFormat::bgr8:
    bgr = borrowed.clone();
    break;
  }
  return bgr;
}

cv::Mat to_grey(const FrameView& view)
{
  cv::Mat borrowed = borrow_mat(view);
  if (borrowed.empty()) {
    return {};
  }
  cv::Mat grey;
  switch (view.format) {
  case PixelFormat::lum8:
    grey = borrowed.clone();
    break;
  case PixelFormat::rgb8:
    cv::cvtColor(borrowed, grey, cv::COLOR_RGB2GRAY);
    break;
  case PixelFormat::bgr8:
    cv::cvtColor(borrowed, grey, cv::COLOR_BGR2GRAY);
    break;
  }
  return grey;
}

CapturedFrame to_frame(const cv::Mat& image)
{
  CapturedFrame frame;
  if (image.empty() || image.depth() != CV_8U) {
    return frame;
  }
  cv::Mat source = image;
  if (image.channels() == 4) {
    cv::cvtColor(image, source, cv::COLOR_BGRA2BGR);
  } else if (image.channels() != 1 && image.channels() != 3) {
    return frame;
  }
  frame.width = source.cols;
  frame.height = source.rows;
  frame.format = source.channels() == 1 ? PixelFormat::lum8 : PixelFormat::bgr8;
  frame.stride = source.cols * source.channels();
  frame.pixels.resize(static_cast<std::size_t>(frame.stride) * static_cast<std::size_t>(frame.height));
  for (int row = 0; row < source.rows; ++row) {
    const auto* begin = source.ptr<std::uint8_t>(row);
    std::copy(begin, begin + frame.stride, frame.pixels.begin() + static_cast<std::ptrdiff_t>(row) * frame.stride);
  }
  return frame;
}

} // namespace pickverify::vision
