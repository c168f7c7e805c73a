// Calibration on rendered chessboards whose camera is known: the maths must recover it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include <pickverify/calibration.hpp>
#include <pickverify/camera.hpp>

#include "chessboards.hpp"
#include "temp_dir.hpp"

using namespace pickverify;
using pickverify::test::k_cols;
using pickverify::test::k_cx;
using pickverify::test::k_cy;
using pickverify::test::k_fx;
using pickverify::test::k_fy;
using pickverify::test::k_k1;
using pickverify::test::k_rows;
using pickverify::test::k_square_mm;

namespace {

CalibrationSettings settings_for(const std::string& station)
{
  CalibrationSettings settings;
  settings.station = station;
  settings.board = ChessboardSpec{k_cols, k_rows, k_square_mm};
  return settings;
}

} // namespace

TEST_CASE("calibrate_from_folder recovers the camera of rendered chessboards", "[calibration]")
{
  test::TempDir dir;
  const auto folder = test::write_boards(dir.path());
  std::vector<CalibrationProgress> progress;
  auto calibration = calibrate_from_folder(folder, settings_for("bench-1"),
                                           [&](const CalibrationProgress& p) { progress.push_back(p); });
  REQUIRE(calibration);
  const Calibration& c = *calibration;
  CHECK(c.calibrated);
  CHECK(c.station == "bench-1");
  CHECK(c.images_used == static_cast<int>(test::board_poses().size()));
  CHECK(c.image_width == test::k_board_frame_width);
  CHECK(c.image_height == test::k_board_frame_height);
  CHECK(c.camera_matrix[0] == Approx(k_fx).epsilon(0.01));
  CHECK(c.camera_matrix[4] == Approx(k_fy).epsilon(0.01));
  CHECK(c.camera_matrix[2] == Approx(k_cx).margin(5));
  CHECK(c.camera_matrix[5] == Approx(k_cy).margin(5));
  REQUIRE(c.distortion.size() >= 5);
  CHECK(c.distortion[0] == Approx(k_k1).margin(0.03));
  CHECK(c.reprojection_error_px < 0.3);
  // The flat board at 600 mm: 1000 px focal length / 600 mm.
  CHECK(c.pixels_per_mm == Approx(k_fx / 600).epsilon(0.02));
  CHECK(c.min_module_mm == Approx(k_pixels_per_module / c.pixels_per_mm));
  CHECK_FALSE(c.pack_area.empty());
  CHECK(c.pack_area.x >= 0);
  CHECK(c.pack_area.x + c.pack_area.width <= test::k_board_frame_width);
  CHECK(c.quality.min_sharpness > 0);

  // Progress: one "detecting" per image, then solving, then done.
  const auto detecting = std::count_if(progress.begin(), progress.end(), [](const CalibrationProgress& p) {
    return p.stage == CalibrationProgress::Stage::detecting;
  });
  CHECK(detecting == static_cast<long>(test::board_poses().size()));
  REQUIRE_FALSE(progress.empty());
  CHECK(progress.back().stage == CalibrationProgress::Stage::done);
}

TEST_CASE("calibrate_from_frames solves the same camera as calibrate_from_folder from the same images", "[calibration]")
{
  test::TempDir dir;
  const auto folder = test::write_boards(dir.path());
  std::vector<CapturedFrame> frames;
  for (const auto& pose_file : std::filesystem::directory_iterator(folder)) {
    auto frame = load_image_file(pose_file.path().string());
    REQUIRE(frame);
    frames.push_back(std::move(*frame));
  }
  std::sort(frames.begin(), frames.end(),
            [](const CapturedFrame& a, const CapturedFrame& b) { return a.origin < b.origin; });
  std::vector<CalibrationProgress> progress;
  auto from_frames = calibrate_from_frames(frames, settings_for("bench-1"),
                                           [&](const CalibrationProgress& p) { progress.push_back(p); });
  auto from_folder = calibrate_from_folder(folder, settings_for("bench-1"), {});
  REQUIRE(from_frames);
  REQUIRE(from_folder);
  CHECK(from_frames->images_used == from_folder->images_used);
  CHECK(from_frames->camera_matrix[0] == Approx(from_folder->camera_matrix[0]).epsilon(1e-6));
  CHECK(from_frames->reprojection_error_px == Approx(from_folder->reprojection_error_px).epsilon(1e-6));
  // Frames in memory are not "read": detecting per frame, then solving and done.
  CHECK(std::none_of(progress.begin(), progress.end(),
                     [](const CalibrationProgress& p) { return p.stage == CalibrationProgress::Stage::reading; }));
  CHECK(std::count_if(progress.begin(), progress.end(), [](const CalibrationProgress& p) {
          return p.stage == CalibrationProgress::Stage::detecting;
        }) == static_cast<long>(frames.size()));
  REQUIRE_FALSE(progress.empty());
  CHECK(progress.back().stage == CalibrationProgress::Stage::done);

  // A frame of another size is refused and named.
  frames.back().width /= 2;
  frames.back().origin = "odd.png";
  auto odd = calibrate_from_frames(frames, settings_for("bench-1"), {});
  REQUIRE_FALSE(odd);
  CHECK_THAT(odd.error().message, Catch::Contains("odd.png"));
}

