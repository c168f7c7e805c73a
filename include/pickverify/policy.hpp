// What a site decides: thresholds, windows, and who may clear what. Read from the configuration file
// (docs/CONFIGURATION.md); these defaults hold when it says nothing.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>

#include <pickverify/weighing.hpp>

namespace pickverify {

enum class Verdict {
  accepted,       // counted on a line
  wrong_variant,  // same style, attributes differ: each difference named
  wrong_item,     // a catalog item that is not on the order
  over_quantity,  // the line is already complete
  unknown_code,   // a valid code that is not in the catalog, or not a product code
  malformed,      // bad check digit, broken GS1 data: a bad read, nothing is counted
  duplicate,      // the same code from the same source inside the bounce window, or a serial already
                  // counted in this session: logged, not counted
  serial_missing, // a serial-tracked unit without its serial: not counted ("scan the serial label")
  serial_packed,  // a serial already packed in another order: not counted, says where it went
  sealed_pack,    // a sealed inner pack or case (or a (02)+(37) label) where policy counts eaches only:
                  // nothing counted, the picker opens it and scans the items
};

std::string_view to_string(Verdict verdict);

// Every verdict, in declaration order (for parsing names and for per-verdict counters).
inline constexpr std::array k_all_verdicts{
    Verdict::accepted,  Verdict::wrong_variant, Verdict::wrong_item,     Verdict::over_quantity, Verdict::unknown_code,
    Verdict::malformed, Verdict::duplicate,     Verdict::serial_missing, Verdict::serial_packed, Verdict::sealed_pack};

// Who acts on an alert.
enum class Role { picker, supervisor };

std::string_view to_string(Role role);

// Which orders a picker may enter codes for by typing (not scanning).
enum class ManualEntry { never, low_value_only, always };

struct Policy {
  // An order at or above this value (in minor units of the order's own currency) needs the image check.
  std::int64_t high_value_threshold_minor = 20000;
  std::chrono::milliseconds bounce_window{300};
  // Verdicts that open an alert and block the session.
  std::set<Verdict> alert_on{Verdict::wrong_variant, Verdict::wrong_item, Verdict::over_quantity, Verdict::unknown_code,
                             Verdict::serial_packed};
  // Alert kinds a picker may clear (after setting the item aside); supervisors may clear any.
  std::set<Verdict> picker_may_clear{Verdict::duplicate, Verdict::unknown_code};
  ManualEntry manual_entry = ManualEntry::low_value_only;
  // Check-weighing before release ([policy.weighing], docs/CONFIGURATION.md).
  WeighingPolicy weighing;
  // A scan of a sealed inner pack or case (or a (02)+(37) label) counts its whole quantity. When
  // false, such a scan is refused with an instruction to open it and scan the items.
  bool sealed_packs = false;
  // GS1 association rules: "(02) needs (37)" and the like are checked on every scan. Invalid pairs
  // are checked always; false skips the "needs" rules for sites whose labels spread one item's
  // data over several barcodes.
  bool gs1_requisite_ais = true;
};

} // namespace pickverify
