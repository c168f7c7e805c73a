// import_catalog / import_orders: CSV and JSON files → catalog and orders, the whole file or nothing,
// every problem with its line number and field.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "importer.hpp"

using namespace pickverify;
using namespace pickverify::app;

namespace {

std::string source_file(const std::string& relative)
{
  auto text = read_text_file(std::filesystem::path(PICKVERIFY_SOURCE_DIR) / relative);
  INFO(relative);
  REQUIRE(text.has_value());
  return *text;
}

Catalog demo_catalog()
{
  Catalog catalog;
  auto count = import_catalog(source_file("demo/catalog.json"), FileFormat::json, "catalog.json", catalog);
  INFO((count ? std::string() : count.error().message));
  REQUIRE(count.has_value());
  return catalog;
}

// The error text of a failed import; fails the test if the import succeeded.
template <typename T> std::string error_of(const Result<T>& result)
{
  if (result) {
    FAIL("the import succeeded; it should have been refused");
  }
  CHECK(result.error().type == ErrorType::invalid_input);
  return result.error().message;
}

std::string catalog_error(const std::string& text, FileFormat format, Catalog& catalog)
{
  const std::string name = format == FileFormat::json ? "catalog.json" : "catalog.csv";
  return error_of(import_catalog(text, format, name, catalog));
}

std::string orders_error(const std::string& text, FileFormat format)
{
  const Catalog catalog = demo_catalog();
  const std::string name = format == FileFormat::json ? "orders.json" : "orders.csv";
  return error_of(import_orders(text, format, name, catalog));
}

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

} // namespace

// --- Catalog ------------------------------------------------------------------------------------

TEST_CASE("import_catalog reads the demo catalog JSON", "[importer][catalog]")
{
  Catalog catalog;
  auto count = import_catalog(source_file("demo/catalog.json"), FileFormat::json, "catalog.json", catalog);
  REQUIRE(count.has_value());
  CHECK(*count == 13);
  CHECK(catalog.items().size() == 11);
  CHECK(catalog.kits().size() == 2);

  const Item* shoe = catalog.find_by_gtin("09506000001418");
  REQUIRE(shoe != nullptr);
  CHECK(shoe->sku == "TR-RUN-09-D");
  CHECK(shoe->style == "TR-RUN");
  CHECK(shoe->description == "Trail runner, size 9, width D");
  CHECK(shoe->attributes == Attributes{{"size", "9"}, {"width", "D"}, {"colour", "black"}});
  CHECK(shoe->weight_g == 800);
  CHECK(shoe->unit_value == Money{18900, "USD"});
  CHECK_FALSE(shoe->image_check_required);

  const Item* brush = catalog.find_item("CARE-BRUSH");
  REQUIRE(brush != nullptr);
  CHECK(brush->style == "CARE-BRUSH"); // no style: a style of its own
  CHECK(brush->attributes.empty());

  const Kit* kit = catalog.find_kit("KIT-CARE");
  REQUIRE(kit != nullptr);
  REQUIRE(kit->components.size() == 2);
  CHECK(kit->components[0].sku == "CARE-BRUSH");
  CHECK(kit->components[1].sku == "CARE-SPRAY");
  CHECK(kit->components[1].quantity == 1);
  CHECK(catalog.items_of_style("TR-RUN").size() == 5);

  const Kit* trail = catalog.find_kit("KIT-TRAIL"); // a part that follows the order
  REQUIRE(trail != nullptr);
  REQUIRE(trail->components.size() == 3);
  CHECK(trail->components[0].sku.empty());
  CHECK(trail->components[0].style == "TR-RUN");
  CHECK(trail->components[0].fixed_attributes == Attributes{{"colour", "black"}});
  CHECK(trail->components[0].from_order == std::vector<std::string>{"size", "width"});
  CHECK(trail->components[1].sku == "ACC-SHOETREE");
}

TEST_CASE("import_catalog reads CSV with quoted fields, flags and kits before their components", "[importer][catalog]")
{
  const std::string text =
      "type,sku,style,description,gtins,attributes,weight_g,unit_value,currency,flags,components\r\n"
      "kit,KIT-CARE,,Shoe care kit,,,,,,,CARE-BRUSH;CARE-SPRAY*2\r\n"
      "item,TR-RUN-09-D,TR-RUN,\"Trail runner, size 9, width "
      "D\",9506000001418,size=9;width=D;colour=black,800,189.00,USD,,\r\n"
      ",CARE-BRUSH,,Shoe brush,9506000001838,,110,24.00,,,\r\n"
      "item,CARE-SPRAY,,\"Water-repellent spray 200 "
      "ml\",09506000001906;9506000001999,,240,34.00,USD,image_check;serial_tracked;no_visible_barcode,\r\n";
  Catalog catalog;
  auto count = import_catalog(text, FileFormat::csv, "catalog.csv", catalog);
  INFO((count ? std::string() : count.error().message));
  REQUIRE(count.has_value());
  CHECK(*count == 4);

  const Item* shoe = catalog.find_by_gtin("09506000001418");
  REQUIRE(shoe != nullptr);
  CHECK(shoe->description == "Trail runner, size 9, width D");
  CHECK(shoe->attributes == Attributes{{"size", "9"}, {"width", "D"}, {"colour", "black"}});
  CHECK(shoe->unit_value == Money{18900, "USD"});

  const Item* spray = catalog.find_item("CARE-SPRAY");
  REQUIRE(spray != nullptr);
  CHECK(spray->gtins == std::vector<std::string>{"09506000001906", "09506000001999"});
  CHECK(catalog.find_by_gtin("09506000001999") == spray);
  CHECK(spray->image_check_required);
  CHECK(spray->serial_tracked);
  CHECK(spray->no_visible_barcode);
  CHECK(catalog.find_item("CARE-BRUSH")->unit_value == Money{2400, "USD"});

  const Kit* kit = catalog.find_kit("KIT-CARE");
  REQUIRE(kit != nullptr);
  REQUIRE(kit->components.size() == 2);
  CHECK(kit->components[0].quantity == 1);
  CHECK(kit->components[1].sku == "CARE-SPRAY");
  CHECK(kit->components[1].quantity == 2);
}

