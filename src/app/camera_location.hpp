// A camera named in the configuration → the vision room's camera settings.
#pragma once

#include <string>

#include <pickverify/camera.hpp>

namespace pickverify::app {

// "v4l2:", "folder:", "file:" and "url:" name the kind; a bare location is recognised by its form
// (/dev/video* or a number, a URL, an existing folder, else a video file).
CameraConfig camera_config_from(const std::string& location);

} // namespace pickverify::app
