// Camera calibration from chessboard images, and its YAML files.
#include <pickverify/calibration.hpp>
#include <pickverify/expected.hpp>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <functional>
#include <ostream>
#include <set>
#include <system_error>

#include <fmt/format.h>
#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "frame_mat.hpp"
#include "image_files.hpp"
#include "quality.hpp"

namespace pickverify {

namespace fs = std::filesystem;

namespace {

constexpr double k_min_sharpness_floor = 20.0; // below this even a chessboard photo is mush

std::string utc_now()
{
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// Collects the corners of every board found, then solves.
class BoardCollector {
public:
  explicit BoardCollector(const CalibrationSettings& settings) : m_settings(settings)
  {
    const ChessboardSpec& board = settings.board;
    for (int row = 0; row < board.inner_rows; ++row) {
      for (int col = 0; col < board.inner_columns; ++col) {
        m_board_points.emplace_back(static_cast<float>(col * board.square_mm),
                                    static_cast<float>(row * board.square_mm), 0.0f);
      }
    }
  }

  // Result: whether a board was found. An error when the frame does not fit the others.
  Result<bool> add(const FrameView& frame)
  {
    cv::Mat grey = vision::to_grey(frame);
    if (grey.empty()) {
      return make_error(ErrorType::invalid_input, "unusable frame");
    }
    if (m_size.area() == 0) {
      m_size = grey.size();
    } else if (grey.size() != m_size) {
      return make_error(ErrorType::invalid_input, fmt::format("frame is {}x{}, the others are {}x{}", grey.cols,
                                                              grey.rows, m_size.width, m_size.height));
    }
    const cv::Size pattern(m_settings.board.inner_columns, m_settings.board.inner_rows);
    std::vector<cv::Point2f> corners;
    const bool found = cv::findChessboardCorners(
        grey, pattern, corners, cv::CALIB_CB_ADAPTIVE_THRESH | cv::CALIB_CB_NORMALIZE_IMAGE | cv::CALIB_CB_FAST_CHECK);
    if (!found) {
      return false;
    }
    // The refinement window must stay inside one square, or it locks onto the wrong corner.
    const double square_px = cv::norm(corners[0] - corners[1]);
    const int half_window = std::clamp(static_cast<int>(square_px / 4), 2, 11);
    cv::cornerSubPix(grey, corners, cv::Size(half_window, half_window), cv::Size(-1, -1),
                     cv::TermCriteria(cv::TermCriteria::EPS + cv::TermCriteria::COUNT, 40, 0.001));
    m_image_points.push_back(std::move(corners));
    m_sharpness.push_back(vision::measure_grey(grey).sharpness);
    return true;
  }

  int boards() const { return static_cast<int>(m_image_points.size()); }

  Result<Calibration> solve() const
  {
    if (boards() < m_settings.min_images) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("found the {}x{} board in {} image{}, need at least {}: take more photos of the "
                                    "target (whole board visible, different angles)",
                                    m_settings.board.inner_columns, m_settings.board.inner_rows, boards(),
                                    boards() == 1 ? "" : "s", m_settings.min_images));
    }
    std::vector<std::vector<cv::Point3f>> object_points(m_image_points.size(), m_board_points);
    cv::Mat camera_matrix;
    cv::Mat distortion;
    std::vector<cv::Mat> rvecs;
    std::vector<cv::Mat> tvecs;
    double rms = 0;
    try {
      rms = cv::calibrateCamera(object_points, m_image_points, m_size, camera_matrix, distortion, rvecs, tvecs);
    } catch (const cv::Exception& e) {
      return make_error(ErrorType::invalid_input, fmt::format("calibration did not converge: {}", e.what()));
    }
    if (!std::isfinite(rms) || camera_matrix.empty()) {
      return make_error(ErrorType::invalid_input, "calibration did not converge: take photos from more angles");
    }

    Calibration calibration;
    calibration.station = m_settings.station;
    calibration.calibrated = true;
    calibration.created_utc = utc_now();
    calibration.image_width = m_size.width;
    calibration.image_height = m_size.height;
    for (int i = 0; i < 9; ++i) {
      calibration.camera_matrix[static_cast<std::size_t>(i)] = camera_matrix.at<double>(i / 3, i % 3);
    }
    calibration.distortion.assign(distortion.begin<double>(), distortion.end<double>());
    calibration.reprojection_error_px = rms;
    calibration.images_used = boards();
    calibration.board_columns = m_settings.board.inner_columns;
    calibration.board_rows = m_settings.board.inner_rows;
    calibration.square_mm = m_settings.board.square_mm;

    // The pack plane is where the board lay flattest to the camera (the procedure's first photo:
    // the board flat on the bench where the packs stand).
    std::size_t reference = 0;
    double best_tilt = 10;
    for (std::size_t i = 0; i < rvecs.size(); ++i) {
      cv::Mat rotation;
      cv::Rodrigues(rvecs[i], rotation);
      const double tilt = std::acos(std::min(1.0, std::abs(rotation.at<double>(2, 2))));
      if (tilt < best_tilt) {
        best_tilt = tilt;
        reference = i;
      }
    }
    std::vector<cv::Point2f> flat;
    cv::undistortPoints(m_image_points[reference], flat, camera_matrix, distortion, cv::noArray(), camera_matrix);
    double distance = 0;
    int pairs = 0;
    const int cols = m_settings.board.inner_columns;
    for (int row = 0; row < m_settings.board.inner_rows; ++row) {
      for (int col = 0; col + 1 < cols; ++col) {
        distance += cv::norm(flat[static_cast<std::size_t>(row * cols + col)] -
                             flat[static_cast<std::size_t>(row * cols + col + 1)]);
        ++pairs;
      }
    }
    calibration.pixels_per_mm = distance / pairs / m_settings.board.square_mm;
    calibration.min_module_mm = k_pixels_per_module / calibration.pixels_per_mm;

    if (m_settings.pack_area) {
      calibration.pack_area = *m_settings.pack_area;
    } else {
      // The board's outer edge is one square beyond its inner corners; then the margin.
      const double grow = m_settings.board.square_mm * calibration.pixels_per_mm +
                          m_settings.pack_margin_mm * calibration.pixels_per_mm;
      const cv::Rect inner = cv::boundingRect(flat);
      cv::Rect area(static_cast<int>(inner.x - grow), static_cast<int>(inner.y - grow),
                    static_cast<int>(inner.width + 2 * grow), static_cast<int>(inner.height + 2 * grow));
      area &= cv::Rect(0, 0, m_size.width, m_size.height);
      calibration.pack_area = PixelRect{area.x, area.y, area.width, area.height};
    }

    std::vector<double> sharpness = m_sharpness;
    std::nth_element(sharpness.begin(), sharpness.begin() + static_cast<std::ptrdiff_t>(sharpness.size() / 2),
                     sharpness.end());
    const double median = sharpness[sharpness.size() / 2];
    calibration.quality.min_sharpness = std::max(k_min_sharpness_floor, m_settings.sharpness_fraction * median);
    return calibration;
  }

private:
  const CalibrationSettings& m_settings;
  std::vector<cv::Point3f> m_board_points;
  std::vector<std::vector<cv::Point2f>> m_image_points;
  std::vector<double> m_sharpness;
  cv::Size m_size;
};

Result<void> check_settings(const CalibrationSettings& settings)
{
  const ChessboardSpec& board = settings.board;
  if (board.inner_columns < 3 || board.inner_rows < 3 || board.inner_columns == board.inner_rows) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("chessboard {}x{}: needs at least 3x3 inner corners, and different counts so the "
                                  "board's orientation is unambiguous",
                                  board.inner_columns, board.inner_rows));
  }
  if (!(board.square_mm > 0 && board.square_mm < 1000)) {
    return make_error(ErrorType::invalid_input, fmt::format("square size {} mm is out of range", board.square_mm));
  }
  if (settings.min_images < 3) {
    return make_error(ErrorType::invalid_input, "at least 3 images are needed to calibrate");
  }
  return {};
}

