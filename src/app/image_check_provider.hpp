// Where the station's image check comes from: the configured camera through the vision room, or
// nothing — then high-value orders stay blocked (fail closed).
#pragma once

#include <functional>
#include <string>

#include <pickverify/error.hpp>
#include <pickverify/image_check.hpp>

namespace pickverify::app {

struct Context;

struct ImageCheckProvider {
  std::string description;   // one line for the start-up banner: which camera, which calibration file
  std::function<Result<ImageCheckResult>(const ImageCheckRequest&)> run;
};

// For the demo: a folder of photos acting as the camera.
ImageCheckProvider make_image_check_provider(const Context& context);

} // namespace pickverify::app
