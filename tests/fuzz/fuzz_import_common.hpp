// Shared by the importer fuzz targets: the promises every catalog or orders import keeps, whatever
// the bytes — no exception escapes, an error names the file and stays short, and what is imported
// holds only clean text (no NUL, valid UTF-8) and valid 14-digit GTINs.
#pragma once

#include <string>
#include <string_view>

#include <pickverify/catalog.hpp>
#include <pickverify/codes.hpp>
#include <pickverify/order.hpp>

#include "importer.hpp"
#include "transcript.hpp"
#include "utf8.hpp"

namespace fuzz_import {

inline void require(bool condition)
{
  if (!condition) {
    __builtin_trap();
  }
}

inline bool clean(std::string_view text)
{
  return text.find('\0') == std::string_view::npos && !pickverify::app::invalid_utf8_at(text);
}

// A small catalog the orders are checked against: two sizes of one style, an item, a kit.
inline const pickverify::Catalog& base_catalog()
{
  static const pickverify::Catalog catalog = [] {
    pickverify::Catalog built;
    auto imported = pickverify::app::import_catalog("type,sku,style,gtins,attributes,components\n"
                                                    "item,TR-9,TR,9506000001418,size=9;width=D,\n"
                                                    "item,TR-10,TR,9506000001487,size=10;width=D,\n"
                                                    "item,INSOLE,,9506000001692,,\n"
                                                    "kit,KIT-1,,,,TR-9*1;INSOLE*2\n",
                                                    pickverify::app::FileFormat::csv, "base.csv", built);
    require(imported.has_value());
    return built;
  }();
  return catalog;
}

inline void check_error(const pickverify::Error& error, const std::string& name)
{
  require(error.type == pickverify::ErrorType::invalid_input);
  require(error.message.rfind(name, 0) == 0);
  // At most 50 problems of at most a few hundred bytes each: a huge value is never echoed.
  require(error.message.size() < 64 * 1024);
}

inline void check_catalog(const pickverify::Catalog& catalog)
{
  for (const auto& item : catalog.items()) {
    require(!item.sku.empty() && clean(item.sku) && clean(item.style) && clean(item.description));
    require(!item.gtins.empty());
    for (const auto& gtin : item.gtins) {
      require(gtin.size() == 14 && pickverify::has_valid_gtin_check_digit(gtin));
    }
    for (const auto& [name, value] : item.attributes) {
      require(clean(name) && clean(value));
    }
    require(item.weight_g >= 0 && item.unit_value.minor >= 0);
  }
  for (const auto& kit : catalog.kits()) {
    require(!kit.sku.empty() && clean(kit.sku) && !kit.components.empty());
    for (const auto& component : kit.components) {
      require(catalog.find_item(component.sku) != nullptr && component.quantity >= 1);
    }
  }
}

inline void check_orders(const std::vector<pickverify::Order>& orders, const pickverify::Catalog& catalog)
{
  for (const auto& order : orders) {
    require(!order.id.empty() && clean(order.id) && clean(order.customer));
    require(!order.lines.empty() && order.value.minor >= 0);
    require(pickverify::expand_order(order, catalog).has_value());
    for (const auto& line : order.lines) {
      require(line.quantity >= 1 && clean(line.description));
    }
  }
}

// What the importers make of one input, after checking their promises (see transcript.hpp): the
// catalog's new items and kits, or the error; the orders, or the error.
inline std::string transcript(const std::uint8_t* data, std::size_t size, pickverify::app::FileFormat format,
                              const char* extension)
{
  using pickverify::fuzz::printable;
  pickverify::fuzz::Transcript out;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string catalog_name = std::string("catalog.") + extension;
  pickverify::Catalog catalog = base_catalog();
  auto imported = pickverify::app::import_catalog(text, format, catalog_name, catalog);
  if (imported) {
    check_catalog(catalog);
    out.line("catalog: {} imported; {} items and {} kits with the base", *imported, catalog.items().size(),
             catalog.kits().size());
    for (const auto& item : catalog.items()) {
      std::string attributes;
      for (const auto& [name, value] : item.attributes) {
        attributes += fmt::format("{}{}={}", attributes.empty() ? "" : ";", printable(name), printable(value));
      }
      out.line("  item {} style '{}' gtins {} attributes '{}' weight {} g value {}", printable(item.sku),
               printable(item.style), fmt::join(item.gtins, ","), attributes, item.weight_g, item.unit_value.minor);
    }
    for (const auto& kit : catalog.kits()) {
      out.line("  kit {} of {} components", printable(kit.sku), kit.components.size());
    }
  } else {
    check_error(imported.error(), catalog_name);
    out.line("catalog: error: {}", printable(imported.error().message));
  }
  const std::string orders_name = std::string("orders.") + extension;
  auto orders = pickverify::app::import_orders(text, format, orders_name, base_catalog());
  if (orders) {
    check_orders(*orders, base_catalog());
    out.line("orders: {}", orders->size());
    for (const auto& order : *orders) {
      out.line("  order {} value {} {} lines {} customer '{}'", printable(order.id), order.value.minor,
               printable(order.value.currency), order.lines.size(), printable(order.customer));
    }
  } else {
    check_error(orders.error(), orders_name);
    out.line("orders: error: {}", printable(orders.error().message));
  }
  return out.text();
}

} // namespace fuzz_import
