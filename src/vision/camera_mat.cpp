#include "camera_mat.hpp"

#include <opencv2/imgproc.hpp>

namespace pickverify::camera_detail {

namespace {

int channels_of(PixelFormat format)
{
  return format == PixelFormat::lum8 ? 1 : 3;
}

} // namespace

bool is_usable(const FrameView& view)
{
  if (view.data == nullptr || view.width <= 0 || view.height <= 0) {
    return false;
  }
  const long long row_bytes = static_cast<long long>(view.width) * channels_of(view.format);
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

} // namespace pickverify::camera_detail