TEST_CASE("import_catalog JSON reports every problem with its line and field, and imports nothing",
          "[importer][catalog]")
{
  const std::string text = R"({
  "items": [
    {"sku": "A", "gtins": ["9506000001418"]},
    {"sku": "B", "gtins": ["9506000001419"]},
    {"gtins": ["9506000001487"]},
    {"sku": "D", "gtins": ["9506000001555"], "weight": 5},
    {"sku": "E", "gtins": ["9506000001623"], "unit_value": 12.5},
    {"sku": "F", "gtins": [9506000001692]},
    {"sku": "G", "gtins": ["9506000001760"], "weight_g": -3, "image_check_required": "yes"},
    {"sku": "H", "gtins": ["9506000001838"], "attributes": {"size": ["9"]}}
  ]
}
)";
  Catalog catalog;
  Item existing;
  existing.sku = "KEEP-ME";
  existing.gtins = {"9506000001975"};
  REQUIRE(catalog.add_item(existing).has_value());

  const std::string message = catalog_error(text, FileFormat::json, catalog);
  INFO(message);
  CHECK_THAT(message, StartsWith("catalog.json: 8 problem(s), nothing imported"));
  CHECK_THAT(message, Contains("catalog.json:4: items[1]: item B: GTIN 9506000001419"));
  CHECK_THAT(message, Contains("catalog.json:5: items[2].sku: missing"));
  CHECK_THAT(message, Contains("catalog.json:6: items[3].weight: unknown field"));
  CHECK_THAT(message, Contains("catalog.json:7: items[4].unit_value: must be a string"));
  CHECK_THAT(message, Contains("catalog.json:8: items[5].gtins[0]: must be a string"));
  CHECK_THAT(message, Contains("catalog.json:9: items[6].weight_g: must be a whole number"));
  CHECK_THAT(message, Contains("catalog.json:9: items[6].image_check_required: must be true or false"));
  CHECK_THAT(message, Contains("catalog.json:10: items[7].attributes.size: must be a string"));
  // The whole file or nothing: not even the good item A.
  CHECK(catalog.items().size() == 1);
  CHECK(catalog.find_item("A") == nullptr);
  CHECK(catalog.find_item("KEEP-ME") != nullptr);
}

TEST_CASE("import_catalog JSON counts every kind of array element when it numbers lines", "[importer][catalog][bug]")
{
  // A number, true or null in the array is an element too: the elements after it keep their own lines.
  Catalog catalog;
  const std::string message = catalog_error(R"({"items": [
  5,
  null,
  {"sku": "B", "gtins": ["9506000001419"]}
]})",
                                            FileFormat::json, catalog);
  INFO(message);
  CHECK_THAT(message, Contains("catalog.json:2: items[0]: must be an object"));
  CHECK_THAT(message, Contains("catalog.json:3: items[1]: must be an object"));
  CHECK_THAT(message, Contains("catalog.json:4: items[2]: item B: GTIN 9506000001419"));
}

TEST_CASE("import_catalog refuses a GTIN given to two items", "[importer][catalog]")
{
  Catalog catalog;
  SECTION("twice in the file, once as GTIN-13 and once as GTIN-14")
  {
    const std::string message = catalog_error(R"({"items": [
  {"sku": "A", "gtins": ["9506000001418"]},
  {"sku": "B", "gtins": ["09506000001418"]}
]})",
                                              FileFormat::json, catalog);
    CHECK_THAT(message, Contains("catalog.json:3: items[1]: GTIN 09506000001418 belongs to both A and B"));
  }
  SECTION("already in the catalog")
  {
    Item stored;
    stored.sku = "STORED";
    stored.gtins = {"9506000001418"};
    REQUIRE(catalog.add_item(stored).has_value());
    const std::string message = catalog_error("sku,gtins\nNEW,9506000001418\n", FileFormat::csv, catalog);
    CHECK_THAT(message, Contains("catalog.csv:2: sku NEW: GTIN 09506000001418 belongs to both STORED and NEW"));
    CHECK(catalog.items().size() == 1);
  }
  SECTION("the same SKU twice")
  {
    const std::string message =
        catalog_error("sku,gtins\nA,9506000001418\nA,9506000001487\n", FileFormat::csv, catalog);
    CHECK_THAT(message, Contains("catalog.csv:3: sku A: SKU A is defined twice"));
  }
  CHECK(catalog.find_item("A") == nullptr);
}

TEST_CASE("import_catalog refuses a kit with an unknown component", "[importer][catalog]")
{
  Catalog catalog;
  SECTION("JSON")
  {
    const std::string message = catalog_error(R"({
  "items": [{"sku": "CARE-BRUSH", "gtins": ["9506000001838"]}],
  "kits": [
    {"sku": "KIT-CARE", "components": [{"sku": "CARE-BRUSH"}, {"sku": "CARE-SPRAY", "quantity": 1}]},
    {"sku": "KIT-EMPTY", "components": []},
    {"sku": "KIT-ZERO", "components": [{"sku": "CARE-BRUSH", "quantity": 0}]}
  ]
})",
                                              FileFormat::json, catalog);
    INFO(message);
    CHECK_THAT(message, Contains("catalog.json:4: kits[0]: kit KIT-CARE: component CARE-SPRAY is not in the catalog"));
    CHECK_THAT(message, Contains("catalog.json:5: kits[1]: kit KIT-EMPTY has no components"));
    CHECK_THAT(message, Contains("catalog.json:6: kits[2].components[0].quantity: must be a whole number from 1"));
  }
  SECTION("CSV")
  {
    const std::string message = catalog_error("type,sku,gtins,components\n"
                                              "item,CARE-BRUSH,9506000001838,\n"
                                              "kit,KIT-CARE,,CARE-BRUSH*1;CARE-SPRAY*1\n"
                                              "kit,KIT-BAD,,CARE-BRUSH*two\n",
                                              FileFormat::csv, catalog);
    INFO(message);
    CHECK_THAT(message,
               Contains("catalog.csv:3: kit KIT-CARE: kit KIT-CARE: component CARE-SPRAY is not in the catalog"));
    CHECK_THAT(message, Contains("catalog.csv:4: components: CARE-BRUSH*two: 'two' is not a whole number"));
  }
  CHECK(catalog.items().empty());
  CHECK(catalog.kits().empty());
}

