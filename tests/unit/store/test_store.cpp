// Store catalog and order persistence on either backend (store_backend.hpp): round trips, upserts,
// all-or-nothing saves.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <pickverify/session.hpp>
#include <pickverify/store.hpp>

#include "store_backend.hpp"
#include "store_test_data.hpp"

using namespace pickverify;
using namespace std::string_literals;

namespace {

void check_same_item(const Item& got, const Item& want)
{
  INFO("item " << want.sku);
  CHECK(got.sku == want.sku);
  CHECK(got.style == want.style);
  CHECK(got.description == want.description);
  CHECK(got.gtins == want.gtins);
  CHECK(got.attributes == want.attributes);
  CHECK(got.weight_g == want.weight_g);
  CHECK(got.unit_value == want.unit_value);
  CHECK(got.image_check_required == want.image_check_required);
  CHECK(got.serial_tracked == want.serial_tracked);
  CHECK(got.no_visible_barcode == want.no_visible_barcode);
  REQUIRE(got.packs.size() == want.packs.size());
  for (std::size_t i = 0; i < want.packs.size(); ++i) {
    CHECK(got.packs[i].level == want.packs[i].level);
    CHECK(got.packs[i].gtin == want.packs[i].gtin);
    CHECK(got.packs[i].quantity == want.packs[i].quantity);
  }
}

void check_same_order(const Order& got, const Order& want)
{
  INFO("order " << want.id);
  CHECK(got.id == want.id);
  CHECK(got.value == want.value);
  CHECK(got.image_check_flagged == want.image_check_flagged);
  CHECK(got.customer == want.customer);
  REQUIRE(got.lines.size() == want.lines.size());
  for (std::size_t i = 0; i < want.lines.size(); ++i) {
    CHECK(got.lines[i].line_no == want.lines[i].line_no);
    CHECK(got.lines[i].sku == want.lines[i].sku);
    CHECK(got.lines[i].style == want.lines[i].style);
    CHECK(got.lines[i].required_attributes == want.lines[i].required_attributes);
    CHECK(got.lines[i].quantity == want.lines[i].quantity);
    CHECK(got.lines[i].description == want.lines[i].description);
  }
}

} // namespace

TEST_CASE("Store::save_catalog and load_catalog round-trip items and kits", "[store][backend][catalog]")
{
  test::StoreBackend backend;
  const Catalog original = test::demo_catalog();
  {
    auto store = backend.open();
    REQUIRE(store);
    REQUIRE((*store)->save_catalog(original));
  }
  auto store = backend.open(); // a new connection reads what is on disk
  REQUIRE(store);
  auto loaded = (*store)->load_catalog();
  REQUIRE(loaded);
  REQUIRE(loaded->items().size() == original.items().size());
  for (std::size_t i = 0; i < original.items().size(); ++i) {
    check_same_item(loaded->items()[i], original.items()[i]);
  }
  const Kit* kit = loaded->find_kit("KIT-CARE");
  REQUIRE(kit);
  CHECK(kit->description == "Shoe care kit");
  REQUIRE(kit->components.size() == 2);
  CHECK(kit->components[0].sku == "CARE-BRUSH");
  CHECK(kit->components[1].sku == "CARE-SPRAY");
  CHECK(kit->components[1].quantity == 1);
  const Item* size_nine = loaded->find_by_gtin("09506000001418");
  REQUIRE(size_nine);
  CHECK(size_nine->attributes.at("size") == "9");
}

