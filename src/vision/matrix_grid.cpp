// How read_fine_datamatrix works: the crop is magnified 4x, thresholded against its neighbourhood
// and closed, so a symbol becomes one square blob; its convex outline gives four corners. First the
// outline is turned upright and handed to ZXing (its detector then sees a large, square symbol).
// Then, for each square size that fits, a grid is laid over the outline (turned so the darkest
// neighbouring sides are the finder L), its corners moved while the contrast of the timing pattern
// and of the L against the quiet zone grows, each module sampled at its centre, thresholded (Otsu,
// with and without a little module-level sharpening), and the clean grid is read by ZXing: its
// Reed-Solomon decoding accepts only samples that are a valid symbol of that size.
#include "matrix_grid.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace pickverify::vision {

namespace {

// The crop is looked at this many times magnified: a module of 1.2 px becomes about 5 px.
constexpr double k_magnify = 4.0;
// Square ECC 200 sizes tried (modules per side, finder and timing included).
constexpr int k_sizes[] = {10, 12, 14, 16, 18, 20, 22, 24, 26, 32};
// Module sizes (pixels of the crop) a grid may have.
constexpr double k_min_module = 1.0;
constexpr double k_max_module = 2.2;
// Pixels per module and quiet modules of the clean symbol handed to ZXing.
constexpr int k_render_module = 5;
constexpr int k_render_quiet = 3;

using Quad4 = std::array<cv::Point2f, 4>;

float bilinear(const cv::Mat& image, cv::Point2f p)
{
  const float x = std::clamp(p.x, 0.0F, static_cast<float>(image.cols - 1));
  const float y = std::clamp(p.y, 0.0F, static_cast<float>(image.rows - 1));
  const int x0 = std::min(static_cast<int>(x), image.cols - 2);
  const int y0 = std::min(static_cast<int>(y), image.rows - 2);
  const float fx = x - static_cast<float>(x0);
  const float fy = y - static_cast<float>(y0);
  const auto at = [&](int yy, int xx) { return static_cast<float>(image.at<std::uint8_t>(yy, xx)); };
  return (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) +
         fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
}

// Corners of a four-sided outline, clockwise on screen from the one nearest the top-left.
std::optional<Quad4> outline_quad(const std::vector<cv::Point>& contour)
{
  std::vector<cv::Point> hull;
  cv::convexHull(contour, hull);
  const double perimeter = cv::arcLength(hull, true);
  std::vector<cv::Point> poly;
  for (double eps = 0.02; eps <= 0.1; eps += 0.01) {
    cv::approxPolyDP(hull, poly, eps * perimeter, true);
    if (poly.size() <= 4) {
      break;
    }
  }
  Quad4 quad;
  if (poly.size() == 4 && cv::isContourConvex(poly)) {
    for (std::size_t k = 0; k < 4; ++k) {
      quad[k] = cv::Point2f(static_cast<float>(poly[k].x), static_cast<float>(poly[k].y));
    }
  } else {
    cv::Point2f box[4];
    cv::minAreaRect(hull).points(box);
    std::copy(box, box + 4, quad.begin());
  }
  cv::Point2f centre(0, 0);
  for (const auto& p : quad) {
    centre += p * 0.25F;
  }
  std::sort(quad.begin(), quad.end(), [&](const cv::Point2f& a, const cv::Point2f& b) {
    return std::atan2(a.y - centre.y, a.x - centre.x) < std::atan2(b.y - centre.y, b.x - centre.x);
  });
  // Outline pixels are the outermost dark pixels' centres: the edge lies half a pixel further out.
  for (auto& p : quad) {
    const cv::Point2f out = p - centre;
    const float length = std::hypot(out.x, out.y);
    if (length > 0) {
      p += out * (0.7F / length);
    }
  }
  return quad;
}

// Otsu's threshold of a few values.
float otsu(std::vector<float> values)
{
  std::sort(values.begin(), values.end());
  const std::size_t count = values.size();
  std::vector<double> prefix(count + 1, 0.0);
  for (std::size_t i = 0; i < count; ++i) {
    prefix[i + 1] = prefix[i] + values[i];
  }
  double best = -1;
  float threshold = values[count / 2];
  for (std::size_t i = 1; i < count; ++i) {
    const double w0 = static_cast<double>(i);
    const double w1 = static_cast<double>(count - i);
    const double m0 = prefix[i] / w0;
    const double m1 = (prefix[count] - prefix[i]) / w1;
    const double between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (between > best) {
      best = between;
      threshold = (values[i - 1] + values[i]) / 2.0F;
    }
  }
  return threshold;
}

std::optional<ZxingRead> read_grid(const std::vector<std::uint8_t>& dark, int n)
{
  const int side = (n + 2 * k_render_quiet) * k_render_module;
  cv::Mat clean(side, side, CV_8UC1, cv::Scalar(255));
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      if (dark[static_cast<std::size_t>(y * n + x)] != 0) {
        clean(cv::Rect((x + k_render_quiet) * k_render_module, (y + k_render_quiet) * k_render_module, k_render_module,
                       k_render_module))
            .setTo(0);
      }
    }
  }
  return read_one(clean, static_cast<std::uint32_t>(BarcodeFormat::datamatrix), false);
}

