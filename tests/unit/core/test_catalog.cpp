// Catalog, money and order expansion.
#include <catch2/catch.hpp>

#include <pickverify/catalog.hpp>
#include <pickverify/order.hpp>

using namespace pickverify;

TEST_CASE("Catalog::add_item normalises GTINs to 14 digits and indexes them", "[catalog]")
{
  Catalog catalog;
  Item item;
  item.sku = "A";
  item.gtins = {"9506000001418", "012345678905"};
  REQUIRE(catalog.add_item(item));
  REQUIRE(catalog.find_by_gtin("09506000001418"));
  CHECK(catalog.find_by_gtin("09506000001418")->sku == "A");
  CHECK(catalog.find_by_gtin("00012345678905"));
  CHECK_FALSE(catalog.find_by_gtin("9506000001418")); // only the 14-digit form is a key
  CHECK(catalog.find_item("A")->style == "A");        // an item without style is its own style
}

TEST_CASE("Catalog::add_item refuses bad and duplicate GTINs and SKUs", "[catalog]")
{
  Catalog catalog;
  Item a;
  a.sku = "A";
  a.gtins = {"9506000001418"};
  REQUIRE(catalog.add_item(a));
  Item same_gtin;
  same_gtin.sku = "B";
  same_gtin.gtins = {"09506000001418"};
  auto clash = catalog.add_item(same_gtin);
  REQUIRE_FALSE(clash);
  CHECK_THAT(clash.error().message, Catch::Contains("belongs to both A and B"));
  Item bad_check;
  bad_check.sku = "C";
  bad_check.gtins = {"9506000001419"};
  CHECK_FALSE(catalog.add_item(bad_check));
  CHECK_FALSE(catalog.add_item(a)); // same SKU
  CHECK(catalog.items().size() == 1);
}

TEST_CASE("Catalog::add_kit needs existing components", "[catalog]")
{
  Catalog catalog;
  Item brush;
  brush.sku = "BRUSH";
  brush.gtins = {"9506000001838"};
  REQUIRE(catalog.add_item(brush));
  CHECK_FALSE(catalog.add_kit(Kit{"KIT", "", {{"BRUSH", 1}, {"SPRAY", 1}}}));
  CHECK_FALSE(catalog.add_kit(Kit{"KIT", "", {}}));
  CHECK_FALSE(catalog.add_kit(Kit{"KIT", "", {{"BRUSH", 0}}}));
  CHECK(catalog.add_kit(Kit{"KIT", "", {{"BRUSH", 2}}}));
  CHECK_FALSE(catalog.add_kit(Kit{"BRUSH", "", {{"BRUSH", 1}}})); // SKU of an item
}

TEST_CASE("format_money and parse_money use integer minor units", "[money]")
{
  CHECK(format_money(Money{28500, "USD"}) == "$285.00");
  CHECK(format_money(Money{5, "EUR"}) == "€0.05");
  CHECK(format_money(Money{-1250, "CHF"}) == "-12.50 CHF");
  CHECK(format_money(Money{500, "JPY"}) == "¥500");
  CHECK(parse_money("285.00", "USD").value() == Money{28500, "USD"});
  CHECK(parse_money("285", "USD").value() == Money{28500, "USD"});
  CHECK(parse_money("0.5", "USD").value() == Money{50, "USD"});
  CHECK(parse_money("1.234", "KWD").value() == Money{1234, "KWD"});
  CHECK_FALSE(parse_money("1.234", "USD"));
  CHECK_FALSE(parse_money("12,50", "EUR"));
  CHECK_FALSE(parse_money("", "USD"));
  CHECK_FALSE(parse_money("1.", "USD"));
  CHECK_FALSE(parse_money("10", "usd"));
  CHECK_FALSE(parse_money("1e3", "USD"));
}

TEST_CASE("expand_order multiplies kit components by the line quantity", "[order]")
{
  Catalog catalog;
  Item brush;
  brush.sku = "BRUSH";
  brush.gtins = {"9506000001838"};
  Item spray;
  spray.sku = "SPRAY";
  spray.gtins = {"9506000001906"};
  REQUIRE(catalog.add_item(brush));
  REQUIRE(catalog.add_item(spray));
  REQUIRE(catalog.add_kit(Kit{"KIT", "care kit", {{"BRUSH", 1}, {"SPRAY", 2}}}));
  Order order;
  order.id = "O";
  order.lines.push_back(OrderLine{7, "KIT", "", {}, 3, ""});
  auto lines = expand_order(order, catalog);
  REQUIRE(lines);
  REQUIRE(lines->size() == 2);
  CHECK((*lines)[0].quantity == 3);
  CHECK((*lines)[1].quantity == 6);
  CHECK((*lines)[1].line_no == 7);
  CHECK((*lines)[1].kit_sku == "KIT");
}