TEST_CASE("import_catalog CSV reports every bad field with its line", "[importer][catalog]")
{
  Catalog catalog;
  SECTION("columns")
  {
    const std::string message = catalog_error("sku,gtin,colour\nA,9506000001418,black\n", FileFormat::csv, catalog);
    CHECK_THAT(message, Contains("catalog.csv:1: unknown column 'gtin'"));
    CHECK_THAT(message, Contains("catalog.csv:1: unknown column 'colour'"));
    const std::string missing = catalog_error("style,gtins\nX,9506000001418\n", FileFormat::csv, catalog);
    CHECK_THAT(missing, Contains("catalog.csv:1: missing column 'sku'"));
    const std::string twice = catalog_error("sku,gtins,sku\nA,9506000001418,A\n", FileFormat::csv, catalog);
    CHECK_THAT(twice, Contains("catalog.csv:1: column 'sku' appears twice"));
  }
  SECTION("fields")
  {
    const std::string message = catalog_error("type,sku,gtins,attributes,weight_g,unit_value,currency,flags\n"
                                              "item,A,9506000001418,size9,800,189.00,USD,\n"
                                              "item,B,,,,,,\n"
                                              "item,C,9506000001487,size=10;size=11,12kg,189.00,USD,\n"
                                              "item,D,9506000001555,,,189.001,USD,\n"
                                              "item,E,9506000001623,,,18.90,usd,\n"
                                              "item,F,9506000001692,,,1.00,USD,fragile\n"
                                              "bundle,G,9506000001760,,,,,\n"
                                              ",,9506000001838,,,,,\n",
                                              FileFormat::csv, catalog);
    INFO(message);
    CHECK_THAT(message, Contains("catalog.csv:2: attributes: attribute 'size9' is not name=value"));
    CHECK_THAT(message, Contains("catalog.csv:3: gtins: missing"));
    CHECK_THAT(message, Contains("catalog.csv:4: attributes: attribute 'size' given twice"));
    CHECK_THAT(message, Contains("catalog.csv:4: weight_g: '12kg' is not a whole number"));
    CHECK_THAT(message,
               Contains("catalog.csv:5: unit_value: amount '189.001' is not a USD amount with at most 2 decimals"));
    CHECK_THAT(message, Contains("catalog.csv:6: unit_value: currency 'usd' is not a three-letter ISO 4217 code"));
    CHECK_THAT(message, Contains("catalog.csv:7: flags: unknown flag 'fragile'"));
    CHECK_THAT(message, Contains("catalog.csv:8: type: 'bundle' is neither item nor kit"));
    CHECK_THAT(message, Contains("catalog.csv:9: sku: missing"));
  }
  SECTION("an unterminated quote names its line")
  {
    const std::string message = catalog_error("sku,gtins,description\nA,9506000001418,ok\nB,9506000001487,\"broken\n",
                                              FileFormat::csv, catalog);
    CHECK(message == "catalog.csv:3: a quoted field is never closed");
  }
  SECTION("broken JSON names its line")
  {
    const std::string message =
        catalog_error("{\n  \"items\": [\n    {\"sku\": \"A\",}\n  ]\n}\n", FileFormat::json, catalog);
    CHECK_THAT(message, StartsWith("catalog.json:3: not valid JSON"));
  }
  SECTION("an empty file")
  {
    CHECK_THAT(catalog_error("", FileFormat::csv, catalog), Contains("empty file"));
  }
  CHECK(catalog.items().empty());
}

TEST_CASE("import_catalog JSON checks the type of every field it reads", "[importer][catalog]")
{
  Catalog catalog;
  // A currency that is not a string must not silently become USD, and one that is not a currency
  // must not be stored even when the item has no value.
  const std::string message = catalog_error(R"({"items": [
  {"sku": "A", "gtins": ["9506000001418"], "unit_value": "189.00", "currency": 840},
  {"sku": "B", "gtins": ["9506000001487"], "currency": "dollars"}
]})",
                                            FileFormat::json, catalog);
  INFO(message);
  CHECK_THAT(message, Contains("catalog.json:2: items[0].currency"));
  CHECK_THAT(message, Contains("catalog.json:3: items[1].currency"));
  CHECK(catalog.items().empty());
}

TEST_CASE("import_catalog merges onto the catalog it is given", "[importer][catalog]")
{
  Catalog catalog = demo_catalog();
  SECTION("a kit may name stored items; a stored item may become a kit")
  {
    auto count = import_catalog("type,sku,gtins,components\n"
                                "kit,KIT-RUN,,TR-RUN-09-D;ACC-LACES-BLK*2\n"
                                "kit,SOCK-RUN-M,,ACC-INSOLE-M\n",
                                FileFormat::csv, "kits.csv", catalog);
    INFO((count ? std::string() : count.error().message));
    REQUIRE(count.has_value());
    CHECK(*count == 2);
    CHECK(catalog.find_kit("KIT-RUN") != nullptr);
    CHECK(catalog.find_item("SOCK-RUN-M") == nullptr);
    CHECK(catalog.find_kit("SOCK-RUN-M") != nullptr);
    CHECK(catalog.find_by_gtin("09506000001975") == nullptr); // the GTIN went with the item
    CHECK(catalog.items().size() == 10);
    CHECK(catalog.find_kit("KIT-CARE") != nullptr); // untouched entries stay
  }
  SECTION("a stored kit whose component stops being an item: refused, nothing changed")
  {
    const std::string message =
        catalog_error("type,sku,components\nkit,CARE-BRUSH,ACC-INSOLE-M\n", FileFormat::csv, catalog);
    CHECK_THAT(message, Contains("catalog.csv: stored kit KIT-CARE no longer fits the catalog"));
    CHECK(catalog.find_item("CARE-BRUSH") != nullptr);
  }
  SECTION("a GTIN the stored catalog gives another item: refused at the file's line")
  {
    const std::string message =
        catalog_error("sku,gtins\nNEW-A,9506000009995\nNEW-SOCK,9506000001975\n", FileFormat::csv, catalog);
    CHECK_THAT(message,
               Contains("catalog.csv:3: sku NEW-SOCK: GTIN 09506000001975 belongs to both SOCK-RUN-M and NEW-SOCK"));
    CHECK(catalog.find_item("NEW-A") == nullptr);
  }
}