// Centre of module (x, y) of an n x n grid whose outline is quad (clockwise from the grid's top-left).
cv::Point2f module_centre(const cv::Matx33d& h, double x, double y)
{
  const cv::Vec3d p = h * cv::Vec3d(x, y, 1.0);
  return {static_cast<float>(p[0] / p[2]), static_cast<float>(p[1] / p[2])};
}

cv::Matx33d grid_to_image(const Quad4& quad, int n)
{
  const float side = static_cast<float>(n);
  const std::array<cv::Point2f, 4> grid = {cv::Point2f(0, 0), cv::Point2f(side, 0), cv::Point2f(side, side),
                                           cv::Point2f(0, side)};
  return cv::getPerspectiveTransform(grid.data(), quad.data());
}

// ECC 200's finder L (left column and bottom row dark) and timing (top row dark at even x, right
// column dark at odd y): how much darker the modules meant dark sample than those meant light.
double finder_contrast(const cv::Mat& image, const Quad4& quad, int n)
{
  const cv::Matx33d h = grid_to_image(quad, n);
  const auto v = [&](double x, double y) {
    return static_cast<double>(bilinear(image, module_centre(h, x + 0.5, y + 0.5)));
  };
  double score = 0;
  for (int i = 1; i + 1 < n; ++i) {
    // Timing: each module against its two neighbours, light where i is odd on the top row, even
    // on the right column.
    const double sign_top = i % 2 == 1 ? 1.0 : -1.0;
    score += sign_top * (v(i, 0) - (v(i - 1, 0) + v(i + 1, 0)) / 2);
    score += -sign_top * (v(n - 1, i) - (v(n - 1, i - 1) + v(n - 1, i + 1)) / 2);
    // The L against the quiet zone beyond it.
    score += v(-1, i) - v(0, i);
    score += v(i, n) - v(i, n - 1);
  }
  return score / (4.0 * (n - 2));
}

// The finder L alone (left column and bottom row against the quiet zone beyond them and the
// modules inside them): how the outline is turned.
double finder_l_contrast(const cv::Mat& image, const Quad4& quad, int n)
{
  const cv::Matx33d h = grid_to_image(quad, n);
  const auto v = [&](double x, double y) {
    return static_cast<double>(bilinear(image, module_centre(h, x + 0.5, y + 0.5)));
  };
  double score = 0;
  for (int i = 1; i + 1 < n; ++i) {
    score += v(-1, i) - 2 * v(0, i) + v(1, i);
    score += v(i, n) - 2 * v(i, n - 1) + v(i, n - 2);
  }
  return score;
}

// The quad moved corner by corner while the finder's contrast grows.
Quad4 fit_finder(const cv::Mat& image, Quad4 quad, int n, double& contrast)
{
  contrast = finder_contrast(image, quad, n);
  for (const float step : {2.0F, 1.0F, 0.5F}) {
    for (int round = 0; round < 3; ++round) {
      bool moved = false;
      for (std::size_t k = 0; k < 4; ++k) {
        for (const cv::Point2f d :
             {cv::Point2f(step, 0), cv::Point2f(-step, 0), cv::Point2f(0, step), cv::Point2f(0, -step)}) {
          Quad4 trial = quad;
          trial[k] += d;
          const double c = finder_contrast(image, trial, n);
          if (c > contrast) {
            contrast = c;
            quad = trial;
            moved = true;
          }
        }
      }
      if (!moved) {
        break;
      }
    }
  }
  return quad;
}

