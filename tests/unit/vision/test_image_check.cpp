// The incident of ORD-2025-00145 as image checks: the correct pack passes, the size-10 box and the
// missing insoles fail with what a picker reads, an unusable photo is a retake, and the evidence
// is stored and verifiable.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <pickverify/camera.hpp>
#include <pickverify/evidence.hpp>
#include <pickverify/frame_quality.hpp>
#include <pickverify/image_check_request.hpp>
#include <pickverify/image_check_result.hpp>
#include <pickverify/image_checker.hpp>

#include "temp_dir.hpp"

using namespace pickverify;
namespace fs = std::filesystem;

namespace {

const fs::path k_source = PICKVERIFY_SOURCE_DIR;

ImageCheckRequest order_145()
{
  ImageCheckRequest request;
  request.expected = {
      {"09506000001418", "TR-RUN-09-D", "Trail runner, size 9, width D"},
      {"09506000001692", "ACC-INSOLE-M", "Cushion insoles, M"},
      {"09506000001760", "ACC-LACES-BLK", "Laces, black, 120 cm"},
      {"09506000001838", "CARE-BRUSH", "Shoe brush"},
      {"09506000001906", "CARE-SPRAY", "Water-repellent spray 200 ml"},
  };
  return request;
}

CapturedFrame demo_photo(const std::string& folder)
{
  auto frame = load_image_file((k_source / "demo/camera" / folder / "packed.jpg").string());
  REQUIRE(frame);
  return std::move(*frame);
}

ImageCheckSettings demo_settings(const test::TempDir& dir)
{
  ImageCheckSettings settings;
  settings.data_dir = dir.path();
  auto loaded = load_station_calibration(k_source / "calibration", "demo");
  REQUIRE(loaded);
  settings.calibration = loaded->calibration;
  return settings;
}

cv::Mat as_mat(CapturedFrame& frame)
{
  return cv::Mat(frame.height, frame.width, frame.format == PixelFormat::lum8 ? CV_8UC1 : CV_8UC3, frame.pixels.data(),
                 static_cast<std::size_t>(frame.stride));
}

} // namespace

TEST_CASE("run_image_check passes the correctly packed ORD-2025-00145", "[image-check][decode]")
{
  test::TempDir dir;
  const CapturedFrame photo = demo_photo("ORD-2025-00145");
  const ImageCheckResult result = run_image_check(photo, order_145(), demo_settings(dir));
  INFO(result.reason);
  CHECK(result.outcome == ImageCheckOutcome::passed);
  CHECK(result.found.size() == 5);
  CHECK(result.missing.empty());
  CHECK(result.unexpected.empty());
  CHECK(result.reason == "all 5 expected units found");
  REQUIRE(result.evidence_hash.size() == 64);
  REQUIRE(result.annotated_hash.size() == 64);
  CHECK(result.evidence_hash != result.annotated_hash);
  CHECK(verify_evidence(dir.path(), result.evidence_hash));
  CHECK(verify_evidence(dir.path(), result.annotated_hash));
}

TEST_CASE("run_image_check fails the size-10 box with missing and unexpected named", "[image-check][decode]")
{
  test::TempDir dir;
  const CapturedFrame photo = demo_photo("ORD-2025-00145-wrong-size");
  const ImageCheckResult result = run_image_check(photo, order_145(), demo_settings(dir));
  CHECK(result.outcome == ImageCheckOutcome::failed);
  REQUIRE(result.missing.size() == 1);
  CHECK(result.missing.front().sku == "TR-RUN-09-D");
  CHECK(result.unexpected == std::vector<std::string>{"09506000001487"});
  CHECK(result.reason == "missing: Trail runner, size 9, width D; unexpected: 09506000001487");
  CHECK(result.found.size() == 4);
  CHECK(verify_evidence(dir.path(), result.annotated_hash));
}

TEST_CASE("run_image_check fails the pack without its insoles", "[image-check][decode]")
{
  test::TempDir dir;
  const CapturedFrame photo = demo_photo("ORD-2025-00145-missing-accessory");
  const ImageCheckResult result = run_image_check(photo, order_145(), demo_settings(dir));
  CHECK(result.outcome == ImageCheckOutcome::failed);
  CHECK(result.reason == "missing: Cushion insoles, M");
  REQUIRE(result.missing.size() == 1);
  CHECK(result.missing.front().gtin14 == "09506000001692");
  CHECK(result.unexpected.empty());
}