TEST_CASE("format_of tells the format from the extension", "[importer]")
{
  CHECK(format_of("orders.csv").value() == FileFormat::csv);
  CHECK(format_of("dir/Catalog.JSON").value() == FileFormat::json);
  const auto unknown = format_of("orders.xlsx");
  REQUIRE_FALSE(unknown);
  CHECK_THAT(unknown.error().message, Contains("use .csv or .json, or --format"));
}

// --- Orders -------------------------------------------------------------------------------------

TEST_CASE("import_orders reads the demo orders JSON", "[importer][orders]")
{
  const Catalog catalog = demo_catalog();
  auto orders = import_orders(source_file("demo/orders.json"), FileFormat::json, "orders.json", catalog);
  INFO((orders ? std::string() : orders.error().message));
  REQUIRE(orders.has_value());
  REQUIRE(orders->size() == 4);
  const Order& incident = (*orders)[0];
  CHECK(incident.id == "ORD-2025-00145");
  CHECK(incident.value == Money{28500, "USD"});
  CHECK(incident.customer == "C-88213");
  CHECK_FALSE(incident.image_check_flagged);
  REQUIRE(incident.lines.size() == 4);
  CHECK(incident.lines[0].line_no == 1);
  CHECK(incident.lines[0].sku.empty());
  CHECK(incident.lines[0].style == "TR-RUN");
  CHECK(incident.lines[0].required_attributes == Attributes{{"size", "9"}, {"width", "D"}});
  CHECK(incident.lines[0].description == "Trail runner, size 9, width D");
  CHECK(incident.lines[3].sku == "KIT-CARE");
  CHECK(incident.lines[3].quantity == 1);
  CHECK((*orders)[1].lines[0].quantity == 2);
  CHECK((*orders)[1].value == Money{2400, "USD"});
  // Kits expand against the catalog.
  auto expanded = expand_order(incident, catalog);
  REQUIRE(expanded.has_value());
  CHECK(expanded->size() == 5);
  // The trail bundle's runner takes the size and width of its order line.
  const Order& bundle = (*orders)[3];
  CHECK(bundle.lines.at(0).required_attributes == Attributes{{"size", "10"}, {"width", "D"}});
  auto bundle_lines = expand_order(bundle, catalog);
  REQUIRE(bundle_lines.has_value());
  REQUIRE(bundle_lines->size() == 3);
  CHECK((*bundle_lines)[0].required_attributes == Attributes{{"colour", "black"}, {"size", "10"}, {"width", "D"}});
  CHECK((*bundle_lines)[0].description == "Trail runner, size 10, width D (kit KIT-TRAIL)");
}

TEST_CASE("import_catalog reads kit parts that follow the order in CSV and JSON", "[importer][catalog][kits]")
{
  Catalog catalog = demo_catalog();
  const std::string csv = "type,sku,description,components\n"
                          "kit,KIT-TWO,Two pairs,\"TR-RUN[ size , colour=black ]*2; ACC-INSOLE[] ;CARE-BRUSH*3\"\n";
  auto count = import_catalog(csv, FileFormat::csv, "catalog.csv", catalog);
  INFO((count ? std::string() : count.error().message));
  REQUIRE(count.has_value());
  const Kit* two = catalog.find_kit("KIT-TWO");
  REQUIRE(two != nullptr);
  REQUIRE(two->components.size() == 3);
  CHECK(two->components[0].style == "TR-RUN");
  CHECK(two->components[0].quantity == 2);
  CHECK(two->components[0].fixed_attributes == Attributes{{"colour", "black"}});
  CHECK(two->components[0].from_order == std::vector<std::string>{"size"});
  CHECK(two->components[1].style == "ACC-INSOLE");
  CHECK(two->components[1].fixed_attributes.empty());
  CHECK(two->components[1].from_order.empty());
  CHECK(two->components[1].quantity == 1);
  CHECK(two->components[2].sku == "CARE-BRUSH");
  CHECK(two->components[2].quantity == 3);
}

