// Camera calibration for a pack station: intrinsics and distortion from chessboard images, the
// scale at the pack plane, the smallest barcode module the camera resolves there, the pack area,
// and the thresholds of the image check's quality gate. Stored as OpenCV YAML in
// calibration/<station>.yaml; calibration/uncalibrated.yaml is the fallback (the caller logs which
// file it used). No OpenCV type appears here.
#pragma once

#include <array>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <pickverify/camera.hpp>
#include <pickverify/error.hpp>

namespace pickverify {

// A rectangle in (undistorted) frame pixels. Empty means "the whole frame".
struct PixelRect {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
  bool empty() const { return width <= 0 || height <= 0; }
};

// The quality gate: a photo outside these is "retake", not a failure.
struct QualityThresholds {
  double min_sharpness = 150.0; // variance of the Laplacian in the sharpest 64-px tile
  double min_brightness = 45.0; // mean grey level, 0–255
  double max_brightness = 225.0;
  double max_overexposed_fraction = 0.25; // share of pixels at 250 or above
};

struct Calibration {
  std::string station;
  bool calibrated = false; // false: no intrinsics; the image check neither undistorts nor scales
  std::string created_utc; // "2026-11-26T15:40:00Z"
  int image_width = 0;     // frame size the intrinsics belong to
  int image_height = 0;
  std::array<double, 9> camera_matrix{}; // row-major 3×3: fx 0 cx / 0 fy cy / 0 0 1
  std::vector<double> distortion;        // k1 k2 p1 p2 k3 (OpenCV order)
  double reprojection_error_px = 0;      // rms over all corners
  int images_used = 0;
  double square_mm = 0;  // the board the figures come from
  int board_columns = 0; // inner corners per row
  int board_rows = 0;
  double pixels_per_mm = 0; // at the pack plane (the board lying flat)
  double min_module_mm = 0; // smallest barcode module resolved there (k_pixels_per_module px)
  PixelRect pack_area;      // in undistorted frame pixels; empty: the whole frame
  QualityThresholds quality;
};

// Pixels per module a decoder needs to read a barcode reliably; min_module_mm uses it.
inline constexpr double k_pixels_per_module = 2.0;

// Reads or writes one calibration file (OpenCV YAML). A file that does not parse, or holds values
// out of range, is an error naming the file and the key.
Result<Calibration> read_calibration(const std::filesystem::path& file);
Result<void> write_calibration(const Calibration& calibration, const std::filesystem::path& file);

struct LoadedCalibration {
  Calibration calibration;
  std::filesystem::path file; // the file actually read; empty when the built-in defaults were used
  bool fallback = false;      // true: the station has no calibration of its own
  std::string note;           // what a log line should say: "calibration: using … (station s1 has none)"
};

// calibration_dir/<station>.yaml, else calibration_dir/uncalibrated.yaml, else built-in defaults.
// A station file that exists but is broken is an error, never silently replaced.
Result<LoadedCalibration> load_station_calibration(const std::filesystem::path& calibration_dir,
                                                   const std::string& station);

struct ChessboardSpec {
  int inner_columns = 9; // inner corners along a row
  int inner_rows = 6;
  double square_mm = 25.0;
};

struct CalibrationSettings {
  std::string station;
  ChessboardSpec board;
  int min_images = 5;                 // fewer boards found than this is an error
  int camera_frames = 15;             // frames with a board to collect from a camera
  int camera_max_grabs = 600;         // give up on a camera after this many frames
  int camera_frame_stride = 10;       // use every n-th frame from a camera, so the poses differ
  std::optional<PixelRect> pack_area; // fixed pack area; default: the reference board plus the margin
  double pack_margin_mm = 100.0;
  double sharpness_fraction = 0.3; // min_sharpness = this × the median board image's sharpness
};

struct CalibrationProgress {
  enum class Stage { reading, detecting, solving, done };
  Stage stage = Stage::reading;
  int index = 0; // image or frame index, from 1
  int total = 0; // images in the folder (0 for a camera: unknown)
  int boards_found = 0;
  std::string item;         // the file name, or "frame 17"
  bool board_found = false; // for Stage::detecting
};

using CalibrationProgressFn = std::function<void(const CalibrationProgress&)>;

// From every image in a folder (name order). Images without a board are skipped and reported.
Result<Calibration> calibrate_from_folder(const std::filesystem::path& folder, const CalibrationSettings& settings,
                                          const CalibrationProgressFn& progress = {});

// From frames of a camera, someone moving the board under it.
Result<Calibration> calibrate_from_camera(CameraSource& camera, const CalibrationSettings& settings,
                                          const CalibrationProgressFn& progress = {});

// From frames already in memory.
Result<Calibration> calibrate_from_frames(const std::vector<CapturedFrame>& frames, const CalibrationSettings& settings,
                                          const CalibrationProgressFn& progress = {});

// Refuses a board that cannot be detected unambiguously or too few images, before any image is read.
Result<void> check_calibration_settings(const CalibrationSettings& settings);

// A station name usable as a file name: letters, digits, '-', '_', '.', not starting with '.'.
bool is_valid_station_name(const std::string& station);

} // namespace pickverify
