#include "image_check_provider.hpp"

#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "camera_location.hpp"
#include "commands.hpp"

#include <pickverify/calibration.hpp>
#include <pickverify/camera.hpp>
#include <pickverify/expected.hpp>
#include <pickverify/image_check_request.hpp>
#include <pickverify/image_check_result.hpp>
#include <pickverify/image_checker.hpp>
#include <pickverify/shipped_data.hpp>

namespace pickverify::app {

std::filesystem::path demo_dir()
{
  if (const char* dir = std::getenv("PICKVERIFY_DEMO_DIR"); dir && *dir) {
    return dir;
  }
  return shipped_data_dir() / "demo";
}

std::filesystem::path calibration_dir()
{
  if (const char* dir = std::getenv("PICKVERIFY_CALIBRATION_DIR"); dir && *dir) {
    return dir;
  }
  return shipped_data_dir() / "calibration";
}

std::filesystem::path operator_calibration_dir(const std::filesystem::path& data_dir)
{
  return data_dir / "calibration";
}

Result<LoadedCalibration> load_calibration_for(const std::filesystem::path& data_dir, const std::string& station)
{
  if (!is_valid_station_name(station)) {
    return make_error(ErrorType::invalid_input, fmt::format("station '{}' is not a valid name", station));
  }
  const std::filesystem::path own = operator_calibration_dir(data_dir) / (station + ".yaml");
  std::error_code ec;
  if (std::filesystem::exists(own, ec)) {
    auto calibration = read_calibration(own);
    if (!calibration) {
      return tl::unexpected(calibration.error().with_context("calibration of station " + station));
    }
    LoadedCalibration loaded;
    loaded.calibration = std::move(*calibration);
    loaded.file = own;
    loaded.note = fmt::format("calibration: using {} (written by pickverify calibrate; it comes before {})",
                              own.string(), (calibration_dir() / (station + ".yaml")).string());
    return loaded;
  }
  PV_TRY_ASSIGN(auto loaded, load_station_calibration(calibration_dir(), station));
  if (loaded.fallback) {
    loaded.note += fmt::format("; `pickverify calibrate --station {}` writes {}", station, own.string());
  }
  return loaded;
}

namespace {

ImageCheckProvider offline_provider(std::string description, std::string reason)
{
  ImageCheckProvider provider;
  provider.description = std::move(description);
  provider.run = [reason = std::move(reason)](const ImageCheckRequest&) -> Result<ImageCheckResult> {
    ImageCheckResult result;
    result.outcome = ImageCheckOutcome::offline;
    result.reason = reason;
    return result;
  };
  return provider;
}

} // namespace

ImageCheckProvider make_camera_provider(const Context& context, const std::string& location, const std::string& station)
{
  CameraConfig camera_config = camera_config_from(location);
  camera_config.width = context.config.camera.width;
  camera_config.height = context.config.camera.height;
  camera_config.fps = context.config.camera.fps;
  camera_config.loop = true;

  ImageCheckSettings settings;
  settings.data_dir = context.data_dir;
  std::string calibration_note;
  if (!context.config.camera.calibration.empty()) {
    auto calibration = read_calibration(context.config.camera.calibration);
    if (!calibration) {
      return offline_provider(fmt::format("camera: {} — calibration {} unusable: {}", location,
                                          context.config.camera.calibration, calibration.error().message),
                              "the camera's calibration file is unusable: the pack stays blocked; call a supervisor");
    }
    settings.calibration = *calibration;
    calibration_note = fmt::format("calibration: {}", context.config.camera.calibration);
  } else {
    auto loaded = load_calibration_for(context.data_dir, station);
    if (!loaded) {
      return offline_provider(fmt::format("camera: {} — calibration unusable: {}", location, loaded.error().message),
                              "the camera's calibration file is unusable: the pack stays blocked; call a supervisor");
    }
    settings.calibration = loaded->calibration;
    calibration_note = loaded->note;
  }
  auto camera = std::shared_ptr<CameraSource>(make_camera(camera_config));
  ImageCheckProvider provider;
  provider.description = fmt::format("camera: {} ({}); {}", location, camera->device_id(), calibration_note);
  provider.run = [camera, settings](const ImageCheckRequest& request) -> Result<ImageCheckResult> {
    return capture_and_check(*camera, request, settings);
  };
  return provider;
}

ImageCheckProvider make_image_check_provider(const Context& context)
{
  if (context.config.camera.source.empty()) {
    return offline_provider("camera: none configured — high-value orders cannot be released (fail closed)",
                            "no camera configured at this station: the pack stays blocked; call a supervisor");
  }
  return make_camera_provider(context, context.config.camera.source, context.config.station_id);
}

} // namespace pickverify::app
