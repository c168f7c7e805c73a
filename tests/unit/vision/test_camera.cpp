// Camera sources: the image folder (virtual camera), video files, and devices and streams that
// are not there — which must report offline, never throw.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include <pickverify/camera.hpp>

#include "temp_dir.hpp"

using namespace pickverify;
namespace fs = std::filesystem;

namespace {

int centre_grey(const CapturedFrame& frame)
{
  const int channels = frame.format == PixelFormat::lum8 ? 1 : 3;
  return frame.pixels[static_cast<std::size_t>(frame.height / 2 * frame.stride + frame.width / 2 * channels)];
}

CameraConfig folder_config(const fs::path& folder, bool loop)
{
  CameraConfig config;
  config.kind = CameraKind::image_folder;
  config.location = folder.string();
  config.loop = loop;
  return config;
}

} // namespace

TEST_CASE("make_camera image folder serves the images in name order, then goes offline", "[camera]")
{
  test::TempDir dir;
  cv::imwrite((dir / "b.png").string(), cv::Mat(48, 64, CV_8UC3, cv::Scalar(20, 20, 20)));
  cv::imwrite((dir / "a.png").string(), cv::Mat(48, 64, CV_8UC3, cv::Scalar(200, 200, 200)));
  cv::imwrite((dir / "c.jpg").string(), cv::Mat(30, 40, CV_8UC3, cv::Scalar(90, 90, 90)));
  std::ofstream(dir / "notes.txt") << "not an image";

  auto camera = make_camera(folder_config(dir.path(), false));
  CHECK(camera->status().state == CameraState::closed);
  auto first = camera->grab();
  REQUIRE(first);
  CHECK(camera->status().state == CameraState::online);
  CHECK(first->origin == "a.png");
  CHECK(first->width == 64);
  CHECK(first->height == 48);
  CHECK(first->format == PixelFormat::bgr8);
  CHECK(first->stride == 64 * 3);
  CHECK(first->sequence == 1);
  CHECK(centre_grey(*first) == 200);
  const FrameView view = first->view();
  CHECK(view.data == first->pixels.data());
  CHECK(view.width == 64);

  auto second = camera->grab();
  REQUIRE(second);
  CHECK(second->origin == "b.png");
  CHECK(second->sequence == 2);
  auto third = camera->grab();
  REQUIRE(third);
  CHECK(third->origin == "c.jpg");

  auto end = camera->grab();
  REQUIRE_FALSE(end);
  CHECK(end.error().type == ErrorType::device_offline);
  CHECK(camera->status().state == CameraState::offline);
  CHECK(camera->status().message.find("no more images") != std::string::npos);
}

TEST_CASE("make_camera image folder loops when asked", "[camera]")
{
  test::TempDir dir;
  cv::imwrite((dir / "only.png").string(), cv::Mat(10, 10, CV_8UC1, cv::Scalar(7)));
  auto camera = make_camera(folder_config(dir.path(), true));
  for (int i = 0; i < 5; ++i) {
    auto frame = camera->grab();
    REQUIRE(frame);
    CHECK(frame->origin == "only.png");
  }
  CHECK(camera->status().state == CameraState::online);
}

TEST_CASE("make_camera image folder that is empty or missing is offline, and recovers", "[camera]")
{
  test::TempDir dir;
  auto missing = make_camera(folder_config(dir / "nope", true));
  auto opened = missing->open();
  REQUIRE_FALSE(opened);
  CHECK(opened.error().type == ErrorType::device_offline);
  CHECK(missing->status().state == CameraState::offline);
  CHECK(missing->status().message.find("does not exist") != std::string::npos);

  fs::create_directories(dir / "empty");
  auto empty = make_camera(folder_config(dir / "empty", true));
  REQUIRE_FALSE(empty->grab());
  CHECK(empty->status().message.find("no images") != std::string::npos);

  // The camera comes back: the next grab opens it again.
  cv::imwrite((dir / "empty" / "now.png").string(), cv::Mat(10, 10, CV_8UC3, cv::Scalar(1, 2, 3)));
  auto frame = empty->grab();
  REQUIRE(frame);
  CHECK(empty->status().state == CameraState::online);
}

