// `pickverify calibrate --station S (--images DIR | --camera LOCATION)`: the command's options and
// its entry point, tested in-process with string streams.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

#include <pickverify/calibration.hpp>
#include <pickverify/camera.hpp>

namespace pickverify::app {

struct CalibrateOptions {
  std::string station;                // required: names calibration/<station>.yaml
  std::filesystem::path images;       // a folder of chessboard images, or
  std::optional<CameraConfig> camera; // a camera to take frames from
  std::filesystem::path output_dir = "calibration";
  ChessboardSpec board;
  std::optional<PixelRect> pack_area;
  int camera_frames = 15;
};

// 0: written; 1: calibration failed (err says why); 2: bad options.
int run_calibrate_command(const CalibrateOptions& options, std::ostream& out, std::ostream& err);

} // namespace pickverify::app
