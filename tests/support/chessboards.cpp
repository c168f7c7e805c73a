// Chessboard photos rendered through a known camera (pinhole + k1 distortion), for calibration tests.
#include "chessboards.hpp"

#include <opencv2/calib3d.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace pickverify::test {

namespace {

const cv::Size k_frame(k_board_frame_width, k_board_frame_height);

cv::Mat camera_matrix()
{
  return (cv::Mat_<double>(3, 3) << k_fx, 0, k_cx, 0, k_fy, k_cy, 0, 0, 1);
}

cv::Mat distortion()
{
  return (cv::Mat_<double>(1, 5) << k_k1, 0, 0, 0, 0);
}

// The printed target: (cols+1)×(rows+1) squares with a one-square white border, 4 px per mm.
cv::Mat board_texture(double px_per_mm)
{
  const int squares_x = k_cols + 1;
  const int squares_y = k_rows + 1;
  const int side = static_cast<int>(k_square_mm * px_per_mm);
  cv::Mat texture((squares_y + 2) * side, (squares_x + 2) * side, CV_8UC1, cv::Scalar(235));
  for (int y = 0; y < squares_y; ++y) {
    for (int x = 0; x < squares_x; ++x) {
      if ((x + y) % 2 == 0) {
        cv::rectangle(texture, cv::Rect((x + 1) * side, (y + 1) * side, side, side), cv::Scalar(20), cv::FILLED);
      }
    }
  }
  return texture;
}

// Renders the board seen by the known camera, board origin (its first inner corner) at
// translation t, rotated by rvec; the distortion applied through an exact inverse map.
cv::Mat render(const BoardPose& pose)
{
  const double px_per_mm = 4;
  const cv::Mat texture = board_texture(px_per_mm);
  cv::Mat rotation;
  cv::Rodrigues(cv::Vec3d(pose.rvec[0], pose.rvec[1], pose.rvec[2]), rotation);
  // texture pixel → board mm (the first inner corner is two squares in from the texture's corner)
  const double offset = 2 * k_square_mm;
  const cv::Mat texture_to_board =
      (cv::Mat_<double>(3, 3) << 1 / px_per_mm, 0, -offset, 0, 1 / px_per_mm, -offset, 0, 0, 1);
  cv::Mat extrinsic(3, 3, CV_64F);
  rotation.col(0).copyTo(extrinsic.col(0));
  rotation.col(1).copyTo(extrinsic.col(1));
  cv::Mat(cv::Vec3d(pose.t[0], pose.t[1], pose.t[2])).copyTo(extrinsic.col(2));
  const cv::Mat homography = camera_matrix() * extrinsic * texture_to_board;

  cv::Mat ideal;
  cv::warpPerspective(texture, ideal, homography, k_frame, cv::INTER_AREA, cv::BORDER_CONSTANT, cv::Scalar(120));

  // For each pixel of the distorted frame, where it comes from in the ideal one.
  std::vector<cv::Point2f> pixels;
  pixels.reserve(static_cast<std::size_t>(k_frame.area()));
  for (int y = 0; y < k_frame.height; ++y) {
    for (int x = 0; x < k_frame.width; ++x) {
      pixels.emplace_back(static_cast<float>(x), static_cast<float>(y));
    }
  }
  std::vector<cv::Point2f> sources;
  cv::undistortPoints(pixels, sources, camera_matrix(), distortion(), cv::noArray(), camera_matrix(),
                      cv::TermCriteria(cv::TermCriteria::COUNT | cv::TermCriteria::EPS, 20, 1e-6));
  cv::Mat map(k_frame, CV_32FC2, sources.data());
  cv::Mat distorted;
  cv::remap(ideal, distorted, map, cv::noArray(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(120));
  cv::GaussianBlur(distorted, distorted, cv::Size(3, 3), 0.6);
  return distorted;
}

} // namespace

std::vector<BoardPose> board_poses()
{
  const double w = (k_cols - 1) * k_square_mm;
  const double h = (k_rows - 1) * k_square_mm;
  return {
      {{0, 0, 0}, {-w / 2, -h / 2, 600}},
      {{0.35, 0, 0}, {-w / 2, -h / 2, 650}},
      {{-0.35, 0, 0}, {-w / 2, -h / 2, 620}},
      {{0, 0.4, 0}, {-w / 2 - 60, -h / 2, 640}},
      {{0, -0.4, 0}, {-w / 2 + 60, -h / 2, 600}},
      {{0.25, 0.25, 0.2}, {-w / 2 - 120, -h / 2 - 90, 700}},
      {{-0.25, 0.3, -0.15}, {-w / 2 + 120, -h / 2 + 90, 680}},
      {{0.3, -0.3, 0.1}, {-w / 2 + 150, -h / 2 - 110, 720}},
      {{-0.2, -0.25, 0.3}, {-w / 2 - 150, -h / 2 + 110, 660}},
  };
}

std::filesystem::path write_boards(const std::filesystem::path& dir)
{
  const auto folder = dir / "boards";
  std::filesystem::create_directories(folder);
  int index = 0;
  for (const BoardPose& pose : board_poses()) {
    write_board_image(folder / ("board_" + std::to_string(index++) + ".png"), pose);
  }
  return folder;
}

void write_board_image(const std::filesystem::path& file, const BoardPose& pose)
{
  cv::imwrite(file.string(), render(pose));
}

void write_blank_image(const std::filesystem::path& file)
{
  cv::imwrite(file.string(), cv::Mat(k_frame, CV_8UC1, cv::Scalar(128)));
}

} // namespace pickverify::test
