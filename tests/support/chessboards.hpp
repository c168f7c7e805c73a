// Chessboard photos rendered through a known camera, so calibration tests can check that the maths
// recovers it. No OpenCV type appears here (the app's tests use it too).
#pragma once

#include <array>
#include <filesystem>
#include <vector>

namespace pickverify::test {

// The camera the photos are taken with, and the board.
inline constexpr double k_fx = 1000;
inline constexpr double k_fy = 1000;
inline constexpr double k_cx = 640;
inline constexpr double k_cy = 480;
inline constexpr double k_k1 = -0.12;
inline constexpr int k_board_frame_width = 1280;
inline constexpr int k_board_frame_height = 960;
inline constexpr double k_square_mm = 25;
inline constexpr int k_cols = 9; // inner corners
inline constexpr int k_rows = 6;

// The board's origin (its first inner corner) at translation t (mm), rotated by rvec (Rodrigues).
struct BoardPose {
  std::array<double, 3> rvec{};
  std::array<double, 3> t{};
};

// Nine poses; the first is the board flat under the camera at 600 mm: the pack plane.
std::vector<BoardPose> board_poses();

// <dir>/boards/board_<n>.png for every pose; returns the folder.
std::filesystem::path write_boards(const std::filesystem::path& dir);
void write_board_image(const std::filesystem::path& file, const BoardPose& pose);
// A grey frame of the same size with no board.
void write_blank_image(const std::filesystem::path& file);

} // namespace pickverify::test