TEST_CASE("make_camera video file reads every frame, then reports the end as offline", "[camera]")
{
  test::TempDir dir;
  const auto path = dir / "clip.avi";
  {
    cv::VideoWriter writer(path.string(), cv::CAP_FFMPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10,
                           cv::Size(160, 120));
    REQUIRE(writer.isOpened());
    for (int i = 0; i < 5; ++i) {
      writer.write(cv::Mat(120, 160, CV_8UC3, cv::Scalar::all(40 * i + 20)));
    }
  }
  CameraConfig config;
  config.kind = CameraKind::video_file;
  config.location = path.string();
  config.loop = false;
  auto camera = make_camera(config);
  for (int i = 0; i < 5; ++i) {
    auto frame = camera->grab();
    REQUIRE(frame);
    CHECK(frame->width == 160);
    CHECK(frame->height == 120);
    CHECK(centre_grey(*frame) == Approx(40 * i + 20).margin(6));
  }
  auto end = camera->grab();
  REQUIRE_FALSE(end);
  CHECK(camera->status().state == CameraState::offline);
  CHECK(camera->status().message.find("end of video") != std::string::npos);

  config.loop = true;
  auto looping = make_camera(config);
  for (int i = 0; i < 12; ++i) {
    REQUIRE(looping->grab());
  }
}

TEST_CASE("make_camera reports missing devices, files and streams offline without throwing", "[camera]")
{
  CameraConfig device;
  device.kind = CameraKind::v4l2;
  device.location = "/dev/video99";
  device.width = 1920;
  device.height = 1080;
  device.fps = 30;
  device.pixel_format = "MJPG";
  auto v4l2 = make_camera(device);
  REQUIRE_FALSE(v4l2->grab());
  CHECK(v4l2->status().state == CameraState::offline);
  CHECK(v4l2->status().message.find("/dev/video99") != std::string::npos);

  CameraConfig file;
  file.kind = CameraKind::video_file;
  file.location = "/nonexistent/clip.mp4";
  auto video = make_camera(file);
  REQUIRE_FALSE(video->grab());
  CHECK(video->status().state == CameraState::offline);

  CameraConfig stream;
  stream.kind = CameraKind::stream;
  stream.location = "rtsp://127.0.0.1:9/nothing-listens-here";
  stream.open_timeout = std::chrono::milliseconds(1000);
  auto rtsp = make_camera(stream);
  auto frame = rtsp->grab();
  REQUIRE_FALSE(frame);
  CHECK(frame.error().type == ErrorType::device_offline);
  CHECK(rtsp->status().state == CameraState::offline);
  CHECK(rtsp->device_id() == "camera:rtsp://127.0.0.1:9/nothing-listens-here");
}

TEST_CASE("camera_config_for guesses the kind from the location", "[camera]")
{
  test::TempDir dir;
  CHECK(camera_config_for("/dev/video0").kind == CameraKind::v4l2);
  CHECK(camera_config_for("2").kind == CameraKind::v4l2);
  CHECK(camera_config_for("rtsp://10.0.0.5/stream1").kind == CameraKind::stream);
  CHECK(camera_config_for("HTTP://cam.local/mjpg").kind == CameraKind::stream);
  CHECK(camera_config_for(dir.path().string()).kind == CameraKind::image_folder);
  CHECK(camera_config_for("bench.mp4").kind == CameraKind::video_file);
  CHECK(camera_config_for("bench.mp4").location == "bench.mp4");
}

TEST_CASE("load_image_file refuses what is not an image", "[camera]")
{
  test::TempDir dir;
  std::ofstream(dir / "fake.png") << "\x89PNG but not really";
  auto fake = load_image_file((dir / "fake.png").string());
  REQUIRE_FALSE(fake);
  CHECK(fake.error().type == ErrorType::invalid_input);
  auto missing = load_image_file((dir / "missing.png").string());
  REQUIRE_FALSE(missing);
  CHECK(missing.error().type == ErrorType::not_found);
}