TEST_CASE("import_catalog refuses kit parts that cannot follow the order, naming the part", "[importer][catalog][kits]")
{
  Catalog catalog = demo_catalog();
  const std::string header = "type,sku,description,components\n";
  CHECK_THAT(catalog_error(header + "kit,KIT-X,,\"TR-RUN[sise,width]\"\n", FileFormat::csv, catalog),
             Contains("catalog.csv:2: kit KIT-X: kit KIT-X: style TR-RUN takes sise from the order, but no item of "
                      "style TR-RUN has a sise"));
  CHECK_THAT(catalog_error(header + "kit,KIT-X,,TR-RUN[size\n", FileFormat::csv, catalog),
             Contains("catalog.csv:2: components: TR-RUN[size: '[' without a closing ']'"));
  CHECK_THAT(catalog_error(header + "kit,KIT-X,,[size]\n", FileFormat::csv, catalog),
             Contains("components: [size]: a style part needs its style before '['"));
  CHECK_THAT(catalog_error(header + "kit,KIT-X,,\"TR-RUN[size,size=9]\"\n", FileFormat::csv, catalog),
             Contains("attribute 'size' given twice"));
  CHECK_THAT(catalog_error(header + "kit,KIT-X,,TR-RUN[size]x\n", FileFormat::csv, catalog),
             Contains("'x' after ']' is not *QUANTITY"));
  CHECK_THAT(catalog_error(header + "kit,KIT-X,,TR-RUN[size]*0\n", FileFormat::csv, catalog),
             Contains("components: TR-RUN[size]*0: 0 is outside 1–10000"));
  CHECK_THAT(catalog_error(R"({"kits": [{"sku": "KIT-X", "components": [
               {"style": "TR-RUN", "attributes": {"colour": "green"}, "from_order": ["size"]}]}]})",
                           FileFormat::json, catalog),
             Contains("catalog.json:1: kits[0]: kit KIT-X: no item of style TR-RUN has colour green"));
  CHECK_THAT(catalog_error(R"({"kits": [{"sku": "KIT-X", "components": [{"style": "TR-RUN", "from_order": "size"}]}]})",
                           FileFormat::json, catalog),
             Contains("kits[0].components[0].from_order: must be an array of attribute names"));
  CHECK_THAT(
      catalog_error(R"({"kits": [{"sku": "KIT-X", "components": [{"quantity": 2}]}]})", FileFormat::json, catalog),
      Contains("kits[0].components[0].sku: missing"));
}

TEST_CASE("import_orders refuses a kit line without the attributes its parts take from the order",
          "[importer][orders][kits]")
{
  const std::string header = "order_id,value,sku,attributes,quantity\n";
  CHECK_THAT(orders_error(header + "ORD-9,217.00,KIT-TRAIL,size=10,1\n", FileFormat::csv),
             Contains("orders.csv:2: attributes: order ORD-9 line 1: kit KIT-TRAIL takes size, width from the order "
                      "line; the line gives no width"));
  CHECK_THAT(orders_error(header + "ORD-9,217.00,KIT-TRAIL,size=10;width=D;colour=red,1\n", FileFormat::csv),
             Contains("orders.csv:2: attributes: order ORD-9 line 1: kit KIT-TRAIL takes no colour from the order line "
                      "(it takes size, width)"));
  CHECK_THAT(orders_error(header + "ORD-9,217.00,KIT-TRAIL,size=12;width=D,1\n", FileFormat::csv),
             Contains("orders.csv:2: attributes: order ORD-9 line 1: kit KIT-TRAIL: no item of style TR-RUN has "
                      "colour black, size 12, width D"));
  CHECK_THAT(orders_error(R"({"orders": [{"id": "ORD-9", "value": "217.00", "lines": [{"sku": "KIT-TRAIL"}]}]})",
                          FileFormat::json),
             Contains("orders[0].lines[0].attributes: order ORD-9 line 1: kit KIT-TRAIL takes size, width"));
}

TEST_CASE("import_orders reads CSV: one row per line, rows of one order grouped by order_id", "[importer][orders]")
{
  const Catalog catalog = demo_catalog();
  const std::string text =
      "\xEF\xBB\xBForder_id,value,currency,customer,image_check,line,sku,style,attributes,quantity,description\r\n"
      "ORD-2025-00145,285.00,USD,C-88213,,1,,TR-RUN,size=9;width=D,1,\"Trail runner, size 9, width D\"\r\n"
      "ORD-2025-00145,285.00,USD,C-88213,,2,ACC-INSOLE-M,,,1,\r\n"
      "ORD-2025-00146,24.00,USD,C-90417,yes,,SOCK-RUN-M,,,2,\r\n"
      "ORD-2025-00145,285.00,USD,C-88213,,4,KIT-CARE,,,1,\r\n";
  auto orders = import_orders(text, FileFormat::csv, "orders.csv", catalog);
  INFO((orders ? std::string() : orders.error().message));
  REQUIRE(orders.has_value());
  REQUIRE(orders->size() == 2);
  const Order& incident = (*orders)[0];
  CHECK(incident.id == "ORD-2025-00145");
  CHECK(incident.value == Money{28500, "USD"});
  REQUIRE(incident.lines.size() == 3);
  CHECK(incident.lines[0].required_attributes == Attributes{{"size", "9"}, {"width", "D"}});
  CHECK(incident.lines[0].description == "Trail runner, size 9, width D");
  CHECK(incident.lines[2].line_no == 4);
  CHECK(incident.lines[2].sku == "KIT-CARE");
  const Order& socks = (*orders)[1];
  CHECK(socks.image_check_flagged);
  CHECK(socks.lines[0].line_no == 1); // numbered in file order when the column is empty
  CHECK(socks.lines[0].quantity == 2);
}

TEST_CASE("import_orders refuses unknown SKUs, styles and attributes", "[importer][orders]")
{
  SECTION("JSON")
  {
    const std::string message = orders_error(R"({"orders": [
  {"id": "ORD-1", "value": "10.00", "lines": [{"sku": "NOPE"}]},
  {"id": "ORD-2", "value": "10.00", "lines": [{"style": "NO-STYLE"}]},
  {"id": "ORD-3", "value": "10.00", "lines": [{"style": "TR-RUN", "attributes": {"size": "12"}}]},
  {"id": "ORD-4", "value": "10.00", "lines": [{"quantity": 1}]}
]})",
                                             FileFormat::json);
    INFO(message);
    CHECK_THAT(message, StartsWith("orders.json: 4 problem(s), nothing imported"));
    CHECK_THAT(message,
               Contains("orders.json:2: orders[0].lines[0].sku: order ORD-1 line 1: SKU NOPE is not in the catalog"));
    CHECK_THAT(
        message,
        Contains("orders.json:3: orders[1].lines[0].style: order ORD-2 line 1: style NO-STYLE is not in the catalog"));
    CHECK_THAT(
        message,
        Contains("orders.json:4: orders[2].lines[0].style: order ORD-3 line 1: no item of style TR-RUN has size 12"));
    CHECK_THAT(message,
               Contains("orders.json:5: orders[3].lines[0].sku: order ORD-4 line 1: names neither a SKU nor a style"));
  }
  SECTION("CSV")
  {
    const std::string message = orders_error("order_id,value,sku,style,attributes,quantity\n"
                                             "ORD-1,10.00,NOPE,,,1\n"
                                             "ORD-2,10.00,,TR-RUN,size=12,1\n",
                                             FileFormat::csv);
    INFO(message);
    CHECK_THAT(message, Contains("orders.csv:2: sku: order ORD-1 line 1: SKU NOPE is not in the catalog"));
    CHECK_THAT(message, Contains("orders.csv:3: style: order ORD-2 line 1: no item of style TR-RUN has size 12"));
  }
}