TEST_CASE("Store::save_catalog and load_catalog keep a kit's style parts in their place",
          "[store][backend][catalog][kits]")
{
  test::StoreBackend backend;
  Catalog original = test::demo_catalog();
  KitComponent runner;
  runner.style = "TR-RUN";
  runner.fixed_attributes = {{"colour", "black"}};
  runner.from_order = {"width", "size"};
  KitComponent any_insole;
  any_insole.style = "ACC-INSOLE";
  REQUIRE(
      original.add_kit(Kit{"KIT-RUN", "Runner bundle", {{"CARE-BRUSH", 1}, runner, {"ACC-LACES-BLK", 2}, any_insole}}));
  Order bundle;
  bundle.id = "ORD-KIT-10";
  bundle.value = Money{21800, "USD"};
  bundle.lines = {OrderLine{1, "KIT-RUN", "", {{"size", "10"}, {"width", "D"}}, 1, ""}};
  {
    auto store = backend.open();
    REQUIRE(store);
    REQUIRE((*store)->save_catalog(original));
    REQUIRE((*store)->save_orders({bundle}));
  }
  auto store = backend.open(); // a new connection reads what is on disk
  REQUIRE(store);
  auto loaded = (*store)->load_catalog();
  REQUIRE(loaded);
  const Kit* kit = loaded->find_kit("KIT-RUN");
  REQUIRE(kit);
  REQUIRE(kit->components.size() == 4);
  CHECK(kit->components[0].sku == "CARE-BRUSH");
  CHECK(kit->components[1].sku.empty());
  CHECK(kit->components[1].style == "TR-RUN");
  CHECK(kit->components[1].fixed_attributes == Attributes{{"colour", "black"}});
  CHECK(kit->components[1].from_order == std::vector<std::string>{"size", "width"});
  CHECK(kit->components[1].quantity == 1);
  CHECK(kit->components[2].sku == "ACC-LACES-BLK");
  CHECK(kit->components[2].quantity == 2);
  CHECK(kit->components[3].style == "ACC-INSOLE");
  CHECK(kit->components[3].fixed_attributes.empty());
  CHECK(kit->components[3].from_order.empty());
  const Kit* care = loaded->find_kit("KIT-CARE"); // an exact-item kit as before
  REQUIRE(care);
  CHECK(care->components.size() == 2);

  // The stored order and catalog make the session: the size-9 box is refused, naming the kit.
  auto order = (*store)->find_order("ORD-KIT-10");
  REQUIRE(order);
  REQUIRE(order->has_value());
  CHECK((*order)->lines.at(0).required_attributes == Attributes{{"size", "10"}, {"width", "D"}});
  auto session = PackSession::start(**order, *loaded, Policy{});
  REQUIRE(session);
  ScanEvent nine;
  nine.raw = "9506000001418";
  nine.source = "usb:1";
  const ScanOutcome refused = session->apply(nine);
  CHECK(refused.verdict == Verdict::wrong_variant);
  CHECK(refused.message == "wrong variant for line 1: size: scanned 9, kit KIT-RUN needs 10");

  // Saved again with exact items only: the style parts and their attributes go.
  Catalog plain;
  for (const Item& item : loaded->items()) {
    REQUIRE(plain.add_item(item));
  }
  REQUIRE(plain.add_kit(Kit{"KIT-RUN", "Runner bundle", {{"CARE-SPRAY", 1}}}));
  REQUIRE((*store)->save_catalog(plain));
  auto reloaded = (*store)->load_catalog();
  REQUIRE(reloaded);
  const Kit* replaced = reloaded->find_kit("KIT-RUN");
  REQUIRE(replaced);
  REQUIRE(replaced->components.size() == 1);
  CHECK(replaced->components[0].sku == "CARE-SPRAY");
  CHECK(replaced->components[0].style.empty());
}

