// Where a found symbol lies, so it can be painted over (letting the single-result reader find the
// next one) and told apart from a second label with the same text.
#pragma once

#include <opencv2/core.hpp>

#include <array>
#include <optional>
#include <vector>

namespace pickverify::vision {

using Quad = std::array<cv::Point2f, 4>; // top-left, top-right, bottom-right, bottom-left

// ZXing reports a 1D symbol as the scan line(s) that crossed it. This follows the bars up and down
// (or left and right) from that line while neighbouring rows keep the same pattern, and returns the
// whole bar area. grey is the image the line was found in.
Quad trace_linear_symbol(const cv::Mat& grey, const Quad& scan_line);

// Fills the quad, grown by margin pixels, with the light (paper) tone around it.
void paint_over(cv::Mat& grey, const Quad& quad, float margin);

// A region that looks like a barcode (dense strong edges) and the centre of its edge energy, which
// lies on the symbol itself rather than on the label's paper edges around it.
struct Candidate {
  cv::Rect box;
  cv::Point2f centre;
};

// Candidates largest first, in grey's pixels. Found symbols have been painted over by then, so they
// do not come back.
std::vector<Candidate> find_candidate_regions(const cv::Mat& grey, int max_regions);

// The direction across the bars (degrees, counter-clockwise from the x axis, in [-90, 90)) when the
// region is dominated by parallel edges as a 1D symbol is; nothing for matrix codes, text, texture.
std::optional<double> dominant_bar_angle(const cv::Mat& grey);

cv::Point2f centre_of(const Quad& quad);
bool contains(const Quad& quad, cv::Point2f point, float margin);

} // namespace pickverify::vision