TEST_CASE("import_orders CSV names the line of the bad row, not the order's first row", "[importer][orders]")
{
  // The unknown SKU is on line 4; line 2 is fine. A person fixing the file must be sent to line 4.
  const std::string message = orders_error("order_id,value,sku,quantity\n"
                                           "ORD-1,10.00,SOCK-RUN-M,1\n"
                                           "ORD-1,10.00,ACC-LACES-BLK,1\n"
                                           "ORD-1,10.00,NOPE,1\n",
                                           FileFormat::csv);
  INFO(message);
  CHECK_THAT(message, Contains("orders.csv:4:"));
  CHECK_THAT(message, Contains("NOPE"));
}

TEST_CASE("import_orders JSON names the field of a bad line", "[importer][orders]")
{
  const std::string message = orders_error(R"({"orders": [
  {"id": "ORD-1", "value": "10.00", "lines": [
    {"sku": "SOCK-RUN-M"},
    {"sku": "NOPE"}
  ]}
]})",
                                           FileFormat::json);
  INFO(message);
  CHECK_THAT(message, Contains("orders[0].lines[1].sku"));
}

TEST_CASE("import_orders takes money as strings only", "[importer][orders]")
{
  SECTION("a JSON number is refused")
  {
    const std::string message = orders_error(
        R"({"orders": [{"id": "ORD-1", "value": 285.0, "lines": [{"sku": "SOCK-RUN-M"}]}]})", FileFormat::json);
    CHECK_THAT(
        message,
        Contains("orders.json:1: orders[0].value: must be a string such as \"285.00\" (no floating point for money)"));
  }
  SECTION("too many decimals, exponents and words are refused")
  {
    for (const std::string value : {"285.001", "2.85e2", "\"285,00\"", "about 285", ""}) {
      INFO(value);
      const std::string message =
          orders_error("order_id,value,sku,quantity\nORD-1," + value + ",SOCK-RUN-M,1\n", FileFormat::csv);
      CHECK_THAT(message, Contains("orders.csv:2: value: amount"));
    }
  }
  SECTION("minor units follow the currency")
  {
    const Catalog catalog = demo_catalog();
    auto orders = import_orders(R"({"orders": [{"id": "ORD-1", "value": "28500", "currency": "JPY",
                                    "lines": [{"sku": "SOCK-RUN-M"}]}]})",
                                FileFormat::json, "orders.json", catalog);
    REQUIRE(orders.has_value());
    CHECK((*orders)[0].value == Money{28500, "JPY"});
    CHECK_THAT(
        orders_error(
            R"({"orders": [{"id": "ORD-1", "value": "285.00", "currency": "JPY", "lines": [{"sku": "SOCK-RUN-M"}]}]})",
            FileFormat::json),
        Contains("orders[0].value: amount '285.00' is not a JPY amount with at most 0 decimals"));
  }
}

TEST_CASE("import_orders CSV requires the value column", "[importer][orders]")
{
  const std::string message = orders_error("order_id,sku,quantity\nORD-1,SOCK-RUN-M,1\n", FileFormat::csv);
  CHECK_THAT(message, Contains("orders.csv:1: missing column 'value'"));
}

TEST_CASE("import_orders JSON requires an order value of zero or more", "[importer][orders]")
{
  // Without a value an order would count as $0.00 and skip the high-value image check.
  SECTION("missing")
  {
    const std::string message =
        orders_error(R"({"orders": [{"id": "ORD-1", "lines": [{"sku": "SOCK-RUN-M"}]}]})", FileFormat::json);
    CHECK_THAT(message, Contains("orders.json:1: orders[0].value"));
  }
  SECTION("negative")
  {
    const std::string message = orders_error(
        R"({"orders": [{"id": "ORD-1", "value": "-285.00", "lines": [{"sku": "SOCK-RUN-M"}]}]})", FileFormat::json);
    CHECK_THAT(message, Contains("orders.json:1: orders[0].value"));
  }
}