void report(const CalibrationProgressFn& progress, const CalibrationProgress& p)
{
  if (progress) {
    progress(p);
  }
}

// --- YAML ---------------------------------------------------------------------------------------

const std::set<std::string> k_known_keys = {"station",
                                            "calibrated",
                                            "created_utc",
                                            "image_width",
                                            "image_height",
                                            "camera_matrix",
                                            "distortion_coefficients",
                                            "reprojection_error_px",
                                            "images_used",
                                            "board_columns",
                                            "board_rows",
                                            "square_mm",
                                            "pixels_per_mm",
                                            "min_module_mm",
                                            "pack_area",
                                            "quality"};

Result<double> read_number(const cv::FileNode& node, const std::string& key, double min, double max, bool required)
{
  const cv::FileNode value = node[key];
  if (value.empty() || value.isNone()) {
    if (required) {
      return make_error(ErrorType::corrupt, fmt::format("{}: missing", key));
    }
    return std::nan("");
  }
  if (!value.isInt() && !value.isReal()) {
    return make_error(ErrorType::corrupt, fmt::format("{}: not a number", key));
  }
  const double number = static_cast<double>(value);
  if (!(number >= min && number <= max)) {
    return make_error(ErrorType::corrupt, fmt::format("{}: {} is out of range [{}, {}]", key, number, min, max));
  }
  return number;
}

