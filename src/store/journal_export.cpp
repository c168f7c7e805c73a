#include <pickverify/journal_export.hpp>
#include <pickverify/text.hpp>

#include <ctime>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "journal_fields.hpp"
#include "journal_hash.hpp"

namespace pickverify {

namespace {

// A cell a spreadsheet would run as a formula (OWASP, "CSV Injection"): it begins with = + - @,
// a tab or a carriage return.
bool formula_start(std::string_view field)
{
  return !field.empty() && std::string_view("=+-@\t\r").find(field.front()) != std::string_view::npos;
}

// RFC 4180: a field holding a comma, a double quote, CR or LF is quoted, its quotes doubled. A
// formula-like cell is neutralised as OWASP recommends: a single quote before it, and quoted.
void write_csv_field(std::ostream& out, std::string_view field)
{
  const bool formula = formula_start(field);
  if (!formula && field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out << field;
    return;
  }
  out << '"';
  if (formula) {
    out << '\'';
  }
  for (const char c : field) {
    if (c == '"') {
      out << '"';
    }
    out << c;
  }
  out << '"';
}

void write_csv_header(std::ostream& out)
{
  bool first = true;
  for (const store::JournalField& field : store::journal_fields()) {
    out << (first ? "" : ",") << field.name;
    first = false;
  }
  out << "\r\n";
}

// The column as the CSV writes it: raw and derived columns by their export function, the rest as stored.
std::string export_text(const JournalEntry& entry, const store::JournalField& field)
{
  if (field.export_text) {
    return field.export_text(entry);
  }
  if (field.kind == store::JournalFieldKind::optional_integer && entry.*field.integer == 0) {
    return {}; // NULL: a legacy row's chain_seq
  }
  return store::journal_field_bytes(entry, field);
}

void write_csv_row(std::ostream& out, const JournalEntry& entry)
{
  bool first = true;
  for (const store::JournalField& field : store::journal_fields()) {
    if (!first) {
      out << ',';
    }
    first = false;
    write_csv_field(out, export_text(entry, field));
  }
  out << "\r\n";
}

void write_jsonl_row(std::ostream& out, const JournalEntry& entry)
{
  nlohmann::ordered_json row;
  for (const store::JournalField& field : store::journal_fields()) {
    switch (field.kind) {
    case store::JournalFieldKind::integer:
      row[std::string(field.name)] = entry.*field.integer;
      break;
    case store::JournalFieldKind::optional_integer:
      row[std::string(field.name)] =
          entry.*field.integer == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(entry.*field.integer);
      break;
    default:
      row[std::string(field.name)] = export_text(entry, field);
      break;
    }
  }
  // Text columns other than raw are UTF-8 by construction; should one not be, its bad bytes become
  // U+FFFD rather than an exception. raw_hex is what carries bytes exactly.
  out << row.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

} // namespace

std::string_view to_string(ExportFormat format)
{
  switch (format) {
  case ExportFormat::csv:
    return "csv";
  case ExportFormat::jsonl:
    return "jsonl";
  }
  return "unknown";
}

Result<ExportFormat> parse_export_format(std::string_view name)
{
  if (name == "csv") {
    return ExportFormat::csv;
  }
  if (name == "jsonl") {
    return ExportFormat::jsonl;
  }
  return make_error(ErrorType::invalid_input, fmt::format("export format \"{}\" is not known; use csv or jsonl", name));
}

std::string escape_raw(std::string_view raw)
{
  std::string escaped;
  escaped.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const auto byte = static_cast<unsigned char>(raw[i]);
    const bool formula_start = i == 0 && (byte == '=' || byte == '+' || byte == '-' || byte == '@');
    if (byte == '\\') {
      escaped += "\\\\";
    } else if (byte >= 0x20 && byte < 0x7f && !formula_start) {
      escaped.push_back(static_cast<char>(byte));
    } else {
      escaped += fmt::format("\\x{:02x}", byte);
    }
  }
  return escaped;
}

std::string format_utc_ms(std::int64_t utc_ms)
{
  std::int64_t seconds = utc_ms / 1000;
  std::int64_t millis = utc_ms % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  const auto time = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (!gmtime_r(&time, &tm)) {
    return std::to_string(utc_ms);
  }
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

Result<std::size_t> export_journal(Store& store, const JournalFilter& filter, ExportFormat format, std::ostream& out)
{
  if (format == ExportFormat::csv) {
    write_csv_header(out);
  }
  std::size_t rows = 0;
  auto read = store.read_journal(filter, [&](const JournalEntry& entry) {
    if (format == ExportFormat::csv) {
      write_csv_row(out, entry);
    } else {
      write_jsonl_row(out, entry);
    }
    ++rows;
    return static_cast<bool>(out);
  });
  if (!read) {
    return tl::unexpected(read.error().with_context("journal export"));
  }
  out.flush();
  if (!out) {
    return make_error(ErrorType::io, fmt::format("journal export: writing failed after {} rows", rows));
  }
  return rows;
}

} // namespace pickverify
