// RFC 4180 CSV reading with the line number of every record, for error messages people can act on.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <pickverify/error.hpp>

namespace pickverify::app {

struct CsvRecord {
  int line = 0; // line where the record starts (1-based)
  std::vector<std::string> fields;
};

// Quoted fields may hold commas, quotes ("") and line breaks. A BOM is skipped; empty lines are
// skipped. An unterminated quote is an error naming the line it started on.
Result<std::vector<CsvRecord>> parse_csv(std::string_view text);

} // namespace pickverify::app