TEST_CASE("Store::save_catalog keeps packaging levels: replaced with the item, GTINs owned once",
          "[store][backend][catalog][packs]")
{
  test::StoreBackend backend;
  auto store = backend.open();
  REQUIRE(store);
  REQUIRE((*store)->save_catalog(test::demo_catalog()));
  {
    auto loaded = (*store)->load_catalog();
    REQUIRE(loaded);
    const Identified inner = loaded->identify("09506000002293");
    REQUIRE(inner.pack);
    CHECK(inner.item->sku == "SOCK-RUN-M");
    CHECK(inner.units() == 3);
  }

  // A stored pack GTIN cannot become another item's GTIN (each or pack) unless that item comes too.
  Catalog clash;
  Item laces_case;
  laces_case.sku = "ACC-LACES-BLK";
  laces_case.gtins = {"09506000001760"};
  laces_case.packs = {Pack{"case", "19506000001972", 24}};
  REQUIRE(clash.add_item(laces_case));
  auto refused = (*store)->save_catalog(clash);
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains("GTIN 19506000001972 already belongs to item SOCK-RUN-M"));

  // The socks saved again without their case: the case GTIN goes with it, and may then move.
  Catalog update;
  Item socks = *test::demo_catalog().find_item("SOCK-RUN-M");
  socks.packs = {Pack{"inner", "09506000002293", 3}};
  REQUIRE(update.add_item(socks));
  REQUIRE(update.add_item(laces_case));
  REQUIRE((*store)->save_catalog(update));
  auto loaded = (*store)->load_catalog();
  REQUIRE(loaded);
  CHECK(loaded->find_item("SOCK-RUN-M")->packs.size() == 1);
  const Identified moved = loaded->identify("19506000001972");
  REQUIRE(moved.pack);
  CHECK(moved.item->sku == "ACC-LACES-BLK");
  CHECK(moved.units() == 24);
}

TEST_CASE("Store::load_catalog of an empty database is an empty catalog", "[store][backend][catalog]")
{
  test::StoreBackend backend;
  auto store = backend.open();
  REQUIRE(store);
  auto loaded = (*store)->load_catalog();
  REQUIRE(loaded);
  CHECK(loaded->items().empty());
  CHECK(loaded->kits().empty());
}

TEST_CASE("Store::load_catalog refuses a stored item changed behind its back, and reads it again once mended",
          "[store][backend][catalog]")
{
  test::StoreBackend backend;
  auto store = backend.open();
  REQUIRE(store);
  REQUIRE((*store)->save_catalog(test::demo_catalog()));
  auto gtins = (*store)->load_catalog();
  REQUIRE(gtins);
  const Item& first = gtins->items().front();
  REQUIRE_FALSE(first.gtins.empty());
  const std::string gtin = first.gtins.front();

  REQUIRE(backend.try_sql(fmt::format("UPDATE item_gtins SET gtin = '12345' WHERE gtin = '{}'", gtin)).empty());
  auto refused = (*store)->load_catalog();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().type == ErrorType::corrupt);
  CHECK_THAT(refused.error().message,
             Catch::Matches("load catalog: stored item " + first.sku + " is not valid: .*GTIN 12345.*"));

  REQUIRE(backend.try_sql(fmt::format("UPDATE item_gtins SET gtin = '{}' WHERE gtin = '12345'", gtin)).empty());
  auto mended = (*store)->load_catalog();
  REQUIRE(mended);
  CHECK(mended->items().size() == gtins->items().size());
}

TEST_CASE("Store::save_catalog upserts: changed items are replaced, others kept", "[store][backend][catalog]")
{
  test::StoreBackend backend;
  auto store = backend.open();
  REQUIRE(store);
  REQUIRE((*store)->save_catalog(test::demo_catalog()));

  // A second import changes the socks' price and moves the socks' GTIN to a new item, and gives
  // the socks a new GTIN: both items are in this import, so the move is legitimate.
  Catalog update;
  Item socks;
  socks.sku = "SOCK-RUN-M";
  socks.style = "SOCK-RUN";
  socks.description = "Running socks, M (2 pairs)";
  socks.gtins = {"09506000002057"};
  socks.attributes = {{"size", "M"}, {"pairs", "2"}};
  socks.unit_value = Money{1500, "USD"};
  REQUIRE(update.add_item(socks));
  Item new_socks;
  new_socks.sku = "SOCK-RUN-M-1P";
  new_socks.style = "SOCK-RUN";
  new_socks.gtins = {"09506000001975"};
  new_socks.attributes = {{"size", "M"}};
  REQUIRE(update.add_item(new_socks));
  REQUIRE((*store)->save_catalog(update));

  auto loaded = (*store)->load_catalog();
  REQUIRE(loaded);
  CHECK(loaded->items().size() == 11);
  const Item* changed = loaded->find_item("SOCK-RUN-M");
  REQUIRE(changed);
  CHECK(changed->unit_value.minor == 1500);
  CHECK(changed->gtins == std::vector<std::string>{"09506000002057"});
  CHECK(changed->attributes.size() == 2);
  REQUIRE(loaded->find_by_gtin("09506000001975"));
  CHECK(loaded->find_by_gtin("09506000001975")->sku == "SOCK-RUN-M-1P");
  CHECK(loaded->find_item("TR-RUN-09-D")); // untouched by the second import
}