TEST_CASE("run_image_check counts an item with EAN-13 and GS1 DataMatrix labels as one unit", "[image-check][decode]")
{
  test::TempDir dir;
  const CapturedFrame photo = demo_photo("ORD-2025-00145-spray-two-labels");
  const ImageCheckResult result = run_image_check(photo, order_145(), demo_settings(dir));
  INFO(result.reason);
  CHECK(result.outcome == ImageCheckOutcome::passed);
  CHECK(result.unexpected.empty());

  // Two labels of one spray are not two sprays.
  ImageCheckRequest two_sprays = order_145();
  two_sprays.expected.push_back({"09506000001906", "CARE-SPRAY", "Water-repellent spray 200 ml"});
  const ImageCheckResult short_one = run_image_check(photo, two_sprays, demo_settings(dir));
  CHECK(short_one.outcome == ImageCheckOutcome::failed);
  CHECK(short_one.reason == "missing: Water-repellent spray 200 ml");
}

TEST_CASE("run_image_check takes grey and RGB frames as well as BGR", "[image-check][decode]")
{
  test::TempDir dir;
  CapturedFrame photo = demo_photo("ORD-2025-00145");
  cv::Mat grey;
  cv::cvtColor(as_mat(photo), grey, cv::COLOR_BGR2GRAY);
  const FrameView grey_view{grey.data, grey.cols, grey.rows, static_cast<int>(grey.step[0]), PixelFormat::lum8};
  CHECK(run_image_check(grey_view, order_145(), demo_settings(dir)).outcome == ImageCheckOutcome::passed);
  cv::Mat rgb;
  cv::cvtColor(as_mat(photo), rgb, cv::COLOR_BGR2RGB);
  const FrameView rgb_view{rgb.data, rgb.cols, rgb.rows, static_cast<int>(rgb.step[0]), PixelFormat::rgb8};
  CHECK(run_image_check(rgb_view, order_145(), demo_settings(dir)).outcome == ImageCheckOutcome::passed);
}

TEST_CASE("run_image_check compares multisets: a second unit of one GTIN must be seen twice", "[image-check][decode]")
{
  test::TempDir dir;
  const CapturedFrame photo = demo_photo("ORD-2025-00145");
  ImageCheckRequest request = order_145();
  request.expected.push_back({"09506000001838", "CARE-BRUSH", "Shoe brush"});
  request.not_visible.push_back({"09506000009999", "GIFT-CARD", "Gift card"});
  const ImageCheckResult result = run_image_check(photo, request, demo_settings(dir));
  CHECK(result.outcome == ImageCheckOutcome::failed);
  CHECK(result.reason == "missing: Shoe brush; not checked (no visible barcode): Gift card");
}

TEST_CASE("run_image_check looks only inside the calibrated pack area", "[image-check][decode]")
{
  test::TempDir dir;
  ImageCheckSettings settings = demo_settings(dir);
  settings.calibration.pack_area = PixelRect{0, 0, 1920, 540}; // the back row of boxes only
  const ImageCheckResult result = run_image_check(demo_photo("ORD-2025-00145"), order_145(), settings);
  CHECK(result.outcome == ImageCheckOutcome::failed);
  CHECK(result.reason == "missing: Shoe brush, Water-repellent spray 200 ml");
}

TEST_CASE("run_image_check scales the calibration to a frame of the same aspect", "[image-check][decode]")
{
  test::TempDir dir;
  ImageCheckSettings settings = demo_settings(dir);
  Calibration& c = settings.calibration; // as if calibrated at 3840x2160, the camera now at 1920x1080
  c.image_width = 3840;
  c.image_height = 2160;
  c.camera_matrix = {3200, 0, 1920, 0, 3200, 1080, 0, 0, 1};
  c.pack_area = PixelRect{0, 0, 3840, 1080}; // the back row: the top half at either size
  const ImageCheckResult result = run_image_check(demo_photo("ORD-2025-00145"), order_145(), settings);
  CHECK(result.outcome == ImageCheckOutcome::failed);
  CHECK(result.reason == "missing: Shoe brush, Water-repellent spray 200 ml");
}