TEST_CASE("import_orders refuses duplicates and out-of-range quantities", "[importer][orders]")
{
  SECTION("an order id twice in a JSON file")
  {
    const std::string message = orders_error(R"({"orders": [
  {"id": "ORD-1", "value": "10.00", "lines": [{"sku": "SOCK-RUN-M"}]},
  {"id": "ORD-1", "value": "10.00", "lines": [{"sku": "SOCK-RUN-M"}]}
]})",
                                             FileFormat::json);
    CHECK_THAT(message, Contains("orders.json:3: orders[1]: order ORD-1 appears twice"));
  }
  SECTION("one order with two values in CSV")
  {
    const std::string message = orders_error(
        "order_id,value,sku,quantity\nORD-1,10.00,SOCK-RUN-M,1\nORD-1,12.00,ACC-LACES-BLK,1\n", FileFormat::csv);
    CHECK_THAT(message, Contains("orders.csv:3: value: order ORD-1 has value $10.00 on line 2"));
  }
  SECTION("quantities")
  {
    const std::string message = orders_error("order_id,value,sku,quantity\n"
                                             "ORD-1,10.00,SOCK-RUN-M,0\n"
                                             "ORD-2,10.00,SOCK-RUN-M,-1\n"
                                             "ORD-3,10.00,SOCK-RUN-M,\n"
                                             "ORD-4,10.00,SOCK-RUN-M,99999999999\n",
                                             FileFormat::csv);
    INFO(message);
    CHECK_THAT(message, Contains("orders.csv:2: quantity: 0 is outside 1–100000"));
    CHECK_THAT(message, Contains("orders.csv:3: quantity: '-1' is not a whole number"));
    CHECK_THAT(message, Contains("orders.csv:4: quantity: '' is not a whole number"));
    CHECK_THAT(message, Contains("orders.csv:5: quantity: '99999999999' is not a whole number"));
    const std::string json = orders_error(
        R"({"orders": [{"id": "ORD-1", "value": "10.00", "lines": [{"sku": "SOCK-RUN-M", "quantity": 0}]}]})",
        FileFormat::json);
    CHECK_THAT(json, Contains("orders[0].lines[0].quantity: must be a whole number from 1 to 100000"));
  }
  SECTION("unknown fields and columns")
  {
    CHECK_THAT(
        orders_error(
            R"({"orders": [{"id": "ORD-1", "value": "10.00", "priority": 1, "lines": [{"sku": "SOCK-RUN-M"}]}]})",
            FileFormat::json),
        Contains("orders.json:1: orders[0].priority: unknown field"));
    CHECK_THAT(orders_error(R"({"orders": [], "extra": true})", FileFormat::json),
               Contains("file.extra: unknown field"));
    CHECK_THAT(orders_error("order_id,value,qty\nORD-1,10.00,1\n", FileFormat::csv),
               Contains("orders.csv:1: unknown column 'qty'"));
  }
}

TEST_CASE("import_orders refuses the same line number twice in one order", "[importer][orders]")
{
  SECTION("the same line number twice in one order")
  {
    // The store keys order lines by (order, line): a file that passes the import must also save.
    const std::string message = orders_error(R"({"orders": [
  {"id": "ORD-1", "value": "10.00", "lines": [
    {"line": 1, "sku": "SOCK-RUN-M"},
    {"line": 1, "sku": "ACC-LACES-BLK"}
  ]}
]})",
                                             FileFormat::json);
    CHECK_THAT(message, Contains("orders.json:2:"));
    CHECK_THAT(message, Contains("line 1"));
  }
}

TEST_CASE("import_orders refuses an order without lines", "[importer][orders]")
{
  CHECK_THAT(orders_error(R"({"orders": [{"id": "ORD-1", "value": "10.00", "lines": []}]})", FileFormat::json),
             Contains("orders.json:1: orders[0].lines: order ORD-1 has no lines"));
  CHECK_THAT(orders_error(R"({"orders": [{"id": "ORD-1", "value": "10.00"}]})", FileFormat::json),
             Contains("orders.json:1: orders[0].lines: missing"));
  CHECK_THAT(orders_error("order_id,value,sku,quantity\nORD-1,-1.00,SOCK-RUN-M,1\n", FileFormat::csv),
             Contains("orders.csv:2: value: must not be negative"));
}

TEST_CASE("import_orders reports at most 50 problems and counts the rest", "[importer][orders]")
{
  std::string text = "order_id,value,sku,quantity\n";
  for (int i = 0; i < 60; ++i) {
    text += "ORD-" + std::to_string(i) + ",10.00,SOCK-RUN-M,0\n";
  }
  const std::string message = orders_error(text, FileFormat::csv);
  CHECK_THAT(message, StartsWith("orders.csv: 60 problem(s), nothing imported"));
  CHECK_THAT(message, Contains("orders.csv:51: quantity"));
  CHECK_THAT(message, !Contains("orders.csv:52: quantity"));
  CHECK_THAT(message, Contains("… and 10 more"));
}

// --- docs/FORMATS.md ----------------------------------------------------------------------------

namespace {

// The fenced block that follows "<!-- example: NAME -->" in docs/FORMATS.md.
std::string doc_example(const std::string& name)
{
  const std::string doc = source_file("docs/FORMATS.md");
  const auto marker = doc.find("<!-- example: " + name + " -->");
  INFO(name);
  REQUIRE(marker != std::string::npos);
  const auto fence = doc.find("```", marker);
  const auto start = doc.find('\n', fence) + 1;
  const auto end = doc.find("\n```", start);
  REQUIRE(end != std::string::npos);
  return doc.substr(start, end - start + 1);
}

void check_same_catalog(const Catalog& got, const Catalog& want)
{
  REQUIRE(got.items().size() == want.items().size());
  REQUIRE(got.kits().size() == want.kits().size());
  for (const Item& item : want.items()) {
    INFO(item.sku);
    const Item* other = got.find_item(item.sku);
    REQUIRE(other != nullptr);
    CHECK(other->style == item.style);
    CHECK(other->description == item.description);
    CHECK(other->gtins == item.gtins);
    CHECK(other->attributes == item.attributes);
    CHECK(other->weight_g == item.weight_g);
    CHECK(other->unit_value == item.unit_value);
    CHECK(other->image_check_required == item.image_check_required);
    REQUIRE(other->packs.size() == item.packs.size());
    for (std::size_t p = 0; p < item.packs.size(); ++p) {
      CHECK(other->packs[p].level == item.packs[p].level);
      CHECK(other->packs[p].gtin == item.packs[p].gtin);
      CHECK(other->packs[p].quantity == item.packs[p].quantity);
    }
  }
  for (const Kit& kit : want.kits()) {
    const Kit* other = got.find_kit(kit.sku);
    REQUIRE(other != nullptr);
    CHECK(other->description == kit.description);
    REQUIRE(other->components.size() == kit.components.size());
    for (std::size_t i = 0; i < kit.components.size(); ++i) {
      CHECK(other->components[i].sku == kit.components[i].sku);
      CHECK(other->components[i].quantity == kit.components[i].quantity);
      CHECK(other->components[i].style == kit.components[i].style);
      CHECK(other->components[i].fixed_attributes == kit.components[i].fixed_attributes);
      CHECK(other->components[i].from_order == kit.components[i].from_order);
    }
  }
}

void check_same_orders(const std::vector<Order>& got, const std::vector<Order>& want)
{
  REQUIRE(got.size() == want.size());
  for (std::size_t o = 0; o < want.size(); ++o) {
    INFO(want[o].id);
    CHECK(got[o].id == want[o].id);
    CHECK(got[o].value == want[o].value);
    CHECK(got[o].customer == want[o].customer);
    CHECK(got[o].image_check_flagged == want[o].image_check_flagged);
    REQUIRE(got[o].lines.size() == want[o].lines.size());
    for (std::size_t l = 0; l < want[o].lines.size(); ++l) {
      const OrderLine& a = got[o].lines[l];
      const OrderLine& b = want[o].lines[l];
      CHECK(a.line_no == b.line_no);
      CHECK(a.sku == b.sku);
      CHECK(a.style == b.style);
      CHECK(a.required_attributes == b.required_attributes);
      CHECK(a.quantity == b.quantity);
      CHECK(a.description == b.description);
    }
  }
}

} // namespace

