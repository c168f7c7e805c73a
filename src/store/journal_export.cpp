#include <pickverify/journal_export.hpp>
#include <pickverify/text.hpp>

#include <ctime>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "journal_hash.hpp"

namespace pickverify {

namespace {

constexpr const char* k_csv_header =
    "seq,utc_ms,utc,type,station,operator_id,order_id,session_id,raw,raw_hex,aim,source,gtin,ais,serial,verdict,"
    "reason,evidence_hash,detail,prev_hash,hash\r\n";

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

// A unit's serial, from the row's detail (scan rows of serial-tracked items).
std::string serial_of(const JournalEntry& entry)
{
  if (entry.detail.find("\"serial\"") == std::string::npos) {
    return {};
  }
  const auto detail = nlohmann::json::parse(entry.detail, nullptr, false);
  if (detail.is_object() && detail.contains("serial") && detail["serial"].is_string()) {
    return detail["serial"].get<std::string>();
  }
  return {};
}

void write_csv_row(std::ostream& out, const JournalEntry& entry)
{
  const std::string fields[] = {std::to_string(entry.seq),
                                std::to_string(entry.utc_ms),
                                format_utc_ms(entry.utc_ms),
                                entry.type,
                                entry.station,
                                entry.operator_id,
                                entry.order_id,
                                entry.session_id,
                                escape_raw(entry.raw),
                                text::to_hex(entry.raw),
                                entry.aim,
                                entry.source,
                                entry.gtin,
                                entry.ais,
                                serial_of(entry),
                                entry.verdict,
                                entry.reason,
                                entry.evidence_hash,
                                entry.detail,
                                entry.prev_hash,
                                entry.hash};
  bool first = true;
  for (const std::string& field : fields) {
    if (!first) {
      out << ',';
    }
    first = false;
    write_csv_field(out, field);
  }
  out << "\r\n";
}

void write_jsonl_row(std::ostream& out, const JournalEntry& entry)
{
  nlohmann::ordered_json row;
  row["seq"] = entry.seq;
  row["utc_ms"] = entry.utc_ms;
  row["utc"] = format_utc_ms(entry.utc_ms);
  row["type"] = entry.type;
  row["station"] = entry.station;
  row["operator_id"] = entry.operator_id;
  row["order_id"] = entry.order_id;
  row["session_id"] = entry.session_id;
  row["raw"] = escape_raw(entry.raw);
  row["raw_hex"] = text::to_hex(entry.raw);
  row["aim"] = entry.aim;
  row["source"] = entry.source;
  row["gtin"] = entry.gtin;
  row["ais"] = entry.ais;
  row["serial"] = serial_of(entry);
  row["verdict"] = entry.verdict;
  row["reason"] = entry.reason;
  row["evidence_hash"] = entry.evidence_hash;
  row["detail"] = entry.detail;
  row["prev_hash"] = entry.prev_hash;
  row["hash"] = entry.hash;
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
    out << k_csv_header;
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
