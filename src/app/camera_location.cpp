#include "camera_location.hpp"

namespace pickverify::app {

CameraConfig camera_config_from(const std::string& location)
{
  const auto colon = location.find(':');
  const std::string prefix = colon == std::string::npos ? std::string{} : location.substr(0, colon);
  const std::string rest = colon == std::string::npos ? location : location.substr(colon + 1);
  struct Prefix {
    const char* name;
    CameraKind kind;
  };
  for (const Prefix& known : {Prefix{"v4l2", CameraKind::v4l2}, Prefix{"folder", CameraKind::image_folder},
                              Prefix{"file", CameraKind::video_file}, Prefix{"url", CameraKind::stream}}) {
    if (prefix == known.name) {
      CameraConfig config = camera_config_for(rest);
      config.kind = known.kind;
      return config;
    }
  }
  return camera_config_for(location);
}

} // namespace pickverify::app
