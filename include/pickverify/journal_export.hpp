// Export of the verification journal for QA: CSV (RFC 4180) or JSON Lines, one row per event, in
// seq order. Raw scanned bytes are written so that nothing is lost: as hex and as a printable
// escaped form. docs/JOURNAL.md describes both formats column by column.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

#include <pickverify/error.hpp>
#include <pickverify/store.hpp>

namespace pickverify {

enum class ExportFormat { csv, jsonl };

std::string_view to_string(ExportFormat format);
Result<ExportFormat> parse_export_format(std::string_view name); // "csv" | "jsonl"

// Printable ASCII form of raw bytes: printable ASCII stays as it is, a backslash becomes "\\",
// every other byte "\xHH" (lower-case hex). A leading = + - @ is escaped too, so a spreadsheet
// opening the export never takes a scanned code for a formula. Reversible.
std::string escape_raw(std::string_view raw);

// Milliseconds since the epoch → "2025-03-14T09:26:53.589Z".
std::string format_utc_ms(std::int64_t utc_ms);

// Writes the header (CSV) and every matching row; returns the number of rows written.
Result<std::size_t> export_journal(Store& store, const JournalFilter& filter, ExportFormat format, std::ostream& out);

} // namespace pickverify