Result<Calibration> parse_calibration(const cv::FileStorage& storage)
{
  const cv::FileNode root = storage.root();
  if (!root.isMap()) {
    return make_error(ErrorType::corrupt, "not a map of keys");
  }
  for (const std::string& key : root.keys()) {
    if (k_known_keys.count(key) == 0) {
      return make_error(ErrorType::corrupt, fmt::format("{}: unknown key", key));
    }
  }
  Calibration c;
  if (!root["station"].isString()) {
    return make_error(ErrorType::corrupt, "station: missing or not text");
  }
  c.station = static_cast<std::string>(root["station"]);
  if (root["created_utc"].isString()) {
    c.created_utc = static_cast<std::string>(root["created_utc"]);
  }
  PV_TRY_ASSIGN(auto calibrated, read_number(root, "calibrated", 0, 1, true));
  c.calibrated = calibrated != 0;

  struct Field {
    const char* key;
    double min;
    double max;
    bool required;
    std::function<void(double)> set;
  };
  const std::vector<Field> fields = {
      {"image_width", 0, 1 << 15, c.calibrated, [&](double v) { c.image_width = static_cast<int>(v); }},
      {"image_height", 0, 1 << 15, c.calibrated, [&](double v) { c.image_height = static_cast<int>(v); }},
      {"reprojection_error_px", 0, 100, false, [&](double v) { c.reprojection_error_px = v; }},
      {"images_used", 0, 100000, false, [&](double v) { c.images_used = static_cast<int>(v); }},
      {"board_columns", 0, 1000, false, [&](double v) { c.board_columns = static_cast<int>(v); }},
      {"board_rows", 0, 1000, false, [&](double v) { c.board_rows = static_cast<int>(v); }},
      {"square_mm", 0, 1000, false, [&](double v) { c.square_mm = v; }},
      {"pixels_per_mm", 0, 10000, c.calibrated, [&](double v) { c.pixels_per_mm = v; }},
      {"min_module_mm", 0, 1000, false, [&](double v) { c.min_module_mm = v; }},
  };
  for (const Field& field : fields) {
    PV_TRY_ASSIGN(auto value, read_number(root, field.key, field.min, field.max, field.required));
    if (!std::isnan(value)) {
      field.set(value);
    }
  }

  if (c.calibrated) {
    cv::Mat matrix;
    cv::Mat distortion;
    root["camera_matrix"] >> matrix;
    root["distortion_coefficients"] >> distortion;
    if (matrix.rows != 3 || matrix.cols != 3) {
      return make_error(ErrorType::corrupt, "camera_matrix: missing or not 3x3");
    }
    matrix.convertTo(matrix, CV_64F);
    for (int i = 0; i < 9; ++i) {
      c.camera_matrix[static_cast<std::size_t>(i)] = matrix.at<double>(i / 3, i % 3);
    }
    if (!(c.camera_matrix[0] > 0 && c.camera_matrix[4] > 0)) {
      return make_error(ErrorType::corrupt, "camera_matrix: focal lengths must be positive");
    }
    const std::size_t count = distortion.total();
    if (distortion.empty() || !(count == 4 || count == 5 || count == 8 || count == 12 || count == 14)) {
      return make_error(ErrorType::corrupt, "distortion_coefficients: missing or not 4, 5, 8, 12 or 14 values");
    }
    distortion.convertTo(distortion, CV_64F);
    c.distortion.assign(distortion.begin<double>(), distortion.end<double>());
  }

  const cv::FileNode area = root["pack_area"];
  if (!area.empty() && !area.isNone()) {
    int* targets[] = {&c.pack_area.x, &c.pack_area.y, &c.pack_area.width, &c.pack_area.height};
    const char* names[] = {"x", "y", "width", "height"};
    for (int i = 0; i < 4; ++i) {
      auto value = read_number(area, names[i], 0, 1 << 15, true);
      if (!value) {
        return tl::unexpected(value.error().with_context("pack_area"));
      }
      *targets[i] = static_cast<int>(*value);
    }
  }
  const cv::FileNode quality = root["quality"];
  if (!quality.empty() && !quality.isNone()) {
    struct QualityField {
      const char* key;
      double max;
      double* target;
    };
    const QualityField quality_fields[] = {
        {"min_sharpness", 1e6, &c.quality.min_sharpness},
        {"min_brightness", 255, &c.quality.min_brightness},
        {"max_brightness", 255, &c.quality.max_brightness},
        {"max_overexposed_fraction", 1, &c.quality.max_overexposed_fraction},
    };
    for (const QualityField& field : quality_fields) {
      auto value = read_number(quality, field.key, 0, field.max, false);
      if (!value) {
        return tl::unexpected(value.error().with_context("quality"));
      }
      if (!std::isnan(*value)) {
        *field.target = *value;
      }
    }
  }
  return c;
}

} // namespace

