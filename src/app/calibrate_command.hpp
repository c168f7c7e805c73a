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
  std::string station;                              // required: names <output_dir>/<station>.yaml
  std::filesystem::path images;                     // a folder of chessboard images, or
  std::optional<CameraConfig> camera;               // a camera to take frames from
  std::filesystem::path output_dir = "calibration"; // the CLI's default: <data-dir>/calibration
  // The output is where the station looks first (the CLI's default): the summary says so; else it
  // says how to point the station at the file.
  bool read_by_station = false;
  ChessboardSpec board;
  std::optional<PixelRect> pack_area;
  int camera_frames = 15;
};

// 0: written; 1: calibration failed (err says why); 2: bad options.
int run_calibrate_command(const CalibrateOptions& options, std::ostream& out, std::ostream& err);

} // namespace pickverify::app
