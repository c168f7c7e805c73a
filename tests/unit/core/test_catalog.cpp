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

// --- Kits whose parts follow the order --------------------------------------------------------

namespace {

// Trail runners in sizes 9 and 10, width D, black and red; a shoe tree; laces.
Catalog runner_catalog()
{
  Catalog catalog;
  const auto shoe = [](const std::string& size, const std::string& colour, const std::string& gtin) {
    Item item;
    item.sku = "TR-" + size + "-" + colour;
    item.style = "TR-RUN";
    item.description = "Trail runner, size " + size + ", " + colour;
    item.gtins = {gtin};
    item.attributes = {{"size", size}, {"width", "D"}, {"colour", colour}};
    return item;
  };
  REQUIRE(catalog.add_item(shoe("9", "black", "9506000001418")));
  REQUIRE(catalog.add_item(shoe("10", "black", "9506000001487")));
  REQUIRE(catalog.add_item(shoe("9", "red", "9506000001623")));
  Item tree;
  tree.sku = "TREE";
  tree.gtins = {"9506000001838"};
  REQUIRE(catalog.add_item(tree));
  return catalog;
}

KitComponent runner_part(Attributes fixed, std::vector<std::string> from_order)
{
  KitComponent part;
  part.style = "TR-RUN";
  part.fixed_attributes = std::move(fixed);
  part.from_order = std::move(from_order);
  return part;
}

Order kit_order(Attributes attributes, std::int32_t quantity = 1)
{
  Order order;
  order.id = "O-KIT";
  order.lines.push_back(OrderLine{3, "KIT-RUN", "", std::move(attributes), quantity, ""});
  return order;
}

} // namespace

TEST_CASE("Catalog::add_kit takes style parts whose attributes the kit fixes or the order gives", "[catalog][kits]")
{
  Catalog catalog = runner_catalog();
  CHECK(catalog.add_kit(Kit{"KIT-RUN", "", {runner_part({{"colour", "black"}}, {"width", "size"}), {"TREE", 1}}}));
  const Kit* kit = catalog.find_kit("KIT-RUN");
  REQUIRE(kit);
  CHECK(kit->components[0].from_order == std::vector<std::string>{"size", "width"}); // sorted, one form
  CHECK(kit_order_attributes(*kit) == std::vector<std::string>{"size", "width"});
  CHECK(catalog.add_kit(Kit{"KIT-ANY", "", {runner_part({}, {})}})); // any runner at all

  const auto refused = [&](KitComponent part) {
    auto added = catalog.add_kit(Kit{"KIT-BAD", "", {std::move(part)}});
    REQUIRE_FALSE(added);
    return added.error().message;
  };
  KitComponent unknown_style = runner_part({}, {"size"});
  unknown_style.style = "NOPE";
  CHECK(refused(unknown_style) == "kit KIT-BAD: style NOPE is not in the catalog");
  CHECK(refused(runner_part({{"colour", "green"}}, {"size"})) ==
        "kit KIT-BAD: no item of style TR-RUN has colour green");
  CHECK(refused(runner_part({}, {"sise"})) ==
        "kit KIT-BAD: style TR-RUN takes sise from the order, but no item of style TR-RUN has a sise");
  CHECK(refused(runner_part({{"size", "9"}}, {"size"})) ==
        "kit KIT-BAD: style TR-RUN: size is fixed by the kit and taken from the order; it can only be one");
  CHECK(refused(runner_part({}, {"size", "size"})) == "kit KIT-BAD: style TR-RUN takes size from the order twice");
  KitComponent both = runner_part({}, {"size"});
  both.sku = "TREE";
  CHECK(refused(both) == "kit KIT-BAD: a component names both SKU TREE and style TR-RUN; give one");
  CHECK(refused(KitComponent{}) == "kit KIT-BAD: a component names neither a SKU nor a style");
  KitComponent tree_with_size{"TREE", 1};
  tree_with_size.from_order = {"size"};
  CHECK(refused(tree_with_size) == "kit KIT-BAD: component TREE is an exact item; attributes belong to a style part");
  KitComponent none = runner_part({}, {"size"});
  none.quantity = 0;
  CHECK(refused(none) == "kit KIT-BAD: component style TR-RUN needs a quantity of at least 1");
}

TEST_CASE("expand_order fills a kit's style part from the order line", "[order][kits]")
{
  Catalog catalog = runner_catalog();
  REQUIRE(catalog.add_kit(
      Kit{"KIT-RUN", "Runner bundle", {runner_part({{"colour", "black"}}, {"size", "width"}), {"TREE", 2}}}));

  auto lines = expand_order(kit_order({{"size", "10"}, {"width", "D"}}, 2), catalog);
  INFO((lines ? std::string() : lines.error().message));
  REQUIRE(lines);
  REQUIRE(lines->size() == 2);
  const ExpectedLine& runner = (*lines)[0];
  CHECK(runner.line_no == 3);
  CHECK(runner.kit_sku == "KIT-RUN");
  CHECK(runner.sku.empty());
  CHECK(runner.style == "TR-RUN");
  CHECK(runner.required_attributes == Attributes{{"colour", "black"}, {"size", "10"}, {"width", "D"}});
  CHECK(runner.quantity == 2);
  CHECK(runner.description == "Trail runner, size 10, black (kit KIT-RUN)"); // the one item that fits
  CHECK((*lines)[1].sku == "TREE");
  CHECK((*lines)[1].quantity == 4);

  // The same kit serves size 9.
  auto nine = expand_order(kit_order({{"size", "9"}, {"width", "D"}}), catalog);
  REQUIRE(nine);
  CHECK((*nine)[0].required_attributes.at("size") == "9");

  const auto refused = [&](const Order& order) {
    auto expanded = expand_order(order, catalog);
    REQUIRE_FALSE(expanded);
    return expanded.error().message;
  };
  CHECK(refused(kit_order({{"size", "9"}})) ==
        "order O-KIT line 3: kit KIT-RUN takes size, width from the order line; the line gives no width");
  CHECK(refused(kit_order({})) ==
        "order O-KIT line 3: kit KIT-RUN takes size, width from the order line; the line gives no size");
  CHECK(refused(kit_order({{"size", "9"}, {"width", "D"}, {"colour", "red"}})) ==
        "order O-KIT line 3: kit KIT-RUN takes no colour from the order line (it takes size, width)");
  CHECK(refused(kit_order({{"size", "12"}, {"width", "D"}})) ==
        "order O-KIT line 3: kit KIT-RUN: no item of style TR-RUN has colour black, size 12, width D");
}

TEST_CASE("expand_order: a kit part of any colour, and a kit that takes nothing ignores line attributes",
          "[order][kits]")
{
  Catalog catalog = runner_catalog();
  REQUIRE(catalog.add_kit(Kit{"KIT-RUN", "", {runner_part({}, {"size"})}}));
  REQUIRE(catalog.add_kit(Kit{"KIT-TREES", "", {{"TREE", 2}}}));
  auto any_colour = expand_order(kit_order({{"size", "9"}}), catalog);
  REQUIRE(any_colour);
  CHECK((*any_colour)[0].required_attributes == Attributes{{"size", "9"}});
  CHECK((*any_colour)[0].description == "TR-RUN (size 9) (kit KIT-RUN)"); // black and red both fit

  Order trees = kit_order({{"size", "9"}});
  trees.lines[0].sku = "KIT-TREES";
  auto expanded = expand_order(trees, catalog);
  REQUIRE(expanded);
  CHECK((*expanded)[0].sku == "TREE");
  CHECK((*expanded)[0].required_attributes.empty());
}
