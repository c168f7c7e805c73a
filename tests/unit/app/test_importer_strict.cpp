// import_catalog / import_orders against damaged and hostile files: rows cut off or run on, empty ids,
// invalid UTF-8, NUL, duplicate JSON keys, numbers out of range, huge values; a catalog that would
// strand a stored open order. Each refused as FILE:LINE: FIELD: message, the value cut short.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "importer.hpp"
#include "temp_dir.hpp"

using namespace pickverify;
using namespace pickverify::app;
using namespace std::string_literals;
using Catch::Matchers::Contains;

namespace {

const std::string k_header = "sku,description,gtins,weight_g,unit_value,flags\n";

std::string catalog_error(const std::string& text, FileFormat format, Catalog& catalog,
                          const std::vector<Order>& open_orders = {})
{
  const std::string name = format == FileFormat::json ? "catalog.json" : "catalog.csv";
  auto result = import_catalog(text, format, name, catalog, open_orders);
  if (result) {
    FAIL("the import succeeded; it should have been refused");
  }
  CHECK(result.error().type == ErrorType::invalid_input);
  return result.error().message;
}

std::string catalog_error(const std::string& text, FileFormat format)
{
  Catalog catalog;
  return catalog_error(text, format, catalog);
}

Catalog shoes()
{
  Catalog catalog;
  auto imported =
      import_catalog("sku,style,gtins,attributes\nTR-9,TR,9506000001418,size=9\nTR-10,TR,9506000001487,size=10\n",
                     FileFormat::csv, "shoes.csv", catalog);
  REQUIRE(imported);
  return catalog;
}

} // namespace

TEST_CASE("import_catalog CSV refuses a row cut off mid-row instead of filling defaults", "[importer][strict]")
{
  Catalog catalog = shoes();
  const std::string cut = k_header + "WATCH-1,Diver watch,9506000002101,120,40.00,serial_tracked\n"
                                     "TR-9,Trail runner,9506000001418,8";
  const std::string error = catalog_error(cut, FileFormat::csv, catalog);
  CHECK_THAT(error, Contains("catalog.csv:3: unit_value: missing: the row has 4 field(s), the header names 6"));
  CHECK(catalog.find_item("TR-9")->weight_g == 0); // the stored item is untouched
  CHECK(catalog.find_item("WATCH-1") == nullptr);  // and nothing of the file came in
}

TEST_CASE("import_catalog CSV refuses a row with more fields than the header", "[importer][strict]")
{
  const std::string error =
      catalog_error(k_header + "WATCH-1,Diver watch,9506000002101,120,40.00,serial_tracked,bla\n", FileFormat::csv);
  CHECK_THAT(error, Contains("catalog.csv:2: field 7: the row has 7 fields, the header names only 6"));
}

TEST_CASE("import_catalog refuses invalid UTF-8, NUL and control characters in ids", "[importer][strict]")
{
  const std::string csv = k_header + "W-1,Diver \xC3\x28 watch,9506000002101,1,1.00,\n" +
                          "W-2,Diver\0watch,9506000002200,1,1.00,\n"s + "W\x1B[2J,Watch,9506000002309,1,1.00,\n";
  const std::string error = catalog_error(csv, FileFormat::csv);
  CHECK_THAT(error, Contains("catalog.csv:2: description: not valid UTF-8 (byte 7 is 0xC3)"));
  CHECK_THAT(error, Contains("catalog.csv:3: description: holds a NUL byte (at byte 6)"));
  CHECK_THAT(error, Contains("catalog.csv:4: sku: holds the control character 0x1B"));

  const std::string json_nul =
      "{\"items\": [\n{\"sku\": \"W-1\", \"description\": \"a\\u0000b\", \"gtins\": [\"9506000002101\"]}]}";
  CHECK_THAT(catalog_error(json_nul, FileFormat::json),
             Contains("catalog.json:2: items[0].description: holds a NUL byte"));
  const std::string json_utf8 = "{\"items\": [\n{\"sku\": \"W-1\",\n \"description\": \"a\xFF\", \"gtins\": []}]}";
  CHECK_THAT(catalog_error(json_utf8, FileFormat::json), Contains("catalog.json:3: description: not valid JSON"));
  CHECK_THAT(catalog_error(json_utf8, FileFormat::json), Contains("not valid UTF-8"));
}

TEST_CASE("import_catalog JSON refuses an empty id instead of dropping the entry", "[importer][strict]")
{
  const std::string json = "{\"items\": [\n{\"sku\": \"\", \"gtins\": [\"9506000002101\"]}],\n"
                           " \"kits\": [\n{\"sku\": \"\", \"components\": [{\"sku\": \"X\"}]}]}";
  const std::string error = catalog_error(json, FileFormat::json);
  CHECK_THAT(error, Contains("catalog.json:2: items[0].sku: must not be empty"));
  CHECK_THAT(error, Contains("catalog.json:4: kits[0].sku: must not be empty"));
}

