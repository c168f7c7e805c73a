// What the image check of a packed order found. The vision room computes it (image_checker.hpp);
// the pack session only consumes it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <pickverify/image_check_request.hpp>

namespace pickverify {

enum class ImageCheckOutcome {
  passed,  // every expected unit found, nothing else
  failed,  // something missing or unexpected: an alert
  retake,  // the photo is unusable (blur, dark, over-exposed): not a failure, take another
  offline, // no camera: fail closed
};

std::string_view to_string(ImageCheckOutcome outcome);

struct ImageCheckResult {
  ImageCheckOutcome outcome = ImageCheckOutcome::offline;
  std::string reason;                  // what a picker reads
  std::vector<ExpectedUnit> found;     // expected units seen
  std::vector<ExpectedUnit> missing;   // expected units not seen
  std::vector<std::string> unexpected; // codes seen that the order does not expect (GTIN-14 or text)
  std::string evidence_hash;           // SHA-256 hex of the original JPEG
  std::string annotated_hash;          // SHA-256 hex of the annotated JPEG
};

} // namespace pickverify
