// `pickverify calibrate`: options checked, progress shown, the calibration file written and summed up.
#include "calibrate_command.hpp"

#include <ostream>

#include <fmt/format.h>

#include <pickverify/calibration.hpp>

namespace pickverify::app {

namespace fs = std::filesystem;

int run_calibrate_command(const CalibrateOptions& options, std::ostream& out, std::ostream& err)
{
  if (!is_valid_station_name(options.station)) {
    err << "calibrate: --station must name the station (letters, digits, '-', '_', '.'), got '" << options.station
        << "'\n";
    return 2;
  }
  if (options.images.empty() == !options.camera.has_value()) {
    err << "calibrate: give either a folder of chessboard images or a camera, not both or neither\n";
    return 2;
  }
  CalibrationSettings settings;
  settings.station = options.station;
  settings.board = options.board;
  settings.pack_area = options.pack_area;
  settings.camera_frames = options.camera_frames;
  if (auto ok = check_calibration_settings(settings); !ok) {
    err << "calibrate: " << ok.error().message << "\n";
    return 2;
  }

  auto show = [&out](const CalibrationProgress& p) {
    switch (p.stage) {
    case CalibrationProgress::Stage::reading:
      break;
    case CalibrationProgress::Stage::detecting:
      if (p.total > 0) {
        out << fmt::format("[{}/{}] {}: {} ({} so far)\n", p.index, p.total, p.item,
                           p.board_found ? "board found" : "no board", p.boards_found);
      } else if (p.board_found) {
        out << fmt::format("{}: board found ({} so far)\n", p.item, p.boards_found);
      }
      break;
    case CalibrationProgress::Stage::solving:
      out << fmt::format("solving with {} boards...\n", p.boards_found);
      break;
    case CalibrationProgress::Stage::done:
      break;
    }
    out.flush();
  };

  Result<Calibration> calibration = make_error(ErrorType::internal, "not run");
  if (options.camera) {
    auto camera = make_camera(*options.camera);
    out << fmt::format("calibrate: move the {}x{} board under camera {}\n", options.board.inner_columns,
                       options.board.inner_rows, camera->device_id());
    calibration = calibrate_from_camera(*camera, settings, show);
  } else {
    calibration = calibrate_from_folder(options.images, settings, show);
  }
  if (!calibration) {
    err << "calibrate: " << calibration.error().message << "\n";
    return 1;
  }
  const fs::path file = options.output_dir / (options.station + ".yaml");
  if (auto written = write_calibration(*calibration, file); !written) {
    err << "calibrate: " << written.error().message << "\n";
    err << "calibrate: the folder must be writable by this user; the installed calibration folder is not meant to be "
           "(the default, <data-dir>/calibration, is where the station looks first)\n";
    return 1;
  }
  const Calibration& c = *calibration;
  out << fmt::format("wrote {}\n", file.string());
  if (options.read_by_station) {
    out << fmt::format("  station {} reads it from there, before the shipped calibration folder\n", options.station);
  } else {
    out << fmt::format("  station {} reads <data-dir>/calibration/{}.yaml: copy it there, or name this file in the "
                       "configuration's [camera] calibration\n",
                       options.station, options.station);
  }
  out << fmt::format("  images used        : {}\n", c.images_used);
  out << fmt::format("  frame              : {}x{}\n", c.image_width, c.image_height);
  out << fmt::format("  focal length       : {:.1f} x {:.1f} px, centre ({:.1f}, {:.1f})\n", c.camera_matrix[0],
                     c.camera_matrix[4], c.camera_matrix[2], c.camera_matrix[5]);
  out << fmt::format("  reprojection error : {:.3f} px rms\n", c.reprojection_error_px);
  out << fmt::format("  scale at pack plane: {:.2f} px/mm\n", c.pixels_per_mm);
  out << fmt::format("  smallest module    : {:.3f} mm (EAN-13 at 100% is 0.33 mm)\n", c.min_module_mm);
  out << fmt::format("  pack area          : x {} y {} w {} h {}\n", c.pack_area.x, c.pack_area.y, c.pack_area.width,
                     c.pack_area.height);
  out << fmt::format("  min sharpness      : {:.0f}\n", c.quality.min_sharpness);
  if (c.reprojection_error_px > 1.0) {
    out << "warning: reprojection error above 1 px: check the target is flat and the photos are sharp, then "
           "recalibrate\n";
  }
  if (c.min_module_mm > 0.33) {
    out << "warning: the camera cannot resolve a standard EAN-13 module (0.33 mm) at the pack plane: move it closer or "
           "raise the resolution\n";
  }
  return 0;
}

} // namespace pickverify::app
