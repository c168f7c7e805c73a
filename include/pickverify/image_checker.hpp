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

#include <pickverify/calibration.hpp>
#include <pickverify/camera.hpp>
#include <pickverify/decode.hpp>
#include <pickverify/error.hpp>
#include <pickverify/image_check_request.hpp>
#include <pickverify/image_check_result.hpp>

namespace pickverify {

struct ImageCheckSettings {
  std::filesystem::path data_dir; // evidence goes to <data_dir>/evidence/; empty: no evidence stored
  Calibration calibration;        // quality thresholds, undistortion, pack area
  DecodeOptions decode = DecodeOptions{}.effort(DecodeEffort::still); // a photo: the still budget
  int jpeg_quality = 92;
  int camera_skip_frames = 0; // capture_and_check: drop this many frames first (stale buffers of live cameras)
  // Codes that are not trade items (order-id QR codes, SSCC shipping labels) are shown grey in the
  // annotated photo instead of failing the check. Off: anything that is not expected fails it.
  bool ignore_non_product_codes = false;
};

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

} // namespace pickverify
