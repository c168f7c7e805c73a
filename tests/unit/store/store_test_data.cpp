#include "store_test_data.hpp"

#include <catch2/catch.hpp>
#include <sqlite3.h>

namespace pickverify::test {

namespace {

Item shoe(const std::string& gtin13, const std::string& size, const std::string& width)
{
  Item item;
  item.sku = "TR-RUN-" + std::string(size.size() == 1 ? "0" : "") + size + "-" + width;
  item.style = "TR-RUN";
  item.description = "Trail runner, size " + size + ", width " + width;
  item.gtins = {"0" + gtin13};
  item.attributes = {{"size", size}, {"width", width}, {"colour", "black"}};
  item.weight_g = 820;
  item.unit_value = Money{18900, "USD"};
  return item;
}

Item simple(const std::string& gtin13, const std::string& sku, const std::string& style, Attributes attributes,
            const std::string& description, std::int64_t value_minor)
{
  Item item;
  item.sku = sku;
  item.style = style;
  item.description = description;
  item.gtins = {"0" + gtin13};
  item.attributes = std::move(attributes);
  item.weight_g = 150;
  item.unit_value = Money{value_minor, "USD"};
  return item;
}

} // namespace

Catalog demo_catalog()
{
  Catalog catalog;
  std::vector<Item> items = {
      shoe("9506000001340", "8", "D"),
      shoe("9506000001418", "9", "D"),
      shoe("9506000001487", "10", "D"),
      shoe("9506000001555", "11", "D"),
      shoe("9506000001623", "9", "E"),
      simple("9506000001692", "ACC-INSOLE-M", "ACC-INSOLE", {{"size", "M"}}, "Cushion insoles, M", 2400),
      simple("9506000001760", "ACC-LACES-BLK", "ACC-LACES", {{"colour", "black"}}, "Laces, black, 120 cm", 900),
      simple("9506000001838", "CARE-BRUSH", "CARE-BRUSH", {}, "Shoe brush", 1200),
      simple("9506000001906", "CARE-SPRAY", "CARE-SPRAY", {}, "Water-repellent spray 200 ml", 1500),
      simple("9506000001975", "SOCK-RUN-M", "SOCK-RUN", {{"size", "M"}}, "Running socks, M", 1200),
  };
  items[8].serial_tracked = true;
  items[7].no_visible_barcode = true;
  items[0].image_check_required = true;
  items[9].packs = {Pack{"inner", "09506000002293", 3}, Pack{"case", "19506000001972", 12}};
  for (Item& item : items) {
    REQUIRE(catalog.add_item(std::move(item)));
  }
  REQUIRE(catalog.add_kit(Kit{"KIT-CARE", "Shoe care kit", {{"CARE-BRUSH", 1}, {"CARE-SPRAY", 1}}}));
  return catalog;
}

std::vector<Order> demo_orders()
{
  Order incident;
  incident.id = "ORD-2025-00145";
  incident.value = Money{28500, "USD"};
  incident.customer = "R. Alvarez";
  incident.lines = {
      OrderLine{1, "", "TR-RUN", {{"size", "9"}, {"width", "D"}}, 1, "Trail runner, size 9, width D"},
      OrderLine{2, "ACC-INSOLE-M", "", {}, 1, "Cushion insoles, M"},
      OrderLine{3, "ACC-LACES-BLK", "", {}, 1, "Laces, black, 120 cm"},
      OrderLine{4, "KIT-CARE", "", {}, 1, "Shoe care kit"},
  };
  Order socks;
  socks.id = "ORD-2025-00146";
  socks.value = Money{2400, "USD"};
  socks.image_check_flagged = true;
  socks.lines = {OrderLine{1, "SOCK-RUN-M", "", {}, 2, "Running socks, M"}};
  return {incident, socks};
}

JournalEntry scan_entry(const std::string& station, const std::string& raw, std::int64_t utc_ms)
{
  JournalEntry entry;
  entry.utc_ms = utc_ms;
  entry.type = "scan";
  entry.station = station;
  entry.operator_id = "picker-7";
  entry.order_id = "ORD-2025-00145";
  entry.session_id = "S-" + station + "-1";
  entry.raw = raw;
  entry.aim = "]E0";
  entry.source = "usb:1-1.2:0c2e:0b61";
  entry.gtin = "09506000001418";
  entry.verdict = "accepted";
  entry.reason = "line 1 now 1/1";
  entry.detail = R"({"line":1,"count":1,"quantity":1})";
  return entry;
}

std::vector<std::string> hostile_raw_scans()
{
  std::string all_bytes;
  for (int byte = 0; byte < 256; ++byte) {
    all_bytes.push_back(static_cast<char>(byte));
  }
  std::string four_kb(4096, 'A');
  for (std::size_t i = 0; i < four_kb.size(); i += 7) {
    four_kb[i] = static_cast<char>(i % 256);
  }
  return {
      std::string("0950600\0"
                  "001418",
                  14),                                        // NUL in the middle
      std::string("\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1", 9), // invalid UTF-8
      "]C1"
      "0109506000001906"
      "\x1d"
      "10LOT42",                    // GS between GS1 fields
      "'); DROP TABLE journal; --", // SQL metacharacters
      "\" OR 1=1; SELECT * FROM journal WHERE raw LIKE '%",
      "\r\n\t\x1b[31mred\x07",    // control characters, terminal escapes
      "=HYPERLINK(\"http://x\")", // a spreadsheet formula
      "",                         // nothing at all
      all_bytes,
      four_kb,
  };
}

namespace {

std::string hex(const std::string& bytes)
{
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    out.push_back(k_digits[static_cast<unsigned char>(c) >> 4]);
    out.push_back(k_digits[static_cast<unsigned char>(c) & 0x0f]);
  }
  return out;
}

std::string text_literal(const std::string& text)
{
  return "CAST(X'" + hex(text) + "' AS TEXT)";
}

} // namespace

std::string journal_insert_sql(const JournalEntry& e)
{
  std::string sql = "INSERT INTO journal (seq, utc_ms, type, station, operator_id, order_id, session_id, raw, aim, "
                    "source, gtin, ais, verdict, reason, evidence_hash, detail, prev_hash, hash) VALUES (" +
                    std::to_string(e.seq) + ", " + std::to_string(e.utc_ms);
  for (const std::string* field : {&e.type, &e.station, &e.operator_id, &e.order_id, &e.session_id}) {
    sql += ", " + text_literal(*field);
  }
  sql += ", X'" + hex(e.raw) + "'";
  for (const std::string* field : {&e.aim, &e.source, &e.gtin, &e.ais, &e.verdict, &e.reason, &e.evidence_hash,
                                   &e.detail, &e.prev_hash, &e.hash}) {
    sql += ", " + text_literal(*field);
  }
  return sql + ");";
}

void raw_sql(const std::filesystem::path& db, const std::string& sql)
{
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &message);
  const std::string error = message ? message : "";
  sqlite3_free(message);
  sqlite3_close(handle);
  INFO(sql << " → " << error);
  REQUIRE(rc == SQLITE_OK);
}

long long raw_sql_int(const std::filesystem::path& db, const std::string& sql)
{
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  const int rc = sqlite3_step(stmt);
  const long long value = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  REQUIRE(rc == SQLITE_ROW);
  return value;
}

} // namespace pickverify::test