TEST_CASE("run_image_check asks for a retake of a blurred, dark or over-exposed photo", "[image-check]")
{
  test::TempDir dir;
  const ImageCheckSettings settings = demo_settings(dir);

  CapturedFrame blurred = demo_photo("ORD-2025-00145");
  cv::Mat blurred_mat = as_mat(blurred);
  cv::GaussianBlur(blurred_mat, blurred_mat, cv::Size(0, 0), 4.0);
  ImageCheckResult result = run_image_check(blurred, order_145(), settings);
  CHECK(result.outcome == ImageCheckOutcome::retake);
  CHECK(result.reason.find("blurred") != std::string::npos);
  CHECK(result.evidence_hash.empty());

  CapturedFrame dark = demo_photo("ORD-2025-00145");
  as_mat(dark) *= 0.15;
  result = run_image_check(dark, order_145(), settings);
  CHECK(result.outcome == ImageCheckOutcome::retake);
  CHECK(result.reason.find("too dark") != std::string::npos);

  CapturedFrame glare = demo_photo("ORD-2025-00145");
  as_mat(glare) *= 2.5;
  result = run_image_check(glare, order_145(), settings);
  CHECK(result.outcome == ImageCheckOutcome::retake);
  CHECK(result.reason.find("over-exposed") != std::string::npos);

  // Slightly soft: the quality gate of the demo calibration catches it before the decoder misses a label.
  CapturedFrame soft = demo_photo("ORD-2025-00145");
  cv::Mat soft_mat = as_mat(soft);
  cv::GaussianBlur(soft_mat, soft_mat, cv::Size(0, 0), 1.5);
  result = run_image_check(soft, order_145(), settings);
  CHECK(result.outcome == ImageCheckOutcome::retake);
  CHECK(result.reason.find("blurred") != std::string::npos);

  result = run_image_check(FrameView{}, order_145(), settings);
  CHECK(result.outcome == ImageCheckOutcome::retake);
}

TEST_CASE("run_image_check asks for a retake when a photo shows no barcode at all", "[image-check][decode]")
{
  test::TempDir dir;
  ImageCheckSettings settings = demo_settings(dir);
  settings.calibration.quality.min_sharpness = 0; // let the photo past the gate to reach the decoder
  CapturedFrame blurred = demo_photo("ORD-2025-00145");
  cv::Mat blurred_mat = as_mat(blurred);
  cv::GaussianBlur(blurred_mat, blurred_mat, cv::Size(0, 0), 8.0);
  const ImageCheckResult result = run_image_check(blurred, order_145(), settings);
  CHECK(result.outcome == ImageCheckOutcome::retake);
  CHECK(result.reason.find("no barcode found") != std::string::npos);
}

TEST_CASE("measure_quality tells a sharp photo from a blurred one", "[image-check]")
{
  CapturedFrame sharp = demo_photo("ORD-2025-00145");
  auto sharp_quality = measure_quality(sharp.view());
  REQUIRE(sharp_quality);
  CapturedFrame soft = demo_photo("ORD-2025-00145");
  cv::Mat soft_mat = as_mat(soft);
  cv::GaussianBlur(soft_mat, soft_mat, cv::Size(0, 0), 2.5);
  auto soft_quality = measure_quality(soft.view());
  REQUIRE(soft_quality);
  CHECK(sharp_quality->sharpness > 3 * soft_quality->sharpness);
  CHECK(sharp_quality->brightness == Approx(soft_quality->brightness).margin(2));
  CHECK(quality_problem(*sharp_quality, QualityThresholds{}).empty());
  CHECK_FALSE(quality_problem(*soft_quality, QualityThresholds{}).empty());
  CHECK_FALSE(measure_quality(FrameView{}));
}

TEST_CASE("capture_and_check checks the virtual camera's photo, and fails closed without a camera",
          "[image-check][decode]")
{
  test::TempDir dir;
  CameraConfig config;
  config.kind = CameraKind::image_folder;
  config.location = (k_source / "demo/camera/ORD-2025-00145").string();
  auto camera = make_camera(config);
  auto result = capture_and_check(*camera, order_145(), demo_settings(dir));
  REQUIRE(result);
  CHECK(result->outcome == ImageCheckOutcome::passed);
  CHECK(verify_evidence(dir.path(), result->evidence_hash));

  config.location = (dir / "no-camera-here").string();
  auto offline_camera = make_camera(config);
  auto offline = capture_and_check(*offline_camera, order_145(), demo_settings(dir));
  REQUIRE(offline);
  CHECK(offline->outcome == ImageCheckOutcome::offline);
  CHECK(offline->reason.find("offline") != std::string::npos);
}

TEST_CASE("capture_and_check reports evidence that cannot be stored as an error", "[image-check][decode]")
{
  test::TempDir dir;
  CameraConfig config;
  config.kind = CameraKind::image_folder;
  config.location = (k_source / "demo/camera/ORD-2025-00145").string();
  auto camera = make_camera(config);
  ImageCheckSettings settings = demo_settings(dir);
  std::ofstream(dir / "blocker") << "a file, not a folder";
  settings.data_dir = dir / "blocker";
  auto result = capture_and_check(*camera, order_145(), settings);
  REQUIRE_FALSE(result);
  CHECK(result.error().type == ErrorType::io);

  const CapturedFrame photo = demo_photo("ORD-2025-00145");
  const ImageCheckResult retake = run_image_check(photo, order_145(), settings);
  CHECK(retake.outcome == ImageCheckOutcome::retake);
  CHECK(retake.reason.find("evidence") != std::string::npos);
}