// The n x n grid over quad (already fitted, clockwise from the grid's top-left), sampled,
// thresholded between the finder's dark and light modules, and read.
std::optional<ZxingRead> read_fitted(const cv::Mat& image, const Quad4& quad, int n, float sharpen, float bias)
{
  const cv::Matx33d h = grid_to_image(quad, n);
  std::vector<float> values(static_cast<std::size_t>(n * n));
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      values[static_cast<std::size_t>(y * n + x)] = bilinear(image, module_centre(h, x + 0.5, y + 0.5));
    }
  }
  if (sharpen > 0) {
    std::vector<float> sharp(values.size());
    for (int y = 0; y < n; ++y) {
      for (int x = 0; x < n; ++x) {
        float sum = 0;
        int count = 0;
        for (const auto& [dx, dy] : {std::pair{1, 0}, std::pair{-1, 0}, std::pair{0, 1}, std::pair{0, -1}}) {
          const int xx = x + dx;
          const int yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < n && yy < n) {
            sum += values[static_cast<std::size_t>(yy * n + xx)];
            ++count;
          }
        }
        const float v = values[static_cast<std::size_t>(y * n + x)];
        sharp[static_cast<std::size_t>(y * n + x)] = v + sharpen * (v - sum / static_cast<float>(count));
      }
    }
    values = std::move(sharp);
  }
  const float threshold = otsu(values) + bias;
  std::vector<std::uint8_t> dark(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    dark[i] = values[i] < threshold ? 1 : 0;
  }
  // The finder and timing as they must be: the decoder's detector wants them clean.
  for (int i = 0; i < n; ++i) {
    dark[static_cast<std::size_t>(i * n)] = 1;
    dark[static_cast<std::size_t>((n - 1) * n + i)] = 1;
    dark[static_cast<std::size_t>(i)] = i % 2 == 0 ? 1 : 0;
    dark[static_cast<std::size_t>(i * n + n - 1)] = i % 2 == 1 ? 1 : 0;
  }
  return read_grid(dark, n);
}

// The outline turned square and upright with a margin, as it is and sharpened, each read by ZXing's
// own detector with both binarizers; corners in the crop's pixels.
std::optional<ZxingRead> read_upright(const cv::Mat& big, const Quad4& quad, bool quick)
{
  constexpr float k_out = 240.0F;
  constexpr float k_margin = 30.0F;
  const std::array<cv::Point2f, 4> square = {cv::Point2f(k_margin, k_margin), cv::Point2f(k_out - k_margin, k_margin),
                                             cv::Point2f(k_out - k_margin, k_out - k_margin),
                                             cv::Point2f(k_margin, k_out - k_margin)};
  const cv::Matx33d to_square = cv::getPerspectiveTransform(quad.data(), square.data());
  cv::Mat upright;
  cv::warpPerspective(big, upright, to_square, cv::Size(static_cast<int>(k_out), static_cast<int>(k_out)),
                      cv::INTER_CUBIC, cv::BORDER_REPLICATE);
  for (const bool sharpened : {false, true}) {
    if (quick && sharpened) {
      break;
    }
    cv::Mat pixels = upright;
    if (sharpened) {
      cv::Mat blurred;
      cv::GaussianBlur(upright, blurred, cv::Size(), 3.0);
      cv::addWeighted(upright, 2.0, blurred, -1.0, 0, pixels);
    }
    for (const Binarizer binarizer : {Binarizer::local_average, Binarizer::global_histogram}) {
      if (quick && binarizer != Binarizer::local_average) {
        break;
      }
      auto read = read_one(pixels, static_cast<std::uint32_t>(BarcodeFormat::datamatrix), true, binarizer);
      if (read) {
        const cv::Matx33d back = to_square.inv();
        for (auto& corner : read->corners) {
          const cv::Vec3d q = back * cv::Vec3d(corner.x, corner.y, 1.0);
          corner =
              cv::Point2f(static_cast<float>(q[0] / q[2] / k_magnify), static_cast<float>(q[1] / q[2] / k_magnify));
        }
        return read;
      }
    }
  }
  return std::nullopt;
}

} // namespace

