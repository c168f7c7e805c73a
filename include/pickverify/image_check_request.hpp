// What the image check of a packed order must find: the units accepted at scan time. The pack
// session makes the request; the vision room answers it (image_check_result.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pickverify {

// One label the photo must show: a GTIN that was accepted at scan time, with the units it stands for
// (a sealed case of 12 counted as 12 is one label of 12 units).
struct ExpectedUnit {
  std::string gtin14;
  std::string sku;
  std::string description; // "Trail runner, size 9", "Running socks, M (a case of 12)"
  std::int32_t units = 1;
};

struct ImageCheckRequest {
  std::vector<ExpectedUnit> expected;    // one entry per label scanned (a quantity of 2 is two entries)
  std::vector<ExpectedUnit> not_visible; // items flagged "no visible barcode": excluded, listed
};

} // namespace pickverify
