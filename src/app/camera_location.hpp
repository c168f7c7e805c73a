// A camera named in the configuration → the vision room's camera settings.
#pragma once

#ifdef PICKVERIFY_HAVE_vision
#include <string>

#include <pickverify/camera.hpp>

namespace pickverify::app {

// "v4l2:", "folder:", "file:" and "url:" name the kind; a bare location is recognised by its form
// (/dev/video* or a number, a URL, an existing folder, else a video file).
pickverify::CameraConfig camera_config_from(const std::string& location);

} // namespace pickverify::app
#endif