std::optional<ZxingRead> read_fine_datamatrix(const cv::Mat& crop, bool quick)
{
  if (crop.type() != CV_8UC1 || crop.cols < 12 || crop.rows < 12 || crop.cols > 400 || crop.rows > 400) {
    return std::nullopt;
  }
  cv::Mat big;
  cv::resize(crop, big, cv::Size(), k_magnify, k_magnify, cv::INTER_CUBIC);
  // Dark against its neighbourhood, then closed so the modules of one symbol merge into one blob.
  double low = 0;
  double high = 0;
  cv::minMaxLoc(crop, &low, &high);
  if (high - low < 30) {
    return std::nullopt;
  }
  cv::Mat dark;
  cv::adaptiveThreshold(big, dark, 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY_INV, 41, (high - low) * 0.1);
  cv::morphologyEx(dark, dark, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(9, 9)));
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(dark, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  const double min_side = 10 * k_min_module * k_magnify;
  const double max_side = 32 * k_max_module * k_magnify;
  for (const auto& contour : contours) {
    const cv::RotatedRect box = cv::minAreaRect(contour);
    const double w = box.size.width;
    const double h = box.size.height;
    if (std::min(w, h) < min_side || std::max(w, h) > max_side || std::max(w, h) > 1.35 * std::min(w, h)) {
      continue;
    }
    // Light patches inside the symbol wider than the closing stay open: its hull is the outline.
    std::vector<cv::Point> hull;
    cv::convexHull(contour, hull);
    if (cv::contourArea(hull) < 0.8 * w * h) {
      continue;
    }
    cv::Mat inside = cv::Mat::zeros(dark.size(), CV_8UC1);
    cv::fillConvexPoly(inside, hull, cv::Scalar(255));
    const double filled = cv::countNonZero(inside);
    cv::bitwise_and(inside, dark, inside);
    if (filled <= 0 || cv::countNonZero(inside) < 0.45 * filled) {
      continue; // a ring: a label's edge, not a symbol
    }
    const auto quad = outline_quad(contour);
    if (!quad) {
      continue;
    }
    if (auto read = read_upright(big, *quad, quick)) {
      return read;
    }
    if (quick) {
      continue;
    }
    double perimeter = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const cv::Point2f d = (*quad)[k] - (*quad)[(k + 1) % 4];
      perimeter += std::hypot(d.x, d.y);
    }
    const double side = perimeter / 4.0 / k_magnify;
    cv::Mat smooth;
    cv::GaussianBlur(big, smooth, cv::Size(), 1.0);
    // The corner the finder L turns at is the grid's bottom-left: the two darkest neighbouring sides
    // against the light beyond them.
    Quad4 turned = *quad;
    double best_l = -1e9;
    for (std::size_t turn = 0; turn < 4; ++turn) {
      Quad4 trial;
      for (std::size_t k = 0; k < 4; ++k) {
        trial[k] = (*quad)[(k + turn) % 4];
      }
      const double l = finder_l_contrast(smooth, trial, 18);
      if (l > best_l) {
        best_l = l;
        turned = trial;
      }
    }
    for (const int n : k_sizes) {
      const double module = side / n;
      if (module < k_min_module || module > k_max_module) {
        continue;
      }
      double best = 0;
      const Quad4 best_quad = fit_finder(smooth, turned, n, best);
      for (const float sharpen : {0.0F, 0.6F}) {
        for (const float bias : {0.0F, -6.0F, 6.0F}) {
          auto read = read_fitted(big, best_quad, n, sharpen, bias);
          if (read) {
            for (std::size_t k = 0; k < 4; ++k) {
              read->corners[k] = best_quad[k] * static_cast<float>(1.0 / k_magnify);
            }
            return read;
          }
        }
      }
    }
  }
  return std::nullopt;
}

} // namespace pickverify::vision