TEST_CASE("calibrate_from_folder refuses too few boards with a reason", "[calibration]")
{
  test::TempDir dir;
  std::filesystem::create_directories(dir / "few");
  test::write_board_image(dir / "few" / "a.png", {{0, 0, 0}, {-100, -62.5, 600}});
  test::write_blank_image(dir / "few" / "blank.png");
  auto calibration = calibrate_from_folder(dir / "few", settings_for("bench-1"));
  REQUIRE_FALSE(calibration);
  CHECK(calibration.error().message.find("found the 9x6 board in 1 image") != std::string::npos);

  CHECK_FALSE(calibrate_from_folder(dir / "nope", settings_for("bench-1")));
}

TEST_CASE("write_calibration and read_calibration round-trip", "[calibration]")
{
  test::TempDir dir;
  Calibration c;
  c.station = "bench-7";
  c.calibrated = true;
  c.created_utc = "2026-11-26T15:00:00Z";
  c.image_width = 1920;
  c.image_height = 1080;
  c.camera_matrix = {1400, 0, 960, 0, 1401, 540, 0, 0, 1};
  c.distortion = {-0.1, 0.02, 0.001, -0.002, 0.0};
  c.reprojection_error_px = 0.21;
  c.pixels_per_mm = 3.5;
  c.min_module_mm = 2.0 / 3.5;
  c.pack_area = PixelRect{100, 50, 1700, 1000};
  c.quality.min_sharpness = 77;
  const auto file = dir / "calibration" / "bench-7.yaml";
  REQUIRE(write_calibration(c, file));
  auto read = read_calibration(file);
  REQUIRE(read);
  CHECK(read->station == "bench-7");
  CHECK(read->calibrated);
  CHECK(read->camera_matrix[4] == Approx(1401));
  CHECK(read->distortion.size() == 5);
  CHECK(read->distortion[3] == Approx(-0.002));
  CHECK(read->pack_area.width == 1700);
  CHECK(read->quality.min_sharpness == Approx(77));
  CHECK(read->pixels_per_mm == Approx(3.5));
}

TEST_CASE("read_calibration rejects broken files naming the key", "[calibration]")
{
  test::TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return dir / name;
  };
  auto unknown = read_calibration(write("a.yaml", "%YAML:1.0\n---\nstation: \"a\"\ncalibrated: 0\nzoom: 3\n"));
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message.find("zoom: unknown key") != std::string::npos);

  auto range = read_calibration(
      write("b.yaml", "%YAML:1.0\n---\nstation: \"b\"\ncalibrated: 0\nquality:\n  min_brightness: 400\n"));
  REQUIRE_FALSE(range);
  CHECK(range.error().message.find("min_brightness") != std::string::npos);

  auto no_matrix = read_calibration(
      write("c.yaml",
            "%YAML:1.0\n---\nstation: \"c\"\ncalibrated: 1\nimage_width: 10\nimage_height: 10\npixels_per_mm: 1\n"));
  REQUIRE_FALSE(no_matrix);
  CHECK(no_matrix.error().message.find("camera_matrix") != std::string::npos);

  auto garbage = read_calibration(write("d.yaml", "\x01\x02{{{ not yaml ["));
  CHECK_FALSE(garbage);
}

