// Where the station's image check comes from: the configured camera through the vision room, or
// nothing — then high-value orders stay blocked (fail closed).
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include <pickverify/calibration.hpp>
#include <pickverify/error.hpp>
#include <pickverify/image_check_request.hpp>
#include <pickverify/image_check_result.hpp>

namespace pickverify::app {

struct Context;

struct ImageCheckProvider {
  std::string description; // one line for the start-up banner: which camera, which calibration file
  std::function<Result<ImageCheckResult>(const ImageCheckRequest&)> run;
};

// The station's camera from the configuration ([camera] source), calibrated as
// load_calibration_for says; evidence goes to <data-dir>/evidence.
ImageCheckProvider make_image_check_provider(const Context& context);

// A camera at `location` (device, stream URL, video file or image folder) for one station.
ImageCheckProvider make_camera_provider(const Context& context, const std::string& location,
                                        const std::string& station);

// The folder with the demo's data: $PICKVERIFY_DEMO_DIR, else demo/ in the source tree.
std::filesystem::path demo_dir();

// The shipped calibration folder (read-only when installed: /usr/share/pickverify/calibration), or
// $PICKVERIFY_CALIBRATION_DIR.
std::filesystem::path calibration_dir();

// Where `pickverify calibrate` writes the operator's calibration: <data_dir>/calibration, the
// writable data folder (an installed program's shipped folder is read-only and shared by packages).
std::filesystem::path operator_calibration_dir(const std::filesystem::path& data_dir);

// A station's calibration when the configuration names no file: the operator's
// <data_dir>/calibration/<station>.yaml when it exists (a broken one is an error, never skipped),
// else the shipped folder's <station>.yaml, else its uncalibrated.yaml, else built-in defaults.
Result<LoadedCalibration> load_calibration_for(const std::filesystem::path& data_dir, const std::string& station);

} // namespace pickverify::app