Result<void> check_calibration_settings(const CalibrationSettings& settings)
{
  return check_settings(settings);
}

bool is_valid_station_name(const std::string& station)
{
  if (station.empty() || station.size() > 64 || station.front() == '.') {
    return false;
  }
  return std::all_of(station.begin(), station.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
           ch == '.';
  });
}

Result<Calibration> read_calibration(const fs::path& file)
{
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    return make_error(ErrorType::not_found, fmt::format("{}: no such calibration file", file.string()));
  }
  try {
    cv::FileStorage storage(file.string(), cv::FileStorage::READ | cv::FileStorage::FORMAT_YAML);
    if (!storage.isOpened()) {
      return make_error(ErrorType::corrupt, fmt::format("{}: not an OpenCV YAML file", file.string()));
    }
    auto calibration = parse_calibration(storage);
    if (!calibration) {
      return tl::unexpected(calibration.error().with_context(file.string()));
    }
    return calibration;
  } catch (const cv::Exception& e) {
    return make_error(ErrorType::corrupt, fmt::format("{}: does not parse: {}", file.string(), e.what()));
  }
}

Result<void> write_calibration(const Calibration& c, const fs::path& file)
{
  std::error_code ec;
  if (file.has_parent_path()) {
    fs::create_directories(file.parent_path(), ec);
    if (ec) {
      return make_error(ErrorType::io, fmt::format("{}: {}", file.parent_path().string(), ec.message()));
    }
  }
  const fs::path temp = file.string() + ".tmp";
  try {
    cv::FileStorage storage(temp.string(), cv::FileStorage::WRITE | cv::FileStorage::FORMAT_YAML);
    if (!storage.isOpened()) {
      return make_error(ErrorType::io, fmt::format("{}: cannot write", temp.string()));
    }
    storage << "station" << c.station;
    storage << "calibrated" << (c.calibrated ? 1 : 0);
    storage << "created_utc" << c.created_utc;
    storage << "image_width" << c.image_width;
    storage << "image_height" << c.image_height;
    if (c.calibrated) {
      cv::Mat matrix(3, 3, CV_64F);
      for (int i = 0; i < 9; ++i) {
        matrix.at<double>(i / 3, i % 3) = c.camera_matrix[static_cast<std::size_t>(i)];
      }
      storage << "camera_matrix" << matrix;
      storage << "distortion_coefficients" << cv::Mat(c.distortion, true).reshape(1, 1);
    }
    storage << "reprojection_error_px" << c.reprojection_error_px;
    storage << "images_used" << c.images_used;
    storage << "board_columns" << c.board_columns;
    storage << "board_rows" << c.board_rows;
    storage << "square_mm" << c.square_mm;
    storage << "pixels_per_mm" << c.pixels_per_mm;
    storage << "min_module_mm" << c.min_module_mm;
    storage << "pack_area"
            << "{"
            << "x" << c.pack_area.x << "y" << c.pack_area.y << "width" << c.pack_area.width << "height"
            << c.pack_area.height << "}";
    storage << "quality"
            << "{"
            << "min_sharpness" << c.quality.min_sharpness << "min_brightness" << c.quality.min_brightness
            << "max_brightness" << c.quality.max_brightness << "max_overexposed_fraction"
            << c.quality.max_overexposed_fraction << "}";
    storage.release();
  } catch (const cv::Exception& e) {
    fs::remove(temp, ec);
    return make_error(ErrorType::io, fmt::format("{}: cannot write: {}", file.string(), e.what()));
  }
  fs::rename(temp, file, ec);
  if (ec) {
    fs::remove(temp, ec);
    return make_error(ErrorType::io, fmt::format("{}: cannot replace: {}", file.string(), ec.message()));
  }
  return {};
}