TEST_CASE("load_station_calibration falls back to uncalibrated.yaml and says so", "[calibration]")
{
  test::TempDir dir;
  Calibration fallback;
  fallback.station = "uncalibrated";
  fallback.quality.min_sharpness = 42;
  REQUIRE(write_calibration(fallback, dir / "uncalibrated.yaml"));

  auto loaded = load_station_calibration(dir.path(), "bench-3");
  REQUIRE(loaded);
  CHECK(loaded->fallback);
  CHECK(loaded->file == dir / "uncalibrated.yaml");
  CHECK(loaded->calibration.quality.min_sharpness == Approx(42));
  CHECK(loaded->note.find("bench-3") != std::string::npos);
  CHECK(loaded->note.find("uncalibrated.yaml") != std::string::npos);

  Calibration own = fallback;
  own.station = "bench-3";
  own.quality.min_sharpness = 99;
  REQUIRE(write_calibration(own, dir / "bench-3.yaml"));
  loaded = load_station_calibration(dir.path(), "bench-3");
  REQUIRE(loaded);
  CHECK_FALSE(loaded->fallback);
  CHECK(loaded->calibration.quality.min_sharpness == Approx(99));

  CHECK_FALSE(load_station_calibration(dir.path(), "../etc/passwd"));
}

TEST_CASE("the shipped calibration files load", "[calibration]")
{
  const std::filesystem::path dir = std::filesystem::path(PICKVERIFY_SOURCE_DIR) / "calibration";
  auto uncalibrated = read_calibration(dir / "uncalibrated.yaml");
  REQUIRE(uncalibrated);
  CHECK_FALSE(uncalibrated->calibrated);
  auto demo = load_station_calibration(dir, "demo");
  REQUIRE(demo);
  CHECK_FALSE(demo->fallback);
  CHECK(demo->calibration.calibrated);
}

TEST_CASE("calibrate_from_camera collects boards from a camera's frames", "[calibration]")
{
  test::TempDir dir;
  const auto folder = test::write_boards(dir.path());
  CameraConfig config;
  config.kind = CameraKind::image_folder;
  config.location = folder.string();
  config.loop = false;
  auto camera = make_camera(config);

  CalibrationSettings settings = settings_for("bench-2");
  settings.camera_frames = 7;
  settings.camera_frame_stride = 1;
  int detecting = 0;
  auto calibration = calibrate_from_camera(*camera, settings, [&](const CalibrationProgress& p) {
    detecting += p.stage == CalibrationProgress::Stage::detecting ? 1 : 0;
  });
  REQUIRE(calibration);
  CHECK(calibration->images_used == 7);
  CHECK(detecting == 7);
  CHECK(calibration->camera_matrix[0] == Approx(k_fx).epsilon(0.02));

  // The camera runs out of frames before enough boards were seen: an error, not a hang.
  auto short_camera = make_camera(config);
  settings.camera_frames = 20;
  auto starved = calibrate_from_camera(*short_camera, settings);
  REQUIRE_FALSE(starved);
  CHECK(starved.error().type == ErrorType::device_offline);
}

TEST_CASE("read_calibration survives mutated files: an error or a calibration, never a crash", "[calibration]")
{
  test::TempDir dir;
  std::ifstream in(std::filesystem::path(PICKVERIFY_SOURCE_DIR) / "calibration" / "demo.yaml", std::ios::binary);
  const std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE_FALSE(original.empty());
  std::uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
  };
  const char k_tokens[] = "{}[]:-,\"'!%\n #0123456789.eE+x";
  int accepted = 0;
  for (int round = 0; round < 300; ++round) {
    std::string mutated = original;
    const int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = next() % mutated.size();
      switch (next() % 3) {
      case 0:
        mutated[at] = k_tokens[next() % (sizeof k_tokens - 1)];
        break;
      case 1:
        mutated.erase(at, 1 + next() % 8);
        break;
      default:
        mutated.insert(at, 1, k_tokens[next() % (sizeof k_tokens - 1)]);
        break;
      }
      if (mutated.empty()) {
        mutated = "x";
      }
    }
    const auto file = dir / "mutated.yaml";
    std::ofstream(file, std::ios::binary | std::ios::trunc) << mutated;
    auto read = read_calibration(file);
    if (read) {
      ++accepted;
      // Whatever got through must still satisfy the invariants the image check relies on.
      CHECK(read->quality.max_overexposed_fraction <= 1.0);
      if (read->calibrated) {
        CHECK(read->camera_matrix[0] > 0);
      }
    }
  }
  CHECK(accepted < 300); // the mutations do break most files
}
