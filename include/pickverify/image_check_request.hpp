// What the image check of a packed order must find: the units accepted at scan time. The pack
// session makes the request; the vision room answers it (image_check_result.hpp).
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

} // namespace pickverify