TEST_CASE("docs/FORMATS.md examples import and match the demo data", "[importer][docs]")
{
  const Catalog demo = demo_catalog();
  auto demo_orders = import_orders(source_file("demo/orders.json"), FileFormat::json, "orders.json", demo);
  REQUIRE(demo_orders.has_value());

  for (const auto& [name, format] :
       {std::pair{"catalog.csv", FileFormat::csv}, std::pair{"catalog.json", FileFormat::json}}) {
    INFO(name);
    Catalog catalog;
    auto count = import_catalog(doc_example(name), format, name, catalog);
    INFO((count ? std::string() : count.error().message));
    REQUIRE(count.has_value());
    CHECK(*count == 13);
    check_same_catalog(catalog, demo);
  }
  for (const auto& [name, format] :
       {std::pair{"orders.csv", FileFormat::csv}, std::pair{"orders.json", FileFormat::json}}) {
    INFO(name);
    auto orders = import_orders(doc_example(name), format, name, demo);
    INFO((orders ? std::string() : orders.error().message));
    REQUIRE(orders.has_value());
    check_same_orders(*orders, *demo_orders);
  }
}

// --- Packaging levels ------------------------------------------------------------------------

TEST_CASE("import_catalog reads packaging levels from CSV and JSON, and files without them as before",
          "[importer][catalog][packs]")
{
  const std::string csv = "sku,gtins,packs\n"
                          "SOCK-RUN-M,9506000001975,inner:9506000002293*3; case:19506000001972*12\n"
                          "CARE-BRUSH,9506000001838,\n";
  const std::string json = R"({"items": [
    {"sku": "SOCK-RUN-M", "gtins": ["9506000001975"],
     "packs": [{"level": "inner", "gtin": "9506000002293", "quantity": 3},
               {"level": "case", "gtin": "19506000001972", "quantity": 12}]},
    {"sku": "CARE-BRUSH", "gtins": ["9506000001838"]}
  ]})";
  for (const auto& [text, format] : {std::pair{csv, FileFormat::csv}, std::pair{json, FileFormat::json}}) {
    Catalog catalog;
    auto count = import_catalog(text, format, "catalog", catalog);
    INFO((count ? std::string() : count.error().message));
    REQUIRE(count.has_value());
    const Identified carton = catalog.identify("19506000001972");
    REQUIRE(carton.pack);
    CHECK(carton.item->sku == "SOCK-RUN-M");
    CHECK(carton.pack->level == "case");
    CHECK(carton.units() == 12);
    CHECK(catalog.identify("09506000002293").units() == 3);
    CHECK(catalog.find_item("CARE-BRUSH")->packs.empty());
  }
}

TEST_CASE("import_catalog refuses bad packaging levels with line and field", "[importer][catalog][packs]")
{
  Catalog catalog;
  const std::string csv = "sku,gtins,packs\n"
                          "A,9506000001975,case:19506000001972\n"
                          "B,9506000001838,case:19506000001972*1\n"
                          "C,9506000001906,pallet:19506000001972*12\n"
                          "D,9506000001418,case:9506000001418*12\n";
  const std::string csv_message = catalog_error(csv, FileFormat::csv, catalog);
  INFO(csv_message);
  CHECK_THAT(csv_message, Contains("catalog.csv:2: packs: 'case:19506000001972' is not LEVEL:GTIN*QUANTITY"));
  CHECK_THAT(csv_message, Contains("catalog.csv:3: packs: case:19506000001972*1: quantity 1 is outside 2–100000"));
  CHECK_THAT(csv_message, Contains("catalog.csv:4: sku C: item C: packaging level 'pallet' is neither inner nor case"));
  CHECK_THAT(csv_message, Contains("catalog.csv:5: sku D: item D: GTIN 09506000001418 names two packaging levels"));

  const std::string json = R"({"items": [
    {"sku": "A", "gtins": ["9506000001975"], "packs": [{"level": "case", "gtin": "19506000001972"}]},
    {"sku": "B", "gtins": ["9506000001838"], "packs": {"level": "case"}},
    {"sku": "C", "gtins": ["9506000001906"], "packs": [{"level": "case", "gtin": 19506000001972, "quantity": 12}]},
    {"sku": "D", "gtins": ["9506000001418"], "packs": [{"level": "case", "gtin": "19506000001972", "quantity": 12, "weight": 1}]}
  ]})";
  const std::string json_message = catalog_error(json, FileFormat::json, catalog);
  INFO(json_message);
  CHECK_THAT(json_message, Contains("catalog.json:2: items[0].packs[0].quantity: missing"));
  CHECK_THAT(json_message, Contains("catalog.json:3: items[1].packs: must be an array"));
  CHECK_THAT(json_message, Contains("catalog.json:4: items[2].packs[0].gtin: must be a string"));
  CHECK_THAT(json_message, Contains("catalog.json:5: items[3].packs[0].weight: unknown field"));
  CHECK(catalog.items().empty());
}
