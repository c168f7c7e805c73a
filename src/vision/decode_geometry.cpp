#include "decode_geometry.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace pickverify::vision {

namespace {

// Neighbouring rows of one barcode differ by less than this share of the row's own contrast.
constexpr float k_row_similarity = 0.5F;
// A row with less contrast than this share of the scan line's is past the end of the bars.
constexpr float k_row_contrast = 0.4F;
// Rows that may fail the test (noise, a scratch) before the trace stops.
constexpr int k_row_misses = 3;
// How far one row's pattern may shift against the next (rotated symbols), in pixels.
constexpr int k_max_row_shift = 2;

float mean_abs_deviation(const std::uint8_t* p, int n)
{
  long sum = 0;
  for (int i = 0; i < n; ++i) {
    sum += p[i];
  }
  const float mean = static_cast<float>(sum) / static_cast<float>(n);
  float dev = 0;
  for (int i = 0; i < n; ++i) {
    dev += std::abs(static_cast<float>(p[i]) - mean);
  }
  return dev / static_cast<float>(n);
}

float mean_abs_difference(const std::uint8_t* a, const std::uint8_t* b, int n)
{
  long sum = 0;
  for (int i = 0; i < n; ++i) {
    sum += std::abs(static_cast<int>(a[i]) - static_cast<int>(b[i]));
  }
  return static_cast<float>(sum) / static_cast<float>(n);
}

struct RowExtent {
  int y = 0;
  int offset = 0; // horizontal drift of the pattern against the scan line
};

// Follows the bars of a horizontal scan line [x0, x0 + n) at row yc upwards (step -1) or downwards.
RowExtent follow_bars(const cv::Mat& img, int x0, int n, int yc, int step, int max_extent)
{
  const float reference_contrast = mean_abs_deviation(img.ptr<std::uint8_t>(yc) + x0, n);
  RowExtent last{yc, 0};
  int prev_y = yc;
  int prev_offset = 0;
  int misses = 0;
  for (int y = yc + step; y >= 0 && y < img.rows && std::abs(y - yc) <= max_extent; y += step) {
    const auto* prev = img.ptr<std::uint8_t>(prev_y) + x0 + prev_offset;
    float best = 1e9F;
    int best_shift = 0;
    for (int shift = -k_max_row_shift; shift <= k_max_row_shift; ++shift) {
      const int start = x0 + prev_offset + shift;
      if (start < 0 || start + n > img.cols) {
        continue;
      }
      const float diff = mean_abs_difference(prev, img.ptr<std::uint8_t>(y) + start, n);
      if (diff < best) {
        best = diff;
        best_shift = shift;
      }
    }
    bool same_bars = false;
    if (best < 1e9F) {
      const auto* row = img.ptr<std::uint8_t>(y) + x0 + prev_offset + best_shift;
      const float contrast = mean_abs_deviation(row, n);
      same_bars = contrast >= k_row_contrast * reference_contrast && best <= k_row_similarity * contrast;
    }
    if (same_bars) {
      prev_y = y;
      prev_offset += best_shift;
      last = {y, prev_offset};
      misses = 0;
    } else if (++misses > k_row_misses) {
      break;
    }
  }
  return last;
}

cv::Point2f normalized(cv::Point2f v)
{
  const float length = std::hypot(v.x, v.y);
  return length > 1e-6F ? v * (1.0F / length) : cv::Point2f(0, 0);
}

// Mean of |dx| + |dy| over each block x block tile (saturated to 255).
cv::Mat block_edge_energy(const cv::Mat& grey, int block)
{
  const int cols = (grey.cols - 1) / block;
  const int rows = (grey.rows - 1) / block;
  cv::Mat sums(rows, cols, CV_32S, cv::Scalar(0));
  for (int y = 0; y < rows * block; ++y) {
    const std::uint8_t* row = grey.ptr<std::uint8_t>(y);
    const std::uint8_t* below = grey.ptr<std::uint8_t>(y + 1);
    int* out = sums.ptr<int>(y / block);
    for (int bx = 0; bx < cols; ++bx) {
      int sum = 0;
      const int x0 = bx * block;
      for (int x = x0; x < x0 + block; ++x) {
        sum += std::abs(row[x] - row[x + 1]) + std::abs(row[x] - below[x]);
      }
      out[bx] += sum;
    }
  }
  cv::Mat blocks;
  sums.convertTo(blocks, CV_8U, 1.0 / (block * block));
  return blocks;
}

} // namespace

cv::Point2f centre_of(const Quad& quad)
{
  return (quad[0] + quad[1] + quad[2] + quad[3]) * 0.25F;
}