TEST_CASE("import_catalog JSON refuses a key given twice in one object", "[importer][strict]")
{
  const std::string json = "{\"items\": [\n{\"sku\": \"W-1\", \"gtins\": [\"9506000002101\"],\n"
                           "  \"weight_g\": 800, \"weight_g\": 0}]}";
  CHECK_THAT(catalog_error(json, FileFormat::json), Contains("catalog.json:3: weight_g: given twice in one object"));
  // The same key in two objects is fine.
  Catalog catalog;
  CHECK(import_catalog("{\"items\": [{\"sku\": \"A\", \"gtins\": [\"9506000002101\"]},"
                       " {\"sku\": \"B\", \"gtins\": [\"9506000002200\"]}]}",
                       FileFormat::json, "catalog.json", catalog));
}

TEST_CASE("import_catalog JSON names the line and field of a number out of range", "[importer][strict]")
{
  const std::string json =
      "{\"items\": [\n{\"sku\": \"W-1\", \"gtins\": [\"9506000002101\"],\n  \"weight_g\": 1e400}]}";
  const std::string error = catalog_error(json, FileFormat::json);
  CHECK(error == "catalog.json:3: weight_g: number 1e400 is out of range");
  const std::string big =
      "{\"items\": [\n{\"sku\": \"W-1\", \"gtins\": [\"9506000002101\"], \"weight_g\": 99999999999999999999}]}";
  CHECK_THAT(catalog_error(big, FileFormat::json),
             Contains("catalog.json:2: items[0].weight_g: must be a whole number"));
}

TEST_CASE("import_catalog cuts a huge value in its message", "[importer][strict]")
{
  const std::string huge(10 * 1024 * 1024, '9');
  const std::string error =
      catalog_error(k_header + "W-1,Watch,9506000002101," + huge + ",1.00,\n" + "W-2,Watch,9506000002200,1," + huge +
                        ",\n" + "W-3,Watch,9506000002309,1,1.00," + huge + "\n",
                    FileFormat::csv);
  CHECK(error.size() < 2000);
  CHECK_THAT(error, Contains("catalog.csv:2: weight_g: too long (10485760 bytes; at most 4096)"));
  CHECK_THAT(error, Contains("catalog.csv:3: unit_value: too long"));
  CHECK_THAT(error, Contains("catalog.csv:4: flags: too long"));

  const std::string json =
      "{\"items\": [\n{\"sku\": \"" + std::string(5000, 'S') + "\", \"gtins\": [\"9506000002101\"]}]}";
  const std::string json_error = catalog_error(json, FileFormat::json);
  CHECK(json_error.size() < 500);
  CHECK_THAT(json_error, Contains("catalog.json:2: items[0].sku: too long (5000 bytes; at most 4096)"));
}

TEST_CASE("import_catalog refuses a catalog that would leave a stored open order unsatisfiable", "[importer][strict]")
{
  Catalog catalog = shoes();
  Order order;
  order.id = "ORD-OPEN-1";
  order.value = Money{18900, "USD"};
  OrderLine line;
  line.line_no = 1;
  line.style = "TR";
  line.required_attributes = {{"size", "9"}};
  line.quantity = 1;
  order.lines.push_back(line);
  // TR-9 becomes size 8: no item of style TR has size 9 any more.
  const std::string error =
      catalog_error("sku,style,gtins,attributes\nTR-9,TR,9506000001418,size=8\n", FileFormat::csv, catalog, {order});
  CHECK_THAT(error, Contains("stored open order ORD-OPEN-1 line 1 would no longer fit the catalog"));
  CHECK(catalog.find_item("TR-9")->attributes.at("size") == "9");
  // A change that keeps it packable is fine.
  CHECK(import_catalog("sku,style,gtins,attributes,weight_g\nTR-9,TR,9506000001418,size=9,800\n", FileFormat::csv,
                       "catalog.csv", catalog, {order}));
}

TEST_CASE("import catalog refuses, naming it, a change that strands a stored order not yet packed",
          "[importer][strict][cli]")
{
  test::TempDir dir;
  const std::string data = dir.path().string();
  test::cli_ok({"--data-dir", data, "run"}, "quit\n"); // the demo catalog and orders
  const auto file = dir / "sizes.csv";
  std::ofstream(file) << "sku,style,description,gtins,attributes\n"
                         "TR-RUN-09-D,TR-RUN,\"Trail runner, size 9\",9506000001418,size=8;width=D;colour=black\n";
  const test::CliRun refused = test::cli({"--data-dir", data, "import", "catalog", file.string()});
  CHECK(refused.code == 2);
  CHECK_THAT(refused.err, Contains("stored open order ORD-2025-00145 line 1 would no longer fit the catalog"));
  CHECK(test::sql_int(dir / "pickverify.db", "SELECT count(*) FROM item_attributes WHERE sku = 'TR-RUN-09-D' AND "
                                             "name = 'size' AND value = '9'") == 1);
}
