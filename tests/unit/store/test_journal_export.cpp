// export_journal: CSV per RFC 4180 and JSON Lines, raw bytes recoverable exactly from both.
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <pickverify/journal_export.hpp>
#include <pickverify/store.hpp>

#include "store_test_data.hpp"
#include "temp_dir.hpp"

using namespace pickverify;
using namespace std::string_literals;

namespace {

// A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes.
std::vector<std::vector<std::string>> parse_csv(const std::string& text)
{
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      REQUIRE(field.empty()); // a quote only opens a field
      quoted = true;
    } else if (c == ',') {
      record.push_back(field);
      field.clear();
    } else if (c == '\r') {
      REQUIRE(i + 1 < text.size());
      REQUIRE(text[i + 1] == '\n');
      ++i;
      record.push_back(field);
      field.clear();
      records.push_back(record);
      record.clear();
    } else {
      REQUIRE(c != '\n'); // a bare LF outside quotes is not RFC 4180
      field.push_back(c);
    }
  }
  REQUIRE_FALSE(quoted);
  REQUIRE(field.empty());
  REQUIRE(record.empty()); // the last record ends with CRLF too
  return records;
}

std::string from_hex(const std::string& hex)
{
  REQUIRE(hex.size() % 2 == 0);
  std::string bytes;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

// The reverse of escape_raw, as QA's tools would write it.
std::string unescape_raw(const std::string& escaped)
{
  std::string bytes;
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] != '\\') {
      bytes.push_back(escaped[i]);
    } else if (escaped.at(i + 1) == '\\') {
      bytes.push_back('\\');
      ++i;
    } else {
      REQUIRE(escaped.at(i + 1) == 'x');
      bytes.push_back(static_cast<char>(std::stoi(escaped.substr(i + 2, 2), nullptr, 16)));
      i += 3;
    }
  }
  return bytes;
}

std::unique_ptr<Store> store_with_hostile_scans(const test::TempDir& dir)
{
  auto store = open_sqlite_store(dir / "pickverify.db");
  REQUIRE(store);
  for (const std::string& raw : test::hostile_raw_scans()) {
    JournalEntry entry = test::scan_entry("st-1", raw);
    entry.reason = "unknown code, \"set it aside\"\nthen scan the next item";
    REQUIRE((*store)->append_one(entry));
  }
  JournalEntry other = test::scan_entry("st-2", "09506000001975");
  other.order_id = "ORD-2025-00146";
  REQUIRE((*store)->append_one(other));
  return std::move(*store);
}

} // namespace

TEST_CASE("escape_raw keeps printable ASCII and escapes everything else reversibly", "[store][export]")
{
  CHECK(escape_raw("09506000001418") == "09506000001418");
  CHECK(escape_raw("]C1"
                   "01095\x1d"
                   "10LOT") == "]C101095\\x1d10LOT");
  CHECK(escape_raw("a\\b") == "a\\\\b");
  CHECK(escape_raw("\0\xff\x7f"s) == "\\x00\\xff\\x7f");
  CHECK(escape_raw("=1+2") == "\\x3d1+2"); // never a spreadsheet formula
  CHECK(escape_raw("-5") == "\\x2d5");
  CHECK(escape_raw("") == "");
  for (const std::string& raw : test::hostile_raw_scans()) {
    CHECK(unescape_raw(escape_raw(raw)) == raw);
  }
}

TEST_CASE("parse_export_format knows csv and jsonl", "[store][export]")
{
  CHECK(parse_export_format("csv") == ExportFormat::csv);
  CHECK(parse_export_format("jsonl") == ExportFormat::jsonl);
  auto unknown = parse_export_format("xlsx");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().type == ErrorType::invalid_input);
  CHECK_THAT(unknown.error().message, Catch::Contains("xlsx") && Catch::Contains("csv or jsonl"));
  CHECK(to_string(ExportFormat::jsonl) == "jsonl");
}

