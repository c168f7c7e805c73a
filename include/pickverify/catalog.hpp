// The catalog: what a GTIN is. Items carry their variant attributes (size, width, colour …) and
// their packaging levels (inner packs and cases with GTINs of their own); kits name their parts:
// exact items, or styles that the order line completes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <pickverify/error.hpp>

namespace pickverify {

// Money is integer minor units plus an ISO 4217 currency code.
struct Money {
  std::int64_t minor = 0;
  std::string currency = "USD";

  friend bool operator==(const Money&, const Money&) = default;
};

std::string format_money(const Money& money);                                  // "$285.00", "€12.50", "12.50 CHF"
Result<Money> parse_money(std::string_view amount, std::string_view currency); // "285.00" + "USD"

// Variant attributes, ordered so that messages and encodings are deterministic.
using Attributes = std::map<std::string, std::string>;
std::string describe_attributes(const Attributes& attributes);           // "colour black, size 9"
bool attributes_satisfy(const Attributes& have, const Attributes& need); // every needed one, with its value

// A packaging level above the each: an inner pack or a case, with a GTIN of its own (a case is often
// the each's GTIN-14 with indicator digit 1–8) and the number of eaches sealed inside.
struct Pack {
  std::string level;         // "inner" or "case"
  std::string gtin;          // 14-digit form
  std::int32_t quantity = 0; // eaches inside, 2 or more
};

constexpr std::int32_t k_max_pack_quantity = 100'000;

std::string describe_pack(const Pack& pack); // "a case of 12", "an inner pack of 6"

struct Item {
  std::string sku;
  std::string style; // product family: items of one style differ only in attributes
  std::string description;
  std::vector<std::string> gtins; // 14-digit form
  Attributes attributes;          // {"size": "9", "width": "D", "colour": "black"}
  std::int32_t weight_g = 0;
  Money unit_value;
  bool image_check_required = false; // any order holding it needs the image check
  // Serial-tracked: every unit needs its own serial, from AI 21 in the same scan, or (serial_label)
  // from a second scan of the unit's separate serial label right after the product barcode.
  bool serial_tracked = false;
  bool serial_label = false;       // implies serial_tracked
  bool no_visible_barcode = false; // cannot be seen in a photo of the pack: excluded from the image check
  std::vector<Pack> packs;         // inner packs and cases of this item; the GTINs above are the eaches
};

// What a GTIN names: an item, as an each (pack == nullptr) or as one of its packs.
struct Identified {
  const Item* item = nullptr;
  const Pack* pack = nullptr;
  std::int32_t units() const { return pack ? pack->quantity : 1; }
  explicit operator bool() const { return item != nullptr; }
};

// A part of a kit: an exact item, or an item of a style that the order line completes. A style part
// fixes some attributes ("colour": "black"), takes others from the order line ("size", "width": the
// size ordered), and lets the rest be anything; so one kit "trail runner in the size ordered + shoe
// tree + laces" serves every size.
struct KitComponent {
  std::string sku; // an exact item; empty for a style part
  std::int32_t quantity = 1;
  // ({} initialisers: KitComponent{"BRUSH", 2} names an exact item without listing the rest)
  std::string style{};                   // a style part: an item of this style …
  Attributes fixed_attributes{};         // … with these attributes, fixed by the kit …
  std::vector<std::string> from_order{}; // … and these, whose values the order line gives
};

struct Kit {
  std::string sku;
  std::string description;
  std::vector<KitComponent> components;
};

// The attribute names a kit's order line must give: every style part's from_order, sorted, once each.
std::vector<std::string> kit_order_attributes(const Kit& kit);

class Catalog {
public:
  // Validates as it adds: a GTIN (of an each or a pack) may belong to one item only, SKUs are unique,
  // GTINs are valid, a pack is an inner or a case of 2 or more.
  Result<void> add_item(Item item);
  // Parts must exist already: an item, or a style with an item that has the fixed attributes and
  // every attribute taken from the order.
  Result<void> add_kit(Kit kit);

  const Item* find_by_gtin(std::string_view gtin14) const; // the item, whatever the packaging level
  Identified identify(std::string_view gtin14) const;
  const Item* find_item(std::string_view sku) const;
  const Kit* find_kit(std::string_view sku) const;
  std::vector<const Item*> items_of_style(std::string_view style) const;

  const std::vector<Item>& items() const { return m_items; }
  const std::vector<Kit>& kits() const { return m_kits; }

private:
  Result<void> check_style_part(const Kit& kit, const KitComponent& part) const;

  std::vector<Item> m_items;
  std::vector<Kit> m_kits;
  struct GtinRef {
    std::size_t item;
    std::optional<std::size_t> pack;
  };
  std::unordered_map<std::string, GtinRef> m_by_gtin;
  std::unordered_map<std::string, std::size_t> m_by_sku;
  std::unordered_map<std::string, std::size_t> m_kit_by_sku;
};

} // namespace pickverify
