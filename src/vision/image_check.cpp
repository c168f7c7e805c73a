// The image check: quality gate, undistort, crop to the pack area, decode, compare the multiset of
// GTIN-14s with the expected units, store the evidence.
#include <pickverify/camera.hpp>
#include <pickverify/evidence.hpp>
#include <pickverify/expected.hpp>
#include <pickverify/frame_quality.hpp>
#include <pickverify/image_check_request.hpp>
#include <pickverify/image_check_result.hpp>
#include <pickverify/image_checker.hpp>

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <pickverify/codes.hpp>

#include "annotated_photo.hpp"
#include "frame_mat.hpp"
#include "image_check_internal.hpp"
#include "quality.hpp"

namespace pickverify {

namespace vision {

namespace {

std::string unit_name(const ExpectedUnit& unit)
{
  if (!unit.description.empty()) {
    return unit.description;
  }
  return unit.sku.empty() ? unit.gtin14 : unit.sku;
}

// "Running socks, M (x2)": one entry per distinct name, in first-seen order.
std::string list_names(const std::vector<std::string>& names)
{
  std::vector<std::pair<std::string, int>> counted;
  for (const std::string& name : names) {
    auto it = std::find_if(counted.begin(), counted.end(), [&](const auto& entry) { return entry.first == name; });
    if (it == counted.end()) {
      counted.emplace_back(name, 1);
    } else {
      ++it->second;
    }
  }
  std::string out;
  for (const auto& [name, count] : counted) {
    if (!out.empty()) {
      out += ", ";
    }
    out += count > 1 ? fmt::format("{} (x{})", name, count) : name;
  }
  return out;
}

} // namespace

Comparison compare_units(const std::vector<Symbol>& symbols, const ImageCheckRequest& request,
                         bool ignore_non_product_codes)
{
  Comparison comparison;
  // The expected entries of each GTIN, in request order.
  std::map<std::string, std::vector<std::size_t>> expected_of;
  for (std::size_t i = 0; i < request.expected.size(); ++i) {
    expected_of[request.expected[i].gtin14].push_back(i);
  }
  std::vector<bool> claimed(request.expected.size(), false);

  // Units of a GTIN in the photo: the most labels of any one symbology. Two boxes with an EAN-13
  // each are two units; one spray showing its EAN-13 and its GS1 DataMatrix is one.
  std::map<std::pair<std::string, BarcodeFormat>, std::size_t> seen_per_format;
  std::map<std::string, std::size_t> units_of;
  std::vector<std::string> gtin_of_symbol(symbols.size());

  for (std::size_t s = 0; s < symbols.size(); ++s) {
    const Symbol& symbol = symbols[s];
    const ParsedCode code =
        parse_code(symbol.text, symbol.aim.empty() ? std::nullopt : std::optional<std::string_view>(symbol.aim));
    SymbolVerdict verdict;
    verdict.symbol = symbol;
    if (code.kind == CodeKind::gtin) {
      gtin_of_symbol[s] = code.gtin14;
      verdict.key = code.gtin14;
      const std::size_t unit = seen_per_format[{code.gtin14, symbol.format}]++; // this label is unit #unit
      units_of[code.gtin14] = std::max(units_of[code.gtin14], unit + 1);
      const auto it = expected_of.find(code.gtin14);
      if (it != expected_of.end() && unit < it->second.size()) {
        const std::size_t index = it->second[unit];
        claimed[index] = true;
        verdict.mark = SymbolMark::expected;
        verdict.label = unit_name(request.expected[index]);
      } else {
        verdict.mark = SymbolMark::unexpected;
        verdict.label = "unexpected " + code.gtin14;
      }
    } else if (ignore_non_product_codes && code.kind != CodeKind::malformed) {
      verdict.mark = SymbolMark::ignored;
      verdict.key = symbol.text;
      verdict.label = symbol.text;
    } else {
      verdict.mark = SymbolMark::unexpected;
      verdict.key = symbol.text;
      verdict.label = code.kind == CodeKind::malformed ? fmt::format("{} ({})", symbol.text, code.reason) : symbol.text;
    }
    comparison.symbols.push_back(std::move(verdict));
  }

  // Unexpected units, in the order they first appear: each surplus GTIN unit once, and every
  // symbol that is not a trade item.
  std::map<std::string, bool> listed;
  for (std::size_t s = 0; s < symbols.size(); ++s) {
    const std::string& gtin = gtin_of_symbol[s];
    if (gtin.empty()) {
      if (comparison.symbols[s].mark == SymbolMark::unexpected) {
        comparison.unexpected.push_back(comparison.symbols[s].key);
      }
      continue;
    }
    if (listed[gtin]) {
      continue;
    }
    listed[gtin] = true;
    const auto it = expected_of.find(gtin);
    const std::size_t expected = it == expected_of.end() ? 0 : it->second.size();
    for (std::size_t surplus = expected; surplus < units_of[gtin]; ++surplus) {
      comparison.unexpected.push_back(gtin);
    }
  }
  for (std::size_t i = 0; i < request.expected.size(); ++i) {
    (claimed[i] ? comparison.found : comparison.missing).push_back(request.expected[i]);
  }
  return comparison;
}

std::string describe(const Comparison& comparison, const ImageCheckRequest& request, std::size_t symbols_seen)
{
  std::string reason;
  if (comparison.missing.empty() && comparison.unexpected.empty()) {
    std::int64_t units = 0;
    for (const ExpectedUnit& unit : comparison.found) {
      units += unit.units;
    }
    reason = fmt::format("all {} expected unit{} found", units, units == 1 ? "" : "s");
  } else {
    std::vector<std::string> parts;
    if (symbols_seen == 0) {
      parts.emplace_back("no barcode found in the photo"); // only when nothing was expected to be seen
    }
    if (!comparison.missing.empty()) {
      std::vector<std::string> names;
      for (const ExpectedUnit& unit : comparison.missing) {
        names.push_back(unit_name(unit));
      }
      parts.push_back("missing: " + list_names(names));
    }
    if (!comparison.unexpected.empty()) {
      parts.push_back("unexpected: " + list_names(comparison.unexpected));
    }
    for (const std::string& part : parts) {
      reason += reason.empty() ? part : "; " + part;
    }
  }
  if (!request.not_visible.empty()) {
    std::vector<std::string> names;
    for (const ExpectedUnit& unit : request.not_visible) {
      names.push_back(unit_name(unit));
    }
    reason += "; not checked (no visible barcode): " + list_names(names);
  }
  return reason;
}

} // namespace vision

namespace {

using namespace vision;

// Scales intrinsics and the pack area when the frame is the calibrated size times a factor
// (a camera set to 1280×720 after calibrating at 1920×1080).
struct Geometry {
  bool undistort = false;
  cv::Mat camera_matrix;
  cv::Mat distortion;
  cv::Rect pack_area;
};

Geometry geometry_for(const Calibration& calibration, const cv::Size& frame_size)
{
  Geometry geometry;
  geometry.pack_area = cv::Rect(0, 0, frame_size.width, frame_size.height);
  double sx = 1;
  double sy = 1;
  if (calibration.image_width > 0 && calibration.image_height > 0) {
    sx = static_cast<double>(frame_size.width) / calibration.image_width;
    sy = static_cast<double>(frame_size.height) / calibration.image_height;
  }
  const bool same_aspect = std::abs(sx - sy) < 0.01;
  if (calibration.calibrated && same_aspect && calibration.camera_matrix[0] > 0) {
    geometry.camera_matrix = cv::Mat(3, 3, CV_64F);
    for (int i = 0; i < 9; ++i) {
      geometry.camera_matrix.at<double>(i / 3, i % 3) = calibration.camera_matrix[static_cast<std::size_t>(i)];
    }
    geometry.camera_matrix.row(0) *= sx;
    geometry.camera_matrix.row(1) *= sy;
    geometry.distortion = cv::Mat(calibration.distortion, true).reshape(1, 1);
    geometry.undistort = true;
  }
  if (!calibration.pack_area.empty() && same_aspect) {
    const PixelRect& a = calibration.pack_area;
    const cv::Rect scaled(static_cast<int>(a.x * sx), static_cast<int>(a.y * sy), static_cast<int>(a.width * sx),
                          static_cast<int>(a.height * sy));
    const cv::Rect clipped = scaled & geometry.pack_area;
    if (!clipped.empty()) {
      geometry.pack_area = clipped;
    }
  }
  return geometry;
}

ImageCheckResult retake(std::string reason)
{
  ImageCheckResult result;
  result.outcome = ImageCheckOutcome::retake;
  result.reason = std::move(reason);
  return result;
}

Result<ImageCheckResult> check(const FrameView& frame, const ImageCheckRequest& request,
                               const ImageCheckSettings& settings)
{
  cv::Mat original;
  try {
    original = vision::to_bgr(frame);
  } catch (const cv::Exception& e) {
    return retake(fmt::format("the camera frame is unusable ({}): take the photo again", e.what()));
  }
  if (original.empty()) {
    return retake(fmt::format("the camera frame is unusable ({}x{}): take the photo again", frame.width, frame.height));
  }

  cv::Mat corrected;
  Geometry geometry;
  try {
    geometry = geometry_for(settings.calibration, original.size());
    if (geometry.undistort) {
      cv::undistort(original, corrected, geometry.camera_matrix, geometry.distortion);
    } else {
      corrected = original;
    }
  } catch (const cv::Exception& e) {
    return retake(fmt::format("cannot correct the photo with the calibration ({}): recalibrate the camera", e.what()));
  }
  const cv::Mat pack = corrected(geometry.pack_area).clone(); // contiguous, for the decoder

  cv::Mat grey;
  cv::cvtColor(pack, grey, cv::COLOR_BGR2GRAY);
  const FrameQuality quality = vision::measure_grey(grey);
  if (std::string problem = quality_problem(quality, settings.calibration.quality); !problem.empty()) {
    return retake(std::move(problem));
  }

  const FrameView pack_view{pack.data, pack.cols, pack.rows, static_cast<int>(pack.step[0]), PixelFormat::bgr8};
  auto symbols = decode(pack_view, settings.decode);
  if (!symbols) {
    return retake("the barcode reader could not read the photo (" + symbols.error().message + "): take it again");
  }
  if (symbols->empty() && !request.expected.empty()) {
    // Sharp and well lit, yet not one barcode: the labels face away or the camera looks elsewhere.
    // Asking again keeps the pack blocked without raising an alert over a bad photo.
    return retake("no barcode found in the photo: turn the labels towards the camera and take it again");
  }
  // Back to corrected-frame pixels, for the annotated copy.
  for (Symbol& symbol : *symbols) {
    for (Point& p : symbol.corners) {
      p.x += geometry.pack_area.x;
      p.y += geometry.pack_area.y;
    }
  }

  const Comparison comparison = compare_units(*symbols, request, settings.ignore_non_product_codes);
  ImageCheckResult result;
  const bool passed = comparison.missing.empty() && comparison.unexpected.empty();
  result.outcome = passed ? ImageCheckOutcome::passed : ImageCheckOutcome::failed;
  result.reason = describe(comparison, request, symbols->size());
  result.found = comparison.found;
  result.missing = comparison.missing;
  result.unexpected = comparison.unexpected;

  if (settings.data_dir.empty()) {
    return result;
  }
  std::vector<vision::MarkedSymbol> marked;
  for (const SymbolVerdict& verdict : comparison.symbols) {
    vision::MarkedSymbol m;
    std::copy(std::begin(verdict.symbol.corners), std::end(verdict.symbol.corners), std::begin(m.corners));
    m.label = verdict.label;
    m.mark = verdict.mark == SymbolMark::expected     ? vision::Mark::expected
             : verdict.mark == SymbolMark::unexpected ? vision::Mark::unexpected
                                                      : vision::Mark::ignored;
    marked.push_back(std::move(m));
  }
  std::vector<std::string> banner;
  banner.push_back(
      fmt::format("IMAGE CHECK {}: {} of {} expected units found{}", passed ? "PASSED" : "FAILED",
                  comparison.found.size(), request.expected.size(),
                  comparison.unexpected.empty() ? "" : fmt::format(", {} unexpected", comparison.unexpected.size())));
  for (const ExpectedUnit& unit : comparison.missing) {
    banner.push_back(
        fmt::format("MISSING: {} ({})", unit.description.empty() ? unit.sku : unit.description, unit.gtin14));
  }
  const PixelRect area{geometry.pack_area.x, geometry.pack_area.y, geometry.pack_area.width, geometry.pack_area.height};
  const cv::Mat annotated = vision::annotate(corrected, marked, area, passed, banner);

  auto original_jpeg = vision::encode_jpeg(original, settings.jpeg_quality);
  auto annotated_jpeg = vision::encode_jpeg(annotated, settings.jpeg_quality);
  if (!original_jpeg || !annotated_jpeg) {
    return make_error(ErrorType::internal,
                      "evidence: " + (original_jpeg ? annotated_jpeg : original_jpeg).error().message);
  }
  PV_TRY_ASSIGN(auto original_hash, store_evidence(settings.data_dir, *original_jpeg));
  PV_TRY_ASSIGN(auto annotated_hash, store_evidence(settings.data_dir, *annotated_jpeg));
  result.evidence_hash = original_hash;
  result.annotated_hash = annotated_hash;
  return result;
}

} // namespace

ImageCheckResult run_image_check(const FrameView& frame, const ImageCheckRequest& request,
                                 const ImageCheckSettings& settings)
{
  try {
    auto result = check(frame, request, settings);
    if (!result) {
      // Without its evidence the check cannot count: the pack stays blocked.
      return retake("the photo could not be stored as evidence (" + result.error().message +
                    "): take it again; call a supervisor if this repeats");
    }
    return *result;
  } catch (const std::exception& e) {
    return retake(fmt::format("the image check failed ({}): take the photo again", e.what()));
  }
}

ImageCheckResult run_image_check(const CapturedFrame& frame, const ImageCheckRequest& request,
                                 const ImageCheckSettings& settings)
{
  return run_image_check(frame.view(), request, settings);
}

Result<ImageCheckResult> capture_and_check(CameraSource& camera, const ImageCheckRequest& request,
                                           const ImageCheckSettings& settings)
{
  Result<CapturedFrame> frame = camera.grab();
  for (int skipped = 0; frame && skipped < settings.camera_skip_frames; ++skipped) {
    frame = camera.grab();
  }
  if (!frame) {
    ImageCheckResult result;
    result.outcome = ImageCheckOutcome::offline;
    result.reason = fmt::format("camera {} is offline ({}): the pack stays blocked until it is back",
                                camera.device_id(), frame.error().message);
    return result;
  }
  try {
    return check(frame->view(), request, settings);
  } catch (const std::exception& e) {
    return make_error(ErrorType::internal, fmt::format("image check: {}", e.what()));
  }
}

} // namespace pickverify