TEST_CASE("Store::save_catalog is all or nothing", "[store][backend][catalog]")
{
  test::StoreBackend backend;
  auto store = backend.open();
  REQUIRE(store);
  REQUIRE((*store)->save_catalog(test::demo_catalog()));

  // The first item is new and fine; the second claims a GTIN the stored brush still holds.
  Catalog clash;
  Item belt;
  belt.sku = "ACC-BELT";
  belt.gtins = {"09506000002125"};
  REQUIRE(clash.add_item(belt));
  Item impostor;
  impostor.sku = "CARE-BRUSH-2";
  impostor.gtins = {"09506000001838"};
  REQUIRE(clash.add_item(impostor));

  auto saved = (*store)->save_catalog(clash);
  REQUIRE_FALSE(saved);
  CHECK(saved.error().type == ErrorType::conflict);
  CHECK_THAT(saved.error().message, Catch::Contains("09506000001838") && Catch::Contains("CARE-BRUSH"));

  auto loaded = (*store)->load_catalog();
  REQUIRE(loaded);
  CHECK(loaded->items().size() == 10);
  CHECK_FALSE(loaded->find_item("ACC-BELT")); // rolled back with the rest
  CHECK(loaded->find_by_gtin("09506000001838")->sku == "CARE-BRUSH");
}

TEST_CASE("Store::save_catalog refuses a SKU that would be both an item and a kit", "[store][backend][catalog]")
{
  test::StoreBackend backend;
  auto store = backend.open();
  REQUIRE(store);
  REQUIRE((*store)->save_catalog(test::demo_catalog()));

  SECTION("a kit taking a stored item's SKU")
  {
    Catalog update;
    Item big_socks;
    big_socks.sku = "SOCK-RUN-L";
    big_socks.gtins = {"09506000002125"};
    REQUIRE(update.add_item(big_socks));
    REQUIRE(update.add_kit(Kit{"SOCK-RUN-M", "two pairs", {{"SOCK-RUN-L", 2}}}));
    auto saved = (*store)->save_catalog(update);
    REQUIRE_FALSE(saved);
    CHECK(saved.error().type == ErrorType::conflict);
    CHECK_THAT(saved.error().message, Catch::Contains("kit SOCK-RUN-M") && Catch::Contains("item with this SKU"));
  }
  SECTION("an item taking a stored kit's SKU")
  {
    Catalog update;
    Item care;
    care.sku = "KIT-CARE";
    care.gtins = {"09506000002125"};
    REQUIRE(update.add_item(care));
    auto saved = (*store)->save_catalog(update);
    REQUIRE_FALSE(saved);
    CHECK(saved.error().type == ErrorType::conflict);
    CHECK_THAT(saved.error().message, Catch::Contains("item KIT-CARE") && Catch::Contains("kit with this SKU"));
  }
  auto loaded = (*store)->load_catalog(); // still loads, unchanged
  REQUIRE(loaded);
  CHECK(loaded->items().size() == 10);
  CHECK(loaded->kits().size() == 1);
  CHECK_FALSE(loaded->find_item("SOCK-RUN-L"));
}

