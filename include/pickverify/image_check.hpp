// The image check's contract with the domain: what the photo must show, and what it showed.
// The vision room computes the result; the pack session only consumes it.
#pragma once

#include <string>
#include <vector>

namespace pickverify {

// One unit the photo must show: a GTIN that was accepted at scan time.
struct ExpectedUnit {
  std::string gtin14;
  std::string sku;
  std::string description; // "Trail runner, size 9"
};

struct ImageCheckRequest {
  std::vector<ExpectedUnit> expected;    // one entry per unit (a quantity of 2 is two entries)
  std::vector<ExpectedUnit> not_visible; // items flagged "no visible barcode": excluded, listed
};

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