TEST_CASE("expand_order refuses a style line no item can satisfy", "[order]")
{
  Catalog catalog;
  Item shoe;
  shoe.sku = "S9";
  shoe.style = "SHOE";
  shoe.gtins = {"9506000001418"};
  shoe.attributes = {{"size", "9"}};
  REQUIRE(catalog.add_item(shoe));
  Order order;
  order.id = "O";
  OrderLine line;
  line.line_no = 1;
  line.style = "SHOE";
  line.required_attributes = {{"size", "12"}};
  order.lines.push_back(line);
  auto lines = expand_order(order, catalog);
  REQUIRE_FALSE(lines);
  CHECK_THAT(lines.error().message, Catch::Contains("size 12"));
  order.lines[0].required_attributes = {{"size", "9"}};
  CHECK(expand_order(order, catalog));
  order.lines[0].quantity = 0;
  CHECK_FALSE(expand_order(order, catalog));
}

TEST_CASE("Catalog::identify names the packaging level of a pack GTIN", "[catalog][packs]")
{
  Catalog catalog;
  Item socks;
  socks.sku = "SOCK-RUN-M";
  socks.gtins = {"9506000001975"};
  socks.packs = {Pack{"inner", "9506000002293", 3}, Pack{"case", "19506000001972", 12}};
  REQUIRE(catalog.add_item(socks));

  const Identified each = catalog.identify("09506000001975");
  REQUIRE(each);
  CHECK(each.pack == nullptr);
  CHECK(each.units() == 1);
  const Identified inner = catalog.identify("09506000002293"); // stored in its 14-digit form
  REQUIRE(inner.pack);
  CHECK(inner.item->sku == "SOCK-RUN-M");
  CHECK(inner.units() == 3);
  CHECK(describe_pack(*inner.pack) == "an inner pack of 3");
  const Identified carton = catalog.identify("19506000001972");
  REQUIRE(carton.pack);
  CHECK(carton.units() == 12);
  CHECK(describe_pack(*carton.pack) == "a case of 12");
  CHECK(catalog.find_by_gtin("19506000001972") == carton.item); // any level names the item
  CHECK_FALSE(catalog.identify("09506000001418"));
}

TEST_CASE("Catalog::add_item refuses packs that clash, have no level or hold fewer than two", "[catalog][packs]")
{
  Catalog catalog;
  Item shoe;
  shoe.sku = "SHOE";
  shoe.gtins = {"9506000001418"};
  REQUIRE(catalog.add_item(shoe));

  auto with_pack = [](Pack pack) {
    Item socks;
    socks.sku = "SOCKS";
    socks.gtins = {"9506000001975"};
    socks.packs = {std::move(pack)};
    return socks;
  };
  auto clash = catalog.add_item(with_pack(Pack{"case", "09506000001418", 12}));
  REQUIRE_FALSE(clash);
  CHECK_THAT(clash.error().message, Catch::Contains("GTIN 09506000001418 belongs to both SHOE and SOCKS"));
  auto own = catalog.add_item(with_pack(Pack{"case", "9506000001975", 12}));
  REQUIRE_FALSE(own);
  CHECK_THAT(own.error().message, Catch::Contains("names two packaging levels"));
  auto level = catalog.add_item(with_pack(Pack{"pallet", "19506000001972", 12}));
  REQUIRE_FALSE(level);
  CHECK_THAT(level.error().message, Catch::Contains("'pallet' is neither inner nor case"));
  auto one = catalog.add_item(with_pack(Pack{"inner", "19506000001972", 1}));
  REQUIRE_FALSE(one);
  CHECK_THAT(one.error().message, Catch::Contains("quantity from 2"));
  auto bad_check = catalog.add_item(with_pack(Pack{"case", "19506000001973", 12}));
  REQUIRE_FALSE(bad_check);
  CHECK_THAT(bad_check.error().message, Catch::Contains("case GTIN 19506000001973: check digit"));
  CHECK(catalog.items().size() == 1);

  // A pack GTIN is taken like an each GTIN: a later item cannot have it.
  REQUIRE(catalog.add_item(with_pack(Pack{"case", "19506000001972", 12})));
  Item other;
  other.sku = "OTHER";
  other.gtins = {"19506000001972"};
  CHECK_FALSE(catalog.add_item(other));
}
