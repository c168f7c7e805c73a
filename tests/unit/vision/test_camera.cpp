// Camera sources: the image folder (virtual camera), video files, and devices and streams that
// are not there — which must report offline, never throw.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

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

// Writes a short MJPG clip whose frames are 20, 60, 100 … grey.
void write_clip(const fs::path& path, int frames)
{
  cv::VideoWriter writer(path.string(), cv::CAP_FFMPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10,
                         cv::Size(160, 120));
  REQUIRE(writer.isOpened());
  for (int i = 0; i < frames; ++i) {
    writer.write(cv::Mat(120, 160, CV_8UC3, cv::Scalar::all(40 * i + 20)));
  }
}

// A one-file HTTP server on 127.0.0.1, as an IP camera's HTTP stream is seen by the client: every
// request gets the whole file, then the connection closes.
class FileServer {
public:
  explicit FileServer(const fs::path& file)
  {
    std::ifstream in(file, std::ios::binary);
    m_body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    m_socket = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    const int one = 1;
    ::setsockopt(m_socket, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    REQUIRE(::bind(m_socket, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(m_socket, 4) == 0);
    socklen_t length = sizeof address;
    ::getsockname(m_socket, reinterpret_cast<sockaddr*>(&address), &length);
    m_port = ntohs(address.sin_port);
    m_thread = std::thread([this] { serve(); });
  }
  ~FileServer()
  {
    m_stop = true;
    m_thread.join();
    ::close(m_socket);
  }
  std::string url(const std::string& name) const { return "http://127.0.0.1:" + std::to_string(m_port) + "/" + name; }

private:
  void serve()
  {
    while (!m_stop) {
      pollfd waiting{m_socket, POLLIN, 0};
      if (::poll(&waiting, 1, 50) <= 0) {
        continue;
      }
      const int client = ::accept(m_socket, nullptr, nullptr);
      if (client < 0) {
        continue;
      }
      std::string request;
      char buffer[1024];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t got = ::recv(client, buffer, sizeof buffer, 0);
        if (got <= 0) {
          break;
        }
        request.append(buffer, static_cast<std::size_t>(got));
      }
      const std::string head =
          "HTTP/1.0 200 OK\r\nContent-Type: video/x-msvideo\r\nContent-Length: " + std::to_string(m_body.size()) +
          "\r\nConnection: close\r\n\r\n";
      std::string response = head + m_body;
      std::size_t sent = 0;
      while (sent < response.size()) {
        const ssize_t n = ::send(client, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
          break;
        }
        sent += static_cast<std::size_t>(n);
      }
      ::close(client);
    }
  }

  std::string m_body;
  int m_socket = -1;
  int m_port = 0;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

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
  write_clip(path, 5);
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

TEST_CASE("make_camera stream reads an HTTP stream, then reports it stopped", "[camera]")
{
  test::TempDir dir;
  write_clip(dir / "live.avi", 4);
  FileServer server(dir / "live.avi");
  CameraConfig config;
  config.kind = CameraKind::stream;
  config.location = server.url("live.avi");
  config.open_timeout = std::chrono::milliseconds(3000);
  config.read_timeout = std::chrono::milliseconds(3000);
  auto camera = make_camera(config);
  for (int i = 0; i < 4; ++i) {
    auto frame = camera->grab();
    REQUIRE(frame);
    CHECK(frame->width == 160);
    CHECK(centre_grey(*frame) == Approx(40 * i + 20).margin(6));
  }
  CHECK(camera->status().state == CameraState::online);
  auto end = camera->grab();
  REQUIRE_FALSE(end);
  CHECK(camera->status().state == CameraState::offline);
  CHECK(camera->status().message.find("stopped delivering frames") != std::string::npos);
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
  CHECK(camera_config_for("99999999999999999999").kind == CameraKind::video_file); // not an index

  CameraConfig huge_index;
  huge_index.kind = CameraKind::v4l2;
  huge_index.location = "99999999999999999999";
  auto camera = make_camera(huge_index);
  CHECK_FALSE(camera->grab());
  CHECK(camera->status().state == CameraState::offline);
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