Result<LoadedCalibration> load_station_calibration(const fs::path& calibration_dir, const std::string& station)
{
  if (!is_valid_station_name(station)) {
    return make_error(ErrorType::invalid_input, fmt::format("station '{}' is not a valid name", station));
  }
  LoadedCalibration loaded;
  std::error_code ec;
  const fs::path own = calibration_dir / (station + ".yaml");
  if (fs::exists(own, ec)) {
    auto calibration = read_calibration(own);
    if (!calibration) {
      return tl::unexpected(calibration.error().with_context("calibration of station " + station));
    }
    loaded.calibration = std::move(*calibration);
    loaded.file = own;
    loaded.note = fmt::format("calibration: using {}", own.string());
    return loaded;
  }
  const fs::path fallback = calibration_dir / "uncalibrated.yaml";
  loaded.fallback = true;
  if (fs::exists(fallback, ec)) {
    auto calibration = read_calibration(fallback);
    if (!calibration) {
      return tl::unexpected(calibration.error().with_context("fallback calibration"));
    }
    loaded.calibration = std::move(*calibration);
    loaded.file = fallback;
    loaded.note = fmt::format("calibration: station {} has no {}; using {} (no undistortion, default thresholds)",
                              station, own.string(), fallback.string());
  } else {
    loaded.note = fmt::format("calibration: station {} has no {} and {} is missing; using built-in defaults", station,
                              own.string(), fallback.string());
  }
  loaded.calibration.station = station;
  return loaded;
}