TEST_CASE("Store::save_orders and find_order round-trip orders with their lines", "[store][backend][orders]")
{
  test::StoreBackend backend;
  const auto orders = test::demo_orders();
  {
    auto store = backend.open();
    REQUIRE(store);
    REQUIRE((*store)->save_orders(orders));
  }
  auto store = backend.open();
  REQUIRE(store);
  auto incident = (*store)->find_order("ORD-2025-00145");
  REQUIRE(incident);
  REQUIRE(incident->has_value());
  check_same_order(**incident, orders[0]);

  auto missing = (*store)->find_order("ORD-1999-00001");
  REQUIRE(missing);
  CHECK_FALSE(missing->has_value());

  auto all = (*store)->list_orders();
  REQUIRE(all);
  REQUIRE(all->size() == 2);
  check_same_order((*all)[0], orders[0]);
  check_same_order((*all)[1], orders[1]);
}

TEST_CASE("Store::save_orders upserts by id and replaces the lines", "[store][backend][orders]")
{
  test::StoreBackend backend;
  auto store = backend.open();
  REQUIRE(store);
  auto orders = test::demo_orders();
  REQUIRE((*store)->save_orders(orders));

  Order changed = orders[0];
  changed.value.minor = 29900;
  changed.lines.resize(2);
  changed.lines[0].required_attributes = {{"size", "10"}};
  REQUIRE((*store)->save_orders({changed}));

  auto found = (*store)->find_order("ORD-2025-00145");
  REQUIRE(found);
  REQUIRE(found->has_value());
  check_same_order(**found, changed);
  CHECK((*store)->list_orders()->size() == 2);
}

TEST_CASE("Store::save_orders is all or nothing", "[store][backend][orders]")
{
  test::StoreBackend backend;
  auto store = backend.open();
  REQUIRE(store);

  auto orders = test::demo_orders();
  Order broken;
  broken.id = "ORD-2025-00147";
  broken.lines = {OrderLine{1, "SOCK-RUN-M", "", {}, 1, ""}, OrderLine{1, "CARE-BRUSH", "", {}, 1, ""}};
  orders.push_back(broken);

  auto saved = (*store)->save_orders(orders);
  REQUIRE_FALSE(saved);
  CHECK(saved.error().type == ErrorType::conflict);
  CHECK_THAT(saved.error().message, Catch::Contains("ORD-2025-00147") && Catch::Contains("line 1 appears twice"));
  auto listed = (*store)->list_orders();
  REQUIRE(listed);
  CHECK(listed->empty()); // the two good orders before it were rolled back too

  Order nameless;
  auto empty_id = (*store)->save_orders({nameless});
  REQUIRE_FALSE(empty_id);
  CHECK(empty_id.error().type == ErrorType::invalid_input);
}

TEST_CASE("Store keeps SQL metacharacters and odd bytes in names as data", "[store][backend][orders]")
{
  test::StoreBackend backend;
  auto store = backend.open();
  REQUIRE(store);
  Order odd;
  odd.id = "ORD-'; DROP TABLE orders; --";
  odd.customer = std::string("Zoë \"the\" \0 O'Brien"s);
  odd.lines = {OrderLine{1, "SOCK-RUN-M", "", {{"note", "a\tb\nc"}}, 1, "50% off_"}};
  if (backend.postgres()) {
    // PostgreSQL text cannot hold NUL: the save is refused whole, saying why, and nothing is kept.
    auto refused = (*store)->save_orders({odd});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().type == ErrorType::invalid_input);
    CHECK_THAT(refused.error().message, Catch::Contains("NUL byte"));
    CHECK((*store)->list_orders()->empty());
    odd.customer = "Zoë \"the\" O'Brien";
  }
  REQUIRE((*store)->save_orders({odd}));
  auto found = (*store)->find_order(odd.id);
  REQUIRE(found);
  REQUIRE(found->has_value());
  check_same_order(**found, odd);
  auto wildcard = (*store)->find_order("ORD-%");
  REQUIRE(wildcard);
  CHECK_FALSE(wildcard->has_value());
}
