// Orders and their lines. A line names an exact SKU, or a style plus the attributes it needs. Kit
// lines expand to component lines; accessories are ordinary lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pickverify/catalog.hpp>
#include <pickverify/error.hpp>

namespace pickverify {

struct OrderLine {
  std::int32_t line_no = 0;       // 1-based, as on the pick list
  std::string sku;                // exact item or kit; empty when style is used
  std::string style;              // any item of this style with the required attributes
  Attributes required_attributes; // with style: {"size": "9"}
  std::int32_t quantity = 1;
  std::string description;
};

struct Order {
  std::string id; // "ORD-2025-00145"
  Money value;
  std::vector<OrderLine> lines;
  bool image_check_flagged = false; // the image check is required whatever the value
  std::string customer;
};

// One unit-bearing line after kit expansion: what the session counts scans against.
struct ExpectedLine {
  std::int32_t line_no = 0; // the order line it came from
  std::string kit_sku;      // set when it is a kit component
  std::string sku;          // exact item, or empty with style
  std::string style;
  Attributes required_attributes;
  std::int32_t quantity = 1;
  std::string description; // what a picker reads: "Trail runner, size 9"
};

// Expands kit lines into their components and checks every SKU/style exists in the catalog.
Result<std::vector<ExpectedLine>> expand_order(const Order& order, const Catalog& catalog);

} // namespace pickverify
