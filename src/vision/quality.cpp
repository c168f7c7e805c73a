// The image check's quality gate: is the photo sharp and exposed well enough to judge?
#include <pickverify/frame_quality.hpp>

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "frame_mat.hpp"
#include "quality.hpp"

namespace pickverify {

namespace {

constexpr int k_tile = 64; // px; sharpness is judged where the frame is sharpest
constexpr int k_overexposed_level = 250;

} // namespace

namespace vision {

FrameQuality measure_grey(const cv::Mat& grey)
{
  FrameQuality quality;
  if (grey.empty()) {
    return quality;
  }
  std::array<double, 256> histogram{};
  for (int row = 0; row < grey.rows; ++row) {
    const auto* p = grey.ptr<std::uint8_t>(row);
    for (int col = 0; col < grey.cols; ++col) {
      histogram[p[col]] += 1;
    }
  }
  const double total = static_cast<double>(grey.total());
  double sum = 0;
  double cumulative = 0;
  bool dark_set = false;
  bool bright_set = false;
  for (int level = 0; level < 256; ++level) {
    sum += level * histogram[static_cast<std::size_t>(level)];
    cumulative += histogram[static_cast<std::size_t>(level)];
    if (!dark_set && cumulative >= 0.05 * total) {
      quality.dark_percentile = level;
      dark_set = true;
    }
    if (!bright_set && cumulative >= 0.95 * total) {
      quality.bright_percentile = level;
      bright_set = true;
    }
    if (level >= k_overexposed_level) {
      quality.overexposed_fraction += histogram[static_cast<std::size_t>(level)] / total;
    }
  }
  quality.brightness = sum / total;

  // A light Gaussian first, so sensor noise in a blurred photo does not pass for detail; then the
  // variance of the Laplacian per tile, and the sharpest tile decides: a pack is mostly plain
  // cardboard, and the labels are what must be sharp.
  cv::Mat smoothed;
  cv::GaussianBlur(grey, smoothed, cv::Size(3, 3), 0.8);
  cv::Mat laplacian;
  cv::Laplacian(smoothed, laplacian, CV_32F);
  double best = 0;
  for (int y = 0; y < laplacian.rows; y += k_tile) {
    for (int x = 0; x < laplacian.cols; x += k_tile) {
      const cv::Rect tile(x, y, std::min(k_tile, laplacian.cols - x), std::min(k_tile, laplacian.rows - y));
      if (tile.width < k_tile / 2 || tile.height < k_tile / 2) {
        continue;
      }
      cv::Scalar mean;
      cv::Scalar stddev;
      cv::meanStdDev(laplacian(tile), mean, stddev);
      best = std::max(best, stddev[0] * stddev[0]);
    }
  }
  if (best == 0 && laplacian.total() > 0) { // a frame smaller than a tile
    cv::Scalar mean;
    cv::Scalar stddev;
    cv::meanStdDev(laplacian, mean, stddev);
    best = stddev[0] * stddev[0];
  }
  quality.sharpness = best;
  return quality;
}

} // namespace vision

Result<FrameQuality> measure_quality(const FrameView& frame, const PixelRect& area)
{
  cv::Mat grey = vision::to_grey(frame);
  if (grey.empty()) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("unusable frame ({}x{}, stride {})", frame.width, frame.height, frame.stride));
  }
  if (!area.empty()) {
    const cv::Rect roi = cv::Rect(area.x, area.y, area.width, area.height) & cv::Rect(0, 0, grey.cols, grey.rows);
    if (roi.empty()) {
      return make_error(ErrorType::invalid_input, "the pack area lies outside the frame");
    }
    grey = grey(roi);
  }
  return vision::measure_grey(grey);
}

std::string quality_problem(const FrameQuality& q, const QualityThresholds& t)
{
  if (q.brightness < t.min_brightness) {
    return fmt::format("photo too dark (brightness {:.0f}, needs {:.0f}): switch on the bench light and take it again",
                       q.brightness, t.min_brightness);
  }
  if (q.brightness > t.max_brightness || q.overexposed_fraction > t.max_overexposed_fraction) {
    return fmt::format("photo over-exposed ({:.0f}% of it is white): move the items out of the glare and take it again",
                       100.0 * q.overexposed_fraction);
  }
  if (q.sharpness < t.min_sharpness) {
    return fmt::format("photo too blurred (sharpness {:.0f}, needs {:.0f}): hold still and take it again", q.sharpness,
                       t.min_sharpness);
  }
  return {};
}

} // namespace pickverify
