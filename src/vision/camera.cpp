#include <pickverify/camera.hpp>
#include <pickverify/expected.hpp>
#include <pickverify/text.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "frame_mat.hpp"
#include "image_files.hpp"

namespace pickverify {

namespace fs = std::filesystem;

std::string_view to_string(CameraKind kind)
{
  switch (kind) {
  case CameraKind::v4l2:
    return "v4l2";
  case CameraKind::stream:
    return "stream";
  case CameraKind::video_file:
    return "video-file";
  case CameraKind::image_folder:
    return "image-folder";
  }
  return "unknown";
}

std::string_view to_string(CameraState state)
{
  switch (state) {
  case CameraState::closed:
    return "closed";
  case CameraState::online:
    return "online";
  case CameraState::offline:
    return "offline";
  }
  return "unknown";
}

namespace {

// A device index: "0" … "9999" (longer digit strings are not an index, and would overflow stoi).
bool is_device_index(std::string_view text)
{
  return !text.empty() && text.size() <= 4 && text::all_digits(text);
}

void stamp(CapturedFrame& frame, std::uint64_t sequence)
{
  frame.sequence = sequence;
  frame.monotonic = std::chrono::steady_clock::now();
  frame.utc = std::chrono::system_clock::now();
}

Result<CapturedFrame> frame_from_capture(const cv::Mat& image)
{
  CapturedFrame frame = vision::to_frame(image);
  if (frame.empty()) {
    return make_error(ErrorType::device_offline,
                      fmt::format("unsupported frame ({}x{}, type {})", image.cols, image.rows, image.type()));
  }
  return frame;
}

// V4L2 devices, streams and video files: all read through cv::VideoCapture.
class CaptureCamera final : public CameraSource {
public:
  explicit CaptureCamera(CameraConfig config) : m_config(std::move(config)) {}
  ~CaptureCamera() override { close(); }

  const CameraConfig& config() const override { return m_config; }
  CameraStatus status() const override { return m_status; }

  Result<void> open() override
  {
    close();
    try {
      if (!open_capture()) {
        return go_offline(fmt::format("cannot open {} {}", to_string(m_config.kind), m_config.location));
      }
      apply_settings();
    } catch (const cv::Exception& e) {
      return go_offline(fmt::format("cannot open {} {}: {}", to_string(m_config.kind), m_config.location, e.what()));
    }
    m_status = CameraStatus{CameraState::online, {}};
    return {};
  }

  Result<CapturedFrame> grab() override
  {
    if (m_status.state != CameraState::online) {
      PV_TRY(open());
    }
    cv::Mat image;
    try {
      bool read = m_capture.read(image);
      if ((!read || image.empty()) && m_config.kind == CameraKind::video_file && m_config.loop && m_frames_read > 0) {
        m_capture.set(cv::CAP_PROP_POS_FRAMES, 0);
        read = m_capture.read(image);
      }
      if (!read || image.empty()) {
        const std::string why =
            m_config.kind == CameraKind::video_file
                ? fmt::format("end of video {}", m_config.location)
                : fmt::format("{} {} stopped delivering frames", to_string(m_config.kind), m_config.location);
        m_capture.release();
        return tl::unexpected(go_offline(why).error());
      }
    } catch (const cv::Exception& e) {
      m_capture.release();
      return tl::unexpected(
          go_offline(fmt::format("{} {}: {}", to_string(m_config.kind), m_config.location, e.what())).error());
    }
    PV_TRY_ASSIGN(auto frame, frame_from_capture(image));
    ++m_frames_read;
    stamp(frame, ++m_sequence);
    return frame;
  }

  void close() override
  {
    try {
      m_capture.release();
    } catch (const cv::Exception&) {
      // Releasing a broken device must not take the caller down; it is closed either way.
    }
    m_frames_read = 0;
    m_status = CameraStatus{CameraState::closed, {}};
  }

private:
  bool open_capture()
  {
    const std::vector<int> timeouts = {cv::CAP_PROP_OPEN_TIMEOUT_MSEC, static_cast<int>(m_config.open_timeout.count()),
                                       cv::CAP_PROP_READ_TIMEOUT_MSEC, static_cast<int>(m_config.read_timeout.count())};
    switch (m_config.kind) {
    case CameraKind::v4l2:
      if (is_device_index(m_config.location)) {
        return m_capture.open(std::stoi(m_config.location), cv::CAP_V4L2);
      }
      return m_capture.open(m_config.location, cv::CAP_V4L2);
    case CameraKind::stream:
      return m_capture.open(m_config.location, cv::CAP_FFMPEG, timeouts);
    case CameraKind::video_file:
      if (!fs::is_regular_file(m_config.location)) {
        return false;
      }
      return m_capture.open(m_config.location, cv::CAP_FFMPEG);
    case CameraKind::image_folder:
      return false;
    }
    return false;
  }

