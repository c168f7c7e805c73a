// Cameras behind one interface: a V4L2 device, an IP camera stream (RTSP/HTTP), a video file, or
// an image folder (the virtual camera of the demo and the tests). No OpenCV type appears here.
//
// A camera never throws: when it cannot open, or stops delivering frames, it reports itself
// offline with a message, and grab() returns a device_offline error. Orders that need the camera
// then stay blocked (fail closed). grab() on an offline camera tries to open it again, so a
// camera that comes back is picked up by the next capture.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/decode.hpp>
#include <pickverify/error.hpp>

namespace pickverify {

enum class CameraKind {
  v4l2,         // location: "/dev/video0" or an index "0"
  stream,       // location: "rtsp://…", "http://…", "https://…"
  video_file,   // location: a file OpenCV's FFMPEG backend reads (MJPG .avi, .mp4 …)
  image_folder, // location: a folder of .png/.jpg/.bmp files, served in name order
};

std::string_view to_string(CameraKind kind);

struct CameraConfig {
  CameraKind kind = CameraKind::image_folder;
  std::string location;
  std::string id; // stable device id for scan events and logs; empty: "camera:<location>"
  int width = 0;  // requested resolution; 0 keeps the device's default
  int height = 0;
  double fps = 0;           // requested frame rate; 0 keeps the device's default
  std::string pixel_format; // V4L2 FOURCC, e.g. "MJPG", "YUYV"; empty keeps the default
  bool loop = true;         // video file / image folder: start again at the end instead of going offline
  std::chrono::milliseconds open_timeout{5000}; // streams: give up connecting after this
  std::chrono::milliseconds read_timeout{3000}; // streams: a frame that does not come in this time means offline
};

// Guesses the kind from a location: "/dev/video*" or digits → v4l2, "rtsp://" / "http(s)://" →
// stream, an existing folder → image_folder, anything else → video_file.
CameraConfig camera_config_for(std::string_view location);

enum class CameraState {
  closed,  // not opened yet, or closed by the owner
  online,  // delivering frames
  offline, // failed to open or stopped delivering: message says why
};

std::string_view to_string(CameraState state);

struct CameraStatus {
  CameraState state = CameraState::closed;
  std::string message; // "cannot open /dev/video0: no such device", "no images in demo/camera/x"
};

// One frame, owned. view() borrows it for decode() and the image check; keep the frame alive
// while the view is in use.
struct CapturedFrame {
  std::vector<std::uint8_t> pixels;
  int width = 0;
  int height = 0;
  int stride = 0; // bytes per row
  PixelFormat format = PixelFormat::bgr8;
  std::uint64_t sequence = 0; // counts frames handed out by this source, from 1
  std::string origin;         // the image file's name for an image folder, else empty
  std::chrono::steady_clock::time_point monotonic{};
  std::chrono::system_clock::time_point utc{};

  FrameView view() const { return FrameView{pixels.data(), width, height, stride, format}; }
  bool empty() const { return pixels.empty() || width <= 0 || height <= 0; }
};

// One owner at a time: a source is not safe to use from two threads at once.
class CameraSource {
public:
  virtual ~CameraSource() = default;

  virtual const CameraConfig& config() const = 0;
  virtual CameraStatus status() const = 0;

  // Opens the device, stream, file or folder. On failure the status is offline and the error says why.
  virtual Result<void> open() = 0;

  // The next frame. A closed or offline source tries open() first. Errors are device_offline.
  virtual Result<CapturedFrame> grab() = 0;

  virtual void close() = 0;

  // The id scan events carry: config().id, or "camera:<location>".
  std::string device_id() const;
};

// Always returns a source (closed); nothing is opened until open() or grab().
std::unique_ptr<CameraSource> make_camera(const CameraConfig& config);

// Loads one image file (PNG, JPEG, BMP …) as a frame: tests, the CLI and the calibration tool use it.
Result<CapturedFrame> load_image_file(const std::string& path);

} // namespace pickverify
