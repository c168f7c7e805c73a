// Catalog and order files (CSV or JSON, docs/FORMATS.md) → domain objects. The whole file or
// nothing: every problem is reported with its line number and field, and nothing is imported.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/catalog.hpp>
#include <pickverify/error.hpp>
#include <pickverify/order.hpp>

namespace pickverify::app {

enum class FileFormat { csv, json };

// From the file name's extension (.csv, .json); anything else is an error.
Result<FileFormat> format_of(const std::filesystem::path& path);

// `name` is the file name used in messages ("catalog.json:14: items[2].gtins[0]: …").
// Items are added to `catalog` (which may already hold items from the store). Refused when an
// order of open_orders (stored, not packed) would no longer fit the merged catalog.
Result<std::size_t> import_catalog(std::string_view text, FileFormat format, const std::string& name, Catalog& catalog,
                                   const std::vector<Order>& open_orders = {});

// Orders are checked against the catalog (every SKU and style must exist, kits expand).
Result<std::vector<Order>> import_orders(std::string_view text, FileFormat format, const std::string& name,
                                         const Catalog& catalog);

Result<std::string> read_text_file(const std::filesystem::path& path);

} // namespace pickverify::app