Quad trace_linear_symbol(const cv::Mat& grey, const Quad& scan_line)
{
  float min_x = scan_line[0].x;
  float max_x = min_x;
  float min_y = scan_line[0].y;
  float max_y = min_y;
  for (const auto& p : scan_line) {
    min_x = std::min(min_x, p.x);
    max_x = std::max(max_x, p.x);
    min_y = std::min(min_y, p.y);
    max_y = std::max(max_y, p.y);
  }
  const bool horizontal = (max_x - min_x) >= (max_y - min_y);
  const float length = std::max(max_x - min_x, max_y - min_y);
  const int reach = static_cast<int>(length * 2.0F) + 8;
  const cv::Rect bounds(0, 0, grey.cols, grey.rows);
  const cv::Rect around =
      cv::Rect(cv::Point(static_cast<int>(min_x) - reach, static_cast<int>(min_y) - reach),
               cv::Point(static_cast<int>(max_x) + reach + 1, static_cast<int>(max_y) + reach + 1)) &
      bounds;
  if (around.empty()) {
    return scan_line;
  }
  // Work on rows: a vertical scan line (a symbol read rotated) is traced in the transposed crop.
  cv::Mat img = horizontal ? grey(around) : cv::Mat(grey(around).t());
  auto to_img = [&](cv::Point2f p) {
    const cv::Point2f local = p - cv::Point2f(static_cast<float>(around.x), static_cast<float>(around.y));
    return horizontal ? local : cv::Point2f(local.y, local.x);
  };
  auto from_img = [&](cv::Point2f p) {
    const cv::Point2f local = horizontal ? p : cv::Point2f(p.y, p.x);
    return local + cv::Point2f(static_cast<float>(around.x), static_cast<float>(around.y));
  };
  float x_lo = 1e9F;
  float x_hi = -1e9F;
  float y_sum = 0;
  for (const auto& p : scan_line) {
    const auto q = to_img(p);
    x_lo = std::min(x_lo, q.x);
    x_hi = std::max(x_hi, q.x);
    y_sum += q.y;
  }
  const int x0 = std::clamp(static_cast<int>(std::floor(x_lo)), 0, img.cols - 1);
  const int x1 = std::clamp(static_cast<int>(std::ceil(x_hi)), 0, img.cols - 1);
  const int yc = std::clamp(static_cast<int>(std::lround(y_sum / 4.0F)), 0, img.rows - 1);
  const int n = x1 - x0 + 1;
  if (n < 8) {
    return scan_line;
  }
  const int max_extent = n * 2;
  const auto top = follow_bars(img, x0, n, yc, -1, max_extent);
  const auto bottom = follow_bars(img, x0, n, yc, +1, max_extent);
  const auto fx = [](int v) { return static_cast<float>(v); };
  return {from_img({fx(x0 + top.offset), fx(top.y)}), from_img({fx(x1 + top.offset), fx(top.y)}),
          from_img({fx(x1 + bottom.offset), fx(bottom.y)}), from_img({fx(x0 + bottom.offset), fx(bottom.y)})};
}

void paint_over(cv::Mat& grey, const Quad& quad, float margin)
{
  cv::Point2f u = normalized(quad[1] - quad[0]);
  cv::Point2f v = normalized(quad[3] - quad[0]);
  if (u == cv::Point2f(0, 0) && v == cv::Point2f(0, 0)) {
    u = {1, 0};
  }
  if (v == cv::Point2f(0, 0)) {
    v = {-u.y, u.x};
  }
  if (u == cv::Point2f(0, 0)) {
    u = {v.y, -v.x};
  }
  const cv::Point2f grown[4] = {quad[0] - margin * u - margin * v, quad[1] + margin * u - margin * v,
                                quad[2] + margin * u + margin * v, quad[3] - margin * u + margin * v};
  cv::Point polygon[4];
  for (int i = 0; i < 4; ++i) {
    polygon[i] = cv::Point(static_cast<int>(std::lround(grown[i].x)), static_cast<int>(std::lround(grown[i].y)));
  }
  const cv::Rect box =
      cv::boundingRect(std::vector<cv::Point>(polygon, polygon + 4)) & cv::Rect(0, 0, grey.cols, grey.rows);
  if (box.empty()) {
    return;
  }
  // The paper tone: the mean of the brighter half of the area, so the patch does not stand out as an edge.
  const cv::Mat area = grey(box);
  const double mean = cv::mean(area)[0];
  const cv::Mat light = area >= mean;
  const double tone = cv::countNonZero(light) > 0 ? cv::mean(area, light)[0] : mean;
  cv::fillConvexPoly(grey, polygon, 4, cv::Scalar(tone));
}