TEST_CASE("format_utc_ms writes ISO 8601 UTC with milliseconds", "[store][export]")
{
  CHECK(format_utc_ms(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_utc_ms(1'760'000'000'123) == "2025-10-09T08:53:20.123Z");
  CHECK(format_utc_ms(-1) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("export_journal writes RFC 4180 CSV from which raw bytes come back exactly", "[store][export]")
{
  test::TempDir dir;
  auto store = store_with_hostile_scans(dir);
  std::ostringstream out;
  auto written = export_journal(*store, {}, ExportFormat::csv, out);
  REQUIRE(written);
  const auto scans = test::hostile_raw_scans();
  CHECK(*written == scans.size() + 1);

  const auto records = parse_csv(out.str());
  REQUIRE(records.size() == scans.size() + 2);
  const std::vector<std::string> header = {"seq",      "utc_ms",     "utc",    "type",    "station",  "operator_id",
                                           "order_id", "session_id", "raw",    "raw_hex", "aim",      "source",
                                           "gtin",     "ais",        "serial", "verdict", "reason",   "evidence_hash",
                                           "detail",   "prev_hash",  "hash",   "chain",   "chain_seq"};
  CHECK(records[0] == header);
  for (std::size_t i = 0; i < scans.size(); ++i) {
    const auto& record = records[i + 1];
    INFO("scan " << i);
    REQUIRE(record.size() == header.size());
    CHECK(record[0] == std::to_string(i + 1));
    CHECK(record[2] == "2025-10-09T08:53:20.000Z");
    CHECK(from_hex(record[9]) == scans[i]);
    CHECK(unescape_raw(record[8]) == scans[i]);
    CHECK(record[8].find_first_of("\r\n\0"s) == std::string::npos);
    CHECK(record[16] == "unknown code, \"set it aside\"\nthen scan the next item");
    CHECK(record[18] == R"({"line":1,"count":1,"quantity":1})");
  }
  CHECK(records.back()[6] == "ORD-2025-00146");
  CHECK(records[1][19] == k_genesis_hash);
  CHECK(records[2][19] == records[1][20]);
}

TEST_CASE("export_journal writes one JSON object per line with raw_hex and raw", "[store][export]")
{
  test::TempDir dir;
  auto store = store_with_hostile_scans(dir);
  std::ostringstream out;
  auto written = export_journal(*store, {}, ExportFormat::jsonl, out);
  REQUIRE(written);
  const auto scans = test::hostile_raw_scans();
  REQUIRE(*written == scans.size() + 1);

  std::istringstream lines(out.str());
  std::string line;
  std::size_t n = 0;
  while (std::getline(lines, line)) {
    INFO("line " << n);
    const auto row = nlohmann::json::parse(line); // throws, failing the test, on invalid JSON
    CHECK(row.at("seq").get<std::int64_t>() == static_cast<std::int64_t>(n) + 1);
    CHECK(row.at("type") == "scan");
    if (n < scans.size()) {
      CHECK(from_hex(row.at("raw_hex").get<std::string>()) == scans[n]);
      CHECK(unescape_raw(row.at("raw").get<std::string>()) == scans[n]);
      CHECK(row.at("reason") == "unknown code, \"set it aside\"\nthen scan the next item");
    }
    CHECK(row.at("hash").get<std::string>().size() == 64);
    ++n;
  }
  CHECK(n == scans.size() + 1);
}

TEST_CASE("export_journal applies the filter", "[store][export]")
{
  test::TempDir dir;
  auto store = store_with_hostile_scans(dir);
  JournalFilter filter;
  filter.order_id = "ORD-2025-00146";
  std::ostringstream out;
  auto written = export_journal(*store, filter, ExportFormat::jsonl, out);
  REQUIRE(written);
  CHECK(*written == 1);
  CHECK(nlohmann::json::parse(out.str()).at("station") == "st-2");

  JournalFilter none;
  none.station = "st-404";
  std::ostringstream csv;
  auto header_only = export_journal(*store, none, ExportFormat::csv, csv);
  REQUIRE(header_only);
  CHECK(*header_only == 0);
  CHECK(parse_csv(csv.str()).size() == 1);
}

TEST_CASE("export_journal reports a stream that cannot be written", "[store][export]")
{
  test::TempDir dir;
  auto store = store_with_hostile_scans(dir);
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  auto written = export_journal(*store, {}, ExportFormat::csv, out);
  REQUIRE_FALSE(written);
  CHECK(written.error().type == ErrorType::io);
}

TEST_CASE("export_journal CSV neutralises formula cells as OWASP describes, JSONL keeps the exact text",
          "[store][export][injection]")
{
  test::TempDir dir;
  auto store = open_sqlite_store(dir / "pickverify.db");
  REQUIRE(store);
  const std::vector<std::string> hostile = {"=HYPERLINK(\"http://evil.example\",\"click\")",
                                            "=cmd|' /C calc'!A0",
                                            "+1+1",
                                            "-2+3",
                                            "@SUM(A1:A9)",
                                            "\t=1+1",
                                            "\r=1+1"};
  for (const std::string& text : hostile) {
    JournalEntry entry = test::scan_entry("st-1", "09506000001418");
    entry.order_id = text;
    entry.reason = text;
    entry.operator_id = text;
    REQUIRE((*store)->append_one(entry));
  }
  JournalEntry serial = test::scan_entry("st-1", "0109506000002101"
                                                 "21WSN-0001");
  serial.detail = R"({"serial":"WSN-0001"})";
  REQUIRE((*store)->append_one(serial));

  std::ostringstream csv;
  REQUIRE(export_journal(**store, {}, ExportFormat::csv, csv));
  const auto records = parse_csv(csv.str());
  REQUIRE(records.size() == hostile.size() + 2);
  for (std::size_t i = 0; i < hostile.size(); ++i) {
    INFO("row " << i);
    const auto& record = records[i + 1];
    CHECK(record[5] == "'" + hostile[i]);  // operator_id
    CHECK(record[6] == "'" + hostile[i]);  // order_id
    CHECK(record[16] == "'" + hostile[i]); // reason
  }
  // The cell is quoted as well, so the quote cannot be taken for a field of its own.
  CHECK(csv.str().find(",\"'=cmd|' /C calc'!A0\",") != std::string::npos);
  CHECK(records.back()[14] == "WSN-0001"); // serial column
  CHECK(records.back()[0] == std::to_string(hostile.size() + 1));

  std::ostringstream jsonl;
  REQUIRE(export_journal(**store, {}, ExportFormat::jsonl, jsonl));
  std::istringstream lines(jsonl.str());
  std::string line;
  for (std::size_t i = 0; i < hostile.size(); ++i) {
    REQUIRE(std::getline(lines, line));
    const auto row = nlohmann::json::parse(line);
    CHECK(row.at("order_id") == hostile[i]);
    CHECK(row.at("reason") == hostile[i]);
  }
  REQUIRE(std::getline(lines, line));
  CHECK(nlohmann::json::parse(line).at("serial") == "WSN-0001");
}