namespace {

// The detect/report/solve loop calibrate_from_frames and calibrate_from_folder share. `frame_at(i, storage)`
// gives frame i (0-based), loading it into `storage` when it has to; `reads` says whether fetching is
// worth a "reading" progress step of its own (files: yes; frames in memory: no).
using FrameAt = std::function<Result<FrameView>(int index, CapturedFrame& storage)>;

Result<Calibration> calibrate_each(const CalibrationSettings& settings, const std::vector<std::string>& names,
                                   const FrameAt& frame_at, bool reads, const CalibrationProgressFn& progress)
{
  BoardCollector collector(settings);
  const int total = static_cast<int>(names.size());
  CapturedFrame storage;
  for (int i = 0; i < total; ++i) {
    const std::string& name = names[static_cast<std::size_t>(i)];
    if (reads) {
      report(progress, {CalibrationProgress::Stage::reading, i + 1, total, collector.boards(), name, false});
    }
    PV_TRY_ASSIGN(const FrameView frame, frame_at(i, storage));
    auto found = collector.add(frame);
    if (!found) {
      return tl::unexpected(found.error().with_context(name));
    }
    report(progress, {CalibrationProgress::Stage::detecting, i + 1, total, collector.boards(), name, *found});
  }
  report(progress, {CalibrationProgress::Stage::solving, total, total, collector.boards(), {}, false});
  auto calibration = collector.solve();
  if (calibration) {
    report(progress, {CalibrationProgress::Stage::done, total, total, collector.boards(), {}, false});
  }
  return calibration;
}

} // namespace

Result<Calibration> calibrate_from_frames(const std::vector<CapturedFrame>& frames, const CalibrationSettings& settings,
                                          const CalibrationProgressFn& progress)
{
  PV_TRY(check_settings(settings));
  std::vector<std::string> names;
  names.reserve(frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    names.push_back(frames[i].origin.empty() ? fmt::format("frame {}", i + 1) : frames[i].origin);
  }
  return calibrate_each(
      settings, names,
      [&frames](int index, CapturedFrame&) -> Result<FrameView> {
        return frames[static_cast<std::size_t>(index)].view();
      },
      false, progress);
}

Result<Calibration> calibrate_from_folder(const fs::path& folder, const CalibrationSettings& settings,
                                          const CalibrationProgressFn& progress)
{
  PV_TRY(check_settings(settings));
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    return make_error(ErrorType::not_found, fmt::format("{}: no such folder", folder.string()));
  }
  const std::vector<fs::path> files = vision::list_image_files(folder, ec);
  if (files.empty()) {
    return make_error(ErrorType::not_found,
                      fmt::format("{}: no images ({})", folder.string(), vision::image_extensions_text()));
  }
  std::vector<std::string> names;
  names.reserve(files.size());
  for (const fs::path& file : files) {
    names.push_back(file.filename().string());
  }
  return calibrate_each(
      settings, names,
      [&files](int index, CapturedFrame& storage) -> Result<FrameView> {
        PV_TRY_ASSIGN(storage, load_image_file(files[static_cast<std::size_t>(index)].string()));
        return storage.view();
      },
      true, progress);
}

Result<Calibration> calibrate_from_camera(CameraSource& camera, const CalibrationSettings& settings,
                                          const CalibrationProgressFn& progress)
{
  PV_TRY(check_settings(settings));
  BoardCollector collector(settings);
  const int stride = std::max(1, settings.camera_frame_stride);
  for (int grabbed = 1; grabbed <= settings.camera_max_grabs && collector.boards() < settings.camera_frames;
       ++grabbed) {
    auto frame = camera.grab();
    if (!frame) {
      return tl::unexpected(frame.error().with_context("calibration"));
    }
    if ((grabbed - 1) % stride != 0) {
      continue;
    }
    auto found = collector.add(frame->view());
    if (!found) {
      return tl::unexpected(found.error().with_context(fmt::format("frame {}", grabbed)));
    }
    report(progress, {CalibrationProgress::Stage::detecting, grabbed, 0, collector.boards(),
                      fmt::format("frame {}", grabbed), *found});
  }
  report(progress, {CalibrationProgress::Stage::solving, 0, 0, collector.boards(), {}, false});
  auto calibration = collector.solve();
  if (calibration) {
    report(progress, {CalibrationProgress::Stage::done, 0, 0, collector.boards(), {}, false});
  }
  return calibration;
}

} // namespace pickverify
