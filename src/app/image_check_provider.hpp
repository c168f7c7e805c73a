// Where the station's image check comes from: the configured camera through the vision room, or
// nothing — then high-value orders stay blocked (fail closed).
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include <pickverify/error.hpp>
#include <pickverify/image_check_request.hpp>
#include <pickverify/image_check_result.hpp>

namespace pickverify::app {

struct Context;

struct ImageCheckProvider {
  std::string description; // one line for the start-up banner: which camera, which calibration file
  std::function<Result<ImageCheckResult>(const ImageCheckRequest&)> run;
};

// The station's camera from the configuration ([camera] source), calibrated from
// calibration/<station>.yaml (else uncalibrated.yaml); evidence goes to <data-dir>/evidence.
ImageCheckProvider make_image_check_provider(const Context& context);

// A camera at `location` (device, stream URL, video file or image folder) for one station.
ImageCheckProvider make_camera_provider(const Context& context, const std::string& location,
                                        const std::string& station);

// The folder with the demo's data: $PICKVERIFY_DEMO_DIR, else demo/ in the source tree.
std::filesystem::path demo_dir();

// calibration/ in the source tree, unless the configuration names a file.
std::filesystem::path calibration_dir();

} // namespace pickverify::app