  void apply_settings()
  {
    if (m_config.kind != CameraKind::v4l2) {
      return;
    }
    // The pixel format must be set before the size: the driver picks sizes per format.
    if (m_config.pixel_format.size() == 4) {
      const auto& f = m_config.pixel_format;
      m_capture.set(cv::CAP_PROP_FOURCC, cv::VideoWriter::fourcc(f[0], f[1], f[2], f[3]));
    }
    if (m_config.width > 0 && m_config.height > 0) {
      m_capture.set(cv::CAP_PROP_FRAME_WIDTH, m_config.width);
      m_capture.set(cv::CAP_PROP_FRAME_HEIGHT, m_config.height);
    }
    if (m_config.fps > 0) {
      m_capture.set(cv::CAP_PROP_FPS, m_config.fps);
    }
  }

  Result<void> go_offline(std::string message)
  {
    m_status = CameraStatus{CameraState::offline, message};
    return make_error(ErrorType::device_offline, std::move(message));
  }

  CameraConfig m_config;
  CameraStatus m_status;
  cv::VideoCapture m_capture;
  std::uint64_t m_sequence = 0;
  std::uint64_t m_frames_read = 0;
};

// The virtual camera: the images of a folder in name order, one per grab.
class ImageFolderCamera final : public CameraSource {
public:
  explicit ImageFolderCamera(CameraConfig config) : m_config(std::move(config)) {}

  const CameraConfig& config() const override { return m_config; }
  CameraStatus status() const override { return m_status; }

  Result<void> open() override
  {
    m_files.clear();
    m_next = 0;
    std::error_code ec;
    if (!fs::is_directory(m_config.location, ec)) {
      return go_offline(fmt::format("image folder {} does not exist", m_config.location));
    }
    m_files = vision::list_image_files(m_config.location, ec);
    if (ec) {
      return go_offline(fmt::format("cannot read image folder {}: {}", m_config.location, ec.message()));
    }
    if (m_files.empty()) {
      return go_offline(fmt::format("no images in {}", m_config.location));
    }
    m_status = CameraStatus{CameraState::online, {}};
    return {};
  }

  Result<CapturedFrame> grab() override
  {
    if (m_status.state != CameraState::online) {
      PV_TRY(open());
    }
    if (m_next >= m_files.size()) {
      if (!m_config.loop) {
        return tl::unexpected(go_offline(fmt::format("no more images in {}", m_config.location)).error());
      }
      m_next = 0;
    }
    const fs::path& path = m_files[m_next++];
    auto frame = load_image_file(path.string());
    if (!frame) {
      return tl::unexpected(go_offline(frame.error().message).error());
    }
    frame->origin = path.filename().string();
    stamp(*frame, ++m_sequence);
    return frame;
  }

  void close() override
  {
    m_files.clear();
    m_next = 0;
    m_status = CameraStatus{CameraState::closed, {}};
  }

private:
  Result<void> go_offline(std::string message)
  {
    m_status = CameraStatus{CameraState::offline, message};
    return make_error(ErrorType::device_offline, std::move(message));
  }

  CameraConfig m_config;
  CameraStatus m_status;
  std::vector<fs::path> m_files;
  std::size_t m_next = 0;
  std::uint64_t m_sequence = 0;
};

} // namespace

CameraConfig camera_config_for(std::string_view location)
{
  CameraConfig config;
  config.location = std::string(location);
  std::error_code ec;
  if (text::starts_with_ignoring_case(location, "/dev/video") || is_device_index(location)) {
    config.kind = CameraKind::v4l2;
  } else if (text::starts_with_ignoring_case(location, "rtsp://") ||
             text::starts_with_ignoring_case(location, "http://") ||
             text::starts_with_ignoring_case(location, "https://")) {
    config.kind = CameraKind::stream;
  } else if (fs::is_directory(fs::path(std::string(location)), ec)) {
    config.kind = CameraKind::image_folder;
  } else {
    config.kind = CameraKind::video_file;
  }
  return config;
}

std::string CameraSource::device_id() const
{
  const CameraConfig& c = config();
  return c.id.empty() ? "camera:" + c.location : c.id;
}

std::unique_ptr<CameraSource> make_camera(const CameraConfig& config)
{
  if (config.kind == CameraKind::image_folder) {
    return std::make_unique<ImageFolderCamera>(config);
  }
  return std::make_unique<CaptureCamera>(config);
}

Result<CapturedFrame> load_image_file(const std::string& path)
{
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return make_error(ErrorType::not_found, fmt::format("{}: no such image file", path));
  }
  cv::Mat image;
  try {
    image = cv::imread(path, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    return make_error(ErrorType::invalid_input, fmt::format("{}: cannot read image: {}", path, e.what()));
  }
  if (image.empty()) {
    return make_error(ErrorType::invalid_input, fmt::format("{}: not an image OpenCV can read", path));
  }
  CapturedFrame frame = vision::to_frame(image);
  if (frame.empty()) {
    return make_error(ErrorType::invalid_input, fmt::format("{}: unsupported image type", path));
  }
  frame.origin = fs::path(path).filename().string();
  return frame;
}

} // namespace pickverify