bool contains(const Quad& quad, cv::Point2f point, float margin)
{
  std::vector<cv::Point2f> contour(quad.begin(), quad.end());
  return cv::pointPolygonTest(contour, point, true) >= -margin;
}

std::optional<double> dominant_bar_angle(const cv::Mat& grey)
{
  // The structure tensor of the gradients: parallel bars make it strongly one-directional.
  constexpr double k_min_coherence = 0.6;
  if (grey.cols < 8 || grey.rows < 8) {
    return std::nullopt;
  }
  cv::Mat gx;
  cv::Mat gy;
  cv::Sobel(grey, gx, CV_32F, 1, 0);
  cv::Sobel(grey, gy, CV_32F, 0, 1);
  const double jxx = gx.dot(gx);
  const double jyy = gy.dot(gy);
  const double jxy = gx.dot(gy);
  const double trace = jxx + jyy;
  if (trace <= 0) {
    return std::nullopt;
  }
  const double coherence = std::sqrt((jxx - jyy) * (jxx - jyy) + 4 * jxy * jxy) / trace;
  if (coherence < k_min_coherence) {
    return std::nullopt;
  }
  // Image rows grow downwards, so a positive image-space angle turns clockwise on screen.
  return -0.5 * std::atan2(2 * jxy, jxx - jyy) * 180.0 / CV_PI;
}

std::vector<Candidate> find_candidate_regions(const cv::Mat& grey, int max_regions)
{
  // Energy of edges per 8x8 block: bars and modules give dense strong edges; paper, walls and
  // gentle shading do not. Text does too, and only costs a wasted look.
  constexpr int k_block = 8;
  // A block is busy when its edge energy clearly exceeds the frame's typical block (sensor noise,
  // texture), and exceeds a floor so a clean flat frame does not turn its faint grain into regions.
  constexpr double k_min_block_energy = 14.0;
  constexpr double k_energy_over_typical = 2.5;
  std::vector<Candidate> regions;
  if (grey.cols < 2 * k_block || grey.rows < 2 * k_block || max_regions <= 0) {
    return regions;
  }
  // One pass, no full-size temporaries: this runs on every frame.
  cv::Mat blocks = block_edge_energy(grey, k_block);
  std::vector<std::uint8_t> values(blocks.begin<std::uint8_t>(), blocks.end<std::uint8_t>());
  if (values.empty()) {
    return regions;
  }
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2), values.end());
  const double typical = values[values.size() / 2];
  cv::Mat mask = blocks > std::max(k_min_block_energy, k_energy_over_typical * typical);
  cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));
  cv::Mat labels;
  cv::Mat stats;
  cv::Mat centroids;
  const int count = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
  // Energy-weighted centre of each component.
  std::vector<cv::Vec3d> moments(static_cast<std::size_t>(count), cv::Vec3d(0, 0, 0));
  for (int y = 0; y < labels.rows; ++y) {
    const int* label = labels.ptr<int>(y);
    const std::uint8_t* energy_row = blocks.ptr<std::uint8_t>(y);
    for (int x = 0; x < labels.cols; ++x) {
      if (label[x] > 0) {
        const double e = energy_row[x];
        moments[static_cast<std::size_t>(label[x])] += cv::Vec3d(e * (x + 0.5), e * (y + 0.5), e);
      }
    }
  }
  struct Scored {
    Candidate candidate;
    int area;
  };
  std::vector<Scored> found;
  for (int i = 1; i < count; ++i) {
    const int area = stats.at<int>(i, cv::CC_STAT_AREA);
    const int w = stats.at<int>(i, cv::CC_STAT_WIDTH);
    const int h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    if (area < 4 || w < 2 || h < 2) {
      continue; // under 16x16 pixels: nothing decodable
    }
    const cv::Rect rect(stats.at<int>(i, cv::CC_STAT_LEFT) * k_block, stats.at<int>(i, cv::CC_STAT_TOP) * k_block,
                        w * k_block, h * k_block);
    const auto& m = moments[static_cast<std::size_t>(i)];
    const cv::Point2f centre =
        m[2] > 0
            ? cv::Point2f(static_cast<float>(m[0] / m[2] * k_block), static_cast<float>(m[1] / m[2] * k_block))
            : cv::Point2f(static_cast<float>(rect.x + rect.width / 2), static_cast<float>(rect.y + rect.height / 2));
    found.push_back({{rect & cv::Rect(0, 0, grey.cols, grey.rows), centre}, area});
  }
  std::sort(found.begin(), found.end(), [](const Scored& a, const Scored& b) { return a.area > b.area; });
  for (const auto& scored : found) {
    if (static_cast<int>(regions.size()) >= max_regions) {
      break;
    }
    regions.push_back(scored.candidate);
  }
  return regions;
}

} // namespace pickverify::vision
