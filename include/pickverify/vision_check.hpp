// The image check of high-value orders, and its evidence photos.
//
// A photo of the packed items passes when the multiset of GTIN-14s decoded in the calibrated pack
// area equals the expected units: every unit found, nothing else. A GTIN counts as many units as
// it has labels of any one symbology, so an item labelled with both an EAN-13 and a GS1 DataMatrix
// is one unit. An unusable photo (blurred, dark,
// over-exposed) is "retake" with the reason, never a failure. The original frame and an annotated
// copy are stored content-addressed by SHA-256 under <data_dir>/evidence/, and the hashes are
// returned so the journal can carry them. No OpenCV or ZXing type appears here.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/calibration.hpp>
#include <pickverify/camera.hpp>
#include <pickverify/decode.hpp>
#include <pickverify/error.hpp>
#include <pickverify/image_check.hpp>

namespace pickverify {

struct ImageCheckSettings {
  std::filesystem::path data_dir; // evidence goes to <data_dir>/evidence/; empty: no evidence stored
  Calibration calibration;        // quality thresholds, undistortion, pack area
  DecodeOptions decode;
  int jpeg_quality = 92;
  int camera_skip_frames = 0; // capture_and_check: drop this many frames first (stale buffers of live cameras)
  // Codes that are not trade items (order-id QR codes, SSCC shipping labels) are shown grey in the
  // annotated photo instead of failing the check. Off: anything that is not expected fails it.
  bool ignore_non_product_codes = false;
};

// What the quality gate measured; a "retake" reason quotes these.
struct FrameQuality {
  double sharpness = 0;            // variance of the Laplacian in the sharpest tile
  double brightness = 0;           // mean grey level
  double dark_percentile = 0;      // 5th percentile grey level
  double bright_percentile = 0;    // 95th percentile grey level
  double overexposed_fraction = 0; // share of pixels at 250 or above
};

// Measures a frame (or the part of it inside area, when not empty).
Result<FrameQuality> measure_quality(const FrameView& frame, const PixelRect& area = {});

// Empty when the quality is good enough; otherwise the reason a picker reads.
std::string quality_problem(const FrameQuality& quality, const QualityThresholds& thresholds);

// The check itself. Never throws; an unusable frame is retake, a storage failure is retake too
// (the pack stays blocked) with the reason naming it.
ImageCheckResult run_image_check(const FrameView& frame, const ImageCheckRequest& request,
                                 const ImageCheckSettings& settings);
ImageCheckResult run_image_check(const CapturedFrame& frame, const ImageCheckRequest& request,
                                 const ImageCheckSettings& settings);

// Grabs a frame from the camera and checks it. An offline camera is outcome offline with the
// camera's message (fail closed), not an error; an error means the evidence could not be stored.
Result<ImageCheckResult> capture_and_check(CameraSource& camera, const ImageCheckRequest& request,
                                           const ImageCheckSettings& settings);

// --- Evidence -----------------------------------------------------------------------------------

// SHA-256 of bytes as 64 lower-case hex digits (libsodium).
std::string sha256_hex(const std::uint8_t* data, std::size_t size);

// <data_dir>/evidence/<first 2 hex>/<hash>.jpg
std::filesystem::path evidence_path(const std::filesystem::path& data_dir, std::string_view sha256_hex);

// Stores bytes content-addressed (temp file, fsync, rename, fsync of the folder); returns the hash.
// Storing the same bytes twice is a no-op that returns the same hash.
Result<std::string> store_evidence(const std::filesystem::path& data_dir, const std::vector<std::uint8_t>& jpeg);

// Re-hashes the stored file: not_found when it is missing, corrupt when its bytes differ from the hash.
Result<void> verify_evidence(const std::filesystem::path& data_dir, std::string_view sha256_hex);

} // namespace pickverify
