// The store's logic, written once for both backends: SqlStore<store::Db> is the embedded store (one
// SQLite file in WAL mode with synchronous=FULL, so a journal row is on disk when append() returns,
// and readers never block a station); SqlStore<store::PgDb> is the PostgreSQL store (a warehouse of
// many stations on one database; docs/POSTGRESQL.md). Both run the same SQL; where the dialects
// differ, a small overload per connection type below says how.
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <pickverify/expected.hpp>
#include <pickverify/store.hpp>
#include <pickverify/text.hpp>

#include "database.hpp"
#include "journal_fields.hpp"
#include "journal_hash.hpp"
#include "migrations.hpp"
#include "order_claims.hpp"
#include "pg_db.hpp"
#include "pg_migrations.hpp"
#include "sqlite_db.hpp"

namespace pickverify {

namespace {

template <typename Statement> JournalEntry read_journal_row(const Statement& row)
{
  return store::read_journal_columns(row);
}

std::int64_t now_utc_ms()
{
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Where the dialects differ.
// A read transaction that sees one snapshot of the database from its first statement to COMMIT.
const char* begin_snapshot(const store::Db&)
{
  return "BEGIN";
}
const char* begin_snapshot(const store::PgDb&)
{
  return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
}
// Counts the enabled trigger named by the one parameter on table journal.
const char* count_guard_sql(const store::Db&)
{
  return "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = ?";
}
const char* count_guard_sql(const store::PgDb&)
{
  return "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname = 'journal' "
         "AND c.relnamespace = current_schema()::regnamespace AND t.tgname = ? AND t.tgenabled <> 'D'";
}

// The text fields of a row the database can hold, or what is wrong: checked before an append joins
// a shared commit, so one station's bad row cannot fail another's.
std::optional<Error> unstorable_text(const store::Db&, const JournalEntry&)
{
  return std::nullopt; // SQLite text holds any bytes
}
std::optional<Error> unstorable_text(const store::PgDb&, const JournalEntry& entry)
{
  for (const store::JournalField& field : store::journal_fields()) {
    if (field.kind != store::JournalFieldKind::text || field.bytes == &JournalEntry::prev_hash ||
        field.bytes == &JournalEntry::hash) {
      continue; // prev_hash and hash are the store's own hex
    }
    if (!store::pg_text_storable(entry.*field.bytes)) {
      return Error{ErrorType::invalid_input,
                   fmt::format("journal append: field {} is not valid UTF-8 or holds a NUL byte, which PostgreSQL "
                               "text cannot store (only raw keeps any bytes)",
                               field.name)};
    }
  }
  return std::nullopt;
}

template <typename T> tl::unexpected<Error> fail(const Result<T>& result, std::string_view context)
{
  return tl::unexpected(result.error().with_context(context));
}

template <typename Db> class SqlStore final : public Store {
public:
  using Statement = typename Db::Statement;
  using Transaction = typename Db::Transaction;

  explicit SqlStore(std::unique_ptr<Db> db) : m_db(std::move(db)) {}

  Result<void> prepare_statements()
  {
    auto head = m_db->prepare("SELECT seq, hash FROM journal_head WHERE id = 1");
    if (!head) {
      return fail(head, "journal");
    }
    m_read_head = std::move(*head);
    if constexpr (std::is_same_v<Db, store::Db>) {
      // A file older than schema version 6, opened read-only for an audit, has no chain columns:
      // every row reads as the legacy chain, and nothing can be appended to it anyway.
      PV_TRY_ASSIGN(auto chains,
                    m_db->query_int("SELECT count(*) FROM pragma_table_info('journal') WHERE name = 'chain'"),
                    "journal");
      if (chains == 0) {
        m_select_columns = store::journal_column_list_before_chains();
        m_has_chains = false;
        return {};
      }
    }
    std::string placeholders = "?";
    for (int i = 1; i < store::journal_column_count(); ++i) {
      placeholders += ", ?";
    }
    auto insert =
        m_db->prepare(fmt::format("INSERT INTO journal ({}) VALUES ({})", store::journal_column_list(), placeholders));
    if (!insert) {
      return fail(insert, "journal");
    }
    m_insert_row = std::move(*insert);
    auto update = m_db->prepare("UPDATE journal_head SET seq = ?, hash = ? WHERE id = 1");
    if (!update) {
      return fail(update, "journal");
    }
    m_update_head = std::move(*update);
    if constexpr (std::is_same_v<Db, store::PgDb>) {
      auto one_trip = m_db->prepare("SELECT r_seq, r_prev_hash, r_hash FROM pickverify_append_v1(?, ?)");
      if (!one_trip) {
        return fail(one_trip, "journal");
      }
      m_append_one_trip = std::move(*one_trip);
    }
    return {};
  }

  Result<void> save_catalog(const Catalog& catalog) override;
  Result<Catalog> load_catalog() override;
  Result<void> save_orders(const std::vector<Order>& orders) override;
  Result<std::optional<Order>> find_order(const std::string& id) override;
  Result<std::vector<Order>> list_orders() override;
  Result<std::vector<JournalEntry>> append(std::vector<JournalEntry> entries) override;
  Result<ChainReport> verify_chain() override;
  Result<std::int64_t> head_seq() override
  {
    std::lock_guard lock(m_mutex);
    auto seq = m_db->query_int("SELECT seq FROM journal_head WHERE id = 1");
    if (!seq) {
      return fail(seq, "journal head");
    }
    return *seq;
  }
  Result<void> read_journal(const JournalFilter& filter,
                            const std::function<bool(const JournalEntry&)>& visit) override;
  Result<std::optional<OrderClaim>> find_claim(const std::string& order_id) override
  {
    std::lock_guard lock(m_mutex);
    return store::read_claim(*m_db, order_id);
  }
  Result<std::optional<OrderPack>> find_pack(const std::string& order_id) override
  {
    std::lock_guard lock(m_mutex);
    return store::read_pack(*m_db, order_id);
  }
  Result<std::vector<PackedSerial>> find_packed_serials(const std::string& serial) override
  {
    std::lock_guard lock(m_mutex);
    return store::read_packed_serials(*m_db, serial);
  }
  void set_checkpoint_signer(const StationKey* key, std::string station, CheckpointPolicy policy) override
  {
    std::lock_guard lock(m_mutex);
    m_signer = key;
    m_signer_station = std::move(station);
    m_checkpoint_policy = policy;
    m_last_checkpoint_ms = now_utc_ms();
    auto head = m_db->query_int("SELECT seq FROM journal_head WHERE id = 1");
    m_last_checkpoint_seq = head ? *head : 0;
  }
  Result<Checkpoint> append_checkpoint() override;
  Result<std::vector<std::string>> missing_guards() override
  {
    std::lock_guard lock(m_mutex);
    std::vector<std::string> missing;
    for (const char* name : {"journal_no_update", "journal_no_delete"}) {
      auto stmt = m_db->prepare(count_guard_sql(*m_db));
      if (!stmt) {
        return fail(stmt, "audit verify");
      }
      stmt->bind_text(1, name);
      auto row = stmt->step();
      if (!row) {
        return fail(row, "audit verify");
      }
      if (stmt->column_int(0) == 0) {
        missing.emplace_back(name);
      }
    }
    return missing;
  }
  Result<StationInstance> register_station(const std::string& station) override;
  Result<void> heartbeat_station(const std::string& station) override;
  Result<void> unregister_station(const std::string& station) override;

private:
  Result<void> save_catalog_locked(const Catalog& catalog);
  Result<void> save_order_locked(const Order& order);
  Result<std::vector<Order>> load_orders(const std::optional<std::string>& id);
  struct PendingAppend {
    std::vector<JournalEntry>* entries;
    std::optional<Error> error;
    bool done = false;
  };
  Result<void> append_batch(const std::vector<PendingAppend*>& batch);
  Result<void> append_batch_statements(const std::vector<PendingAppend*>& batch);
  Result<bool> append_batch_one_trip(const std::vector<PendingAppend*>& batch);
  Result<bool> call_append_function(std::vector<JournalEntry*> rows, std::int64_t now);
  bool checkpoint_due(std::int64_t seq, std::int64_t now) const;
  Result<void> insert_row(JournalEntry& entry, std::int64_t seq, const std::string& prev_hash, std::int64_t now);

  // A Store may be shared by threads; SQLite's own mutex serialises single calls, this one keeps
  // a transaction and the cached statements to one caller at a time. Recursive, so a read_journal
  // visitor may call back into the store.
  std::recursive_mutex m_mutex;
  // Group commit: appends that arrive while a commit is in flight wait here and then share the
  // next commit, led by one of them. Stations sharing a Store thus share fsyncs without batching.
  std::mutex m_queue_mutex;
  std::condition_variable m_queue_done;
  std::vector<PendingAppend*> m_queue;
  bool m_commit_in_flight = false;
  std::unique_ptr<Db> m_db; // declared before the statements: they are finalized first
  Statement m_read_head;
  Statement m_insert_row;
  Statement m_update_head;
  std::string m_select_columns = store::journal_column_list(); // what a read of the journal selects
  bool m_has_chains = true;    // false: a read-only file before schema version 6, nothing prepared to write
  Statement m_append_one_trip; // PostgreSQL: pickverify_append_v1 (pg_migrations.cpp)
  // Checkpoints: who signs, and when this store last did.
  Result<JournalEntry> checkpoint_row(std::int64_t seq, const std::string& head_hash, std::int64_t now);
  const StationKey* m_signer = nullptr;
  std::string m_signer_station;
  CheckpointPolicy m_checkpoint_policy;
  std::int64_t m_last_checkpoint_seq = 0;
  std::int64_t m_last_checkpoint_ms = 0;
};

// --- Catalog ------------------------------------------------------------------------------------

template <typename Db> Result<void> SqlStore<Db>::save_catalog(const Catalog& catalog)
{
  std::lock_guard lock(m_mutex);
  auto saved = save_catalog_locked(catalog);
  if (!saved) {
    return fail(saved, "save catalog");
  }
  return {};
}

template <typename Db> Result<void> SqlStore<Db>::save_catalog_locked(const Catalog& catalog)
{
  PV_TRY_ASSIGN(auto transaction, Transaction::begin(*m_db));
  auto upsert_item = m_db->prepare(
      "INSERT INTO items (sku, style, description, weight_g, value_minor, currency, image_check_required, "
      "serial_tracked, no_visible_barcode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sku) DO UPDATE SET "
      "style = excluded.style, description = excluded.description, weight_g = excluded.weight_g, "
      "value_minor = excluded.value_minor, currency = excluded.currency, "
      "image_check_required = excluded.image_check_required, serial_tracked = excluded.serial_tracked, "
      "no_visible_barcode = excluded.no_visible_barcode");
  auto delete_gtins = m_db->prepare("DELETE FROM item_gtins WHERE sku = ?");
  auto delete_packs = m_db->prepare("DELETE FROM item_packs WHERE sku = ?");
  auto delete_attributes = m_db->prepare("DELETE FROM item_attributes WHERE sku = ?");
  auto gtin_owner =
      m_db->prepare("SELECT sku FROM item_gtins WHERE gtin = ?1 UNION ALL SELECT sku FROM item_packs WHERE gtin = ?1");
  auto insert_gtin = m_db->prepare("INSERT INTO item_gtins (gtin, sku, position) VALUES (?, ?, ?)");
  auto insert_pack =
      m_db->prepare("INSERT INTO item_packs (gtin, sku, level, quantity, position) VALUES (?, ?, ?, ?, ?)");
  auto insert_attribute = m_db->prepare("INSERT INTO item_attributes (sku, name, value) VALUES (?, ?, ?)");
  auto upsert_kit = m_db->prepare("INSERT INTO kits (sku, description) VALUES (?, ?) "
                                  "ON CONFLICT (sku) DO UPDATE SET description = excluded.description");
  auto delete_components = m_db->prepare("DELETE FROM kit_components WHERE kit_sku = ?");
  auto delete_style_parts = m_db->prepare("DELETE FROM kit_style_parts WHERE kit_sku = ?"); // attributes cascade
  auto insert_component =
      m_db->prepare("INSERT INTO kit_components (kit_sku, position, sku, quantity) VALUES (?, ?, ?, ?)");
  auto insert_style_part =
      m_db->prepare("INSERT INTO kit_style_parts (kit_sku, position, style, quantity) VALUES (?, ?, ?, ?)");
  auto insert_part_attribute = m_db->prepare(
      "INSERT INTO kit_part_attributes (kit_sku, position, name, value, from_order) VALUES (?, ?, ?, ?, ?)");
  auto stored_kit = m_db->prepare("SELECT 1 FROM kits WHERE sku = ?");
  auto stored_item = m_db->prepare("SELECT 1 FROM items WHERE sku = ?");
  for (const auto* stmt : {&upsert_item, &delete_gtins, &delete_packs, &delete_attributes, &gtin_owner, &insert_gtin,
                           &insert_pack, &insert_attribute, &upsert_kit, &delete_components, &delete_style_parts,
                           &insert_component, &insert_style_part, &insert_part_attribute, &stored_kit, &stored_item}) {
    if (!*stmt) {
      return tl::unexpected(stmt->error());
    }
  }

  // Drop every saved item's old GTINs first, so a GTIN that moves from one item to another within
  // this catalog is not mistaken for a clash.
  for (const Item& item : catalog.items()) {
    for (auto* remove : {&*delete_gtins, &*delete_packs}) {
      remove->bind_text(1, item.sku);
      if (auto done = remove->run(); !done) {
        return done;
      }
    }
  }
  // One SKU names an item or a kit, never both: the stored catalog must stay loadable.
  auto exists = [](Statement& query, const std::string& sku) -> Result<bool> {
    query.bind_text(1, sku);
    auto found = query.step();
    query.reset();
    return found;
  };
  for (const Item& item : catalog.items()) {
    auto is_kit = exists(*stored_kit, item.sku);
    if (!is_kit) {
      return tl::unexpected(is_kit.error());
    }
    if (*is_kit) {
      return make_error(
          ErrorType::conflict,
          fmt::format("item {}: the stored catalog has a kit with this SKU; one SKU cannot be both", item.sku));
    }
    upsert_item->bind_text(1, item.sku)
        .bind_text(2, item.style)
        .bind_text(3, item.description)
        .bind(4, item.weight_g)
        .bind(5, item.unit_value.minor)
        .bind_text(6, item.unit_value.currency)
        .bind(7, item.image_check_required ? 1 : 0)
        .bind(8, item.serial_label     ? 2
                 : item.serial_tracked ? 1
                                       : 0) // 2: from a separate serial label
        .bind(9, item.no_visible_barcode ? 1 : 0);
    if (auto done = upsert_item->run(); !done) {
      return tl::unexpected(done.error().with_context("item " + item.sku));
    }
    // Every GTIN of the item, eaches first, then its packs: each may belong to no other stored item.
    std::vector<std::string> all_gtins = item.gtins;
    for (const Pack& pack : item.packs) {
      all_gtins.push_back(pack.gtin);
    }
    for (const std::string& gtin : all_gtins) {
      gtin_owner->bind_text(1, gtin);
      auto owned = gtin_owner->step();
      if (!owned) {
        return tl::unexpected(owned.error());
      }
      if (*owned) {
        const std::string owner = gtin_owner->column_text(0);
        gtin_owner->reset();
        return make_error(ErrorType::conflict,
                          fmt::format("item {}: GTIN {} already belongs to item {} in the stored catalog; "
                                      "include {} in the import with its new GTINs",
                                      item.sku, gtin, owner, owner));
      }
      gtin_owner->reset();
    }
    std::int64_t position = 0;
    for (const std::string& gtin : item.gtins) {
      insert_gtin->bind_text(1, gtin).bind_text(2, item.sku).bind(3, position++);
      if (auto done = insert_gtin->run(); !done) {
        return tl::unexpected(done.error().with_context("item " + item.sku + ": GTIN " + gtin));
      }
    }
    position = 0;
    for (const Pack& pack : item.packs) {
      insert_pack->bind_text(1, pack.gtin)
          .bind_text(2, item.sku)
          .bind_text(3, pack.level)
          .bind(4, pack.quantity)
          .bind(5, position++);
      if (auto done = insert_pack->run(); !done) {
        return tl::unexpected(done.error().with_context("item " + item.sku + ": " + pack.level + " GTIN " + pack.gtin));
      }
    }
    delete_attributes->bind_text(1, item.sku);
    if (auto done = delete_attributes->run(); !done) {
      return done;
    }
    for (const auto& [name, value] : item.attributes) {
      insert_attribute->bind_text(1, item.sku).bind_text(2, name).bind_text(3, value);
      if (auto done = insert_attribute->run(); !done) {
        return tl::unexpected(done.error().with_context("item " + item.sku + ": attribute " + name));
      }
    }
  }
  for (const Kit& kit : catalog.kits()) {
    auto is_item = exists(*stored_item, kit.sku);
    if (!is_item) {
      return tl::unexpected(is_item.error());
    }
    if (*is_item) {
      return make_error(
          ErrorType::conflict,
          fmt::format("kit {}: the stored catalog has an item with this SKU; one SKU cannot be both", kit.sku));
    }
    upsert_kit->bind_text(1, kit.sku).bind_text(2, kit.description);
    if (auto done = upsert_kit->run(); !done) {
      return tl::unexpected(done.error().with_context("kit " + kit.sku));
    }
    for (auto* remove : {&*delete_components, &*delete_style_parts}) {
      remove->bind_text(1, kit.sku);
      if (auto done = remove->run(); !done) {
        return done;
      }
    }
    // Exact items and style parts share one numbering, so the kit's parts load in their order.
    std::int64_t position = 0;
    for (const KitComponent& component : kit.components) {
      const std::int64_t at = position++;
      if (!component.sku.empty()) {
        insert_component->bind_text(1, kit.sku).bind(2, at).bind_text(3, component.sku).bind(4, component.quantity);
        if (auto done = insert_component->run(); !done) {
          return tl::unexpected(done.error().with_context("kit " + kit.sku + ": component " + component.sku));
        }
        continue;
      }
      const std::string context = "kit " + kit.sku + ": style " + component.style;
      insert_style_part->bind_text(1, kit.sku).bind(2, at).bind_text(3, component.style).bind(4, component.quantity);
      if (auto done = insert_style_part->run(); !done) {
        return tl::unexpected(done.error().with_context(context));
      }
      auto insert_attribute_row = [&](const std::string& name, const std::string& value, bool from_order) {
        insert_part_attribute->bind_text(1, kit.sku)
            .bind(2, at)
            .bind_text(3, name)
            .bind_text(4, value)
            .bind(5, from_order ? 1 : 0);
        return insert_part_attribute->run();
      };
      for (const auto& [name, value] : component.fixed_attributes) {
        if (auto done = insert_attribute_row(name, value, false); !done) {
          return tl::unexpected(done.error().with_context(context + ": attribute " + name));
        }
      }
      for (const auto& name : component.from_order) {
        if (auto done = insert_attribute_row(name, std::string{}, true); !done) {
          return tl::unexpected(done.error().with_context(context + ": attribute " + name));
        }
      }
    }
  }
  return transaction.commit();
}

template <typename Db> Result<Catalog> SqlStore<Db>::load_catalog()
{
  std::lock_guard lock(m_mutex);
  // One query per table, joined here: a catalog of many thousand items loads in a few queries.
  std::unordered_map<std::string, std::vector<std::string>> gtins;
  std::unordered_map<std::string, Attributes> attributes;
  std::unordered_map<std::string, std::vector<Pack>> packs;
  // Kit parts by kit and position: exact items and style parts share the numbering.
  std::unordered_map<std::string, std::map<std::int64_t, KitComponent>> components;
  {
    auto stmt = m_db->prepare("SELECT sku, gtin FROM item_gtins ORDER BY sku, position");
    if (!stmt) {
      return fail(stmt, "load catalog");
    }
    auto rows_read = stmt->each_row([&] {
      gtins[stmt->column_text(0)].push_back(stmt->column_text(1));
      return true;
    });
    if (!rows_read) {
      return fail(rows_read, "load catalog");
    }
  }
  {
    auto stmt = m_db->prepare("SELECT sku, level, gtin, quantity FROM item_packs ORDER BY sku, position");
    if (!stmt) {
      return fail(stmt, "load catalog");
    }
    auto rows_read = stmt->each_row([&] {
      packs[stmt->column_text(0)].push_back(
          Pack{stmt->column_text(1), stmt->column_text(2), static_cast<std::int32_t>(stmt->column_int(3))});
      return true;
    });
    if (!rows_read) {
      return fail(rows_read, "load catalog");
    }
  }
  {
    auto stmt = m_db->prepare("SELECT sku, name, value FROM item_attributes");
    if (!stmt) {
      return fail(stmt, "load catalog");
    }
    auto rows_read = stmt->each_row([&] {
      attributes[stmt->column_text(0)][stmt->column_text(1)] = stmt->column_text(2);
      return true;
    });
    if (!rows_read) {
      return fail(rows_read, "load catalog");
    }
  }
  {
    auto stmt = m_db->prepare("SELECT kit_sku, position, sku, quantity FROM kit_components");
    if (!stmt) {
      return fail(stmt, "load catalog");
    }
    auto rows_read = stmt->each_row([&] {
      components[stmt->column_text(0)][stmt->column_int(1)] =
          KitComponent{stmt->column_text(2), static_cast<std::int32_t>(stmt->column_int(3))};
      return true;
    });
    if (!rows_read) {
      return fail(rows_read, "load catalog");
    }
  }
  {
    auto stmt = m_db->prepare("SELECT kit_sku, position, style, quantity FROM kit_style_parts");
    if (!stmt) {
      return fail(stmt, "load catalog");
    }
    auto rows_read = stmt->each_row([&] {
      KitComponent& part = components[stmt->column_text(0)][stmt->column_int(1)];
      part.style = stmt->column_text(2);
      part.quantity = static_cast<std::int32_t>(stmt->column_int(3));
      return true;
    });
    if (!rows_read) {
      return fail(rows_read, "load catalog");
    }
  }
  {
    auto stmt = m_db->prepare(
        "SELECT kit_sku, position, name, value, from_order FROM kit_part_attributes ORDER BY kit_sku, position, name");
    if (!stmt) {
      return fail(stmt, "load catalog");
    }
    auto rows_read = stmt->each_row([&] {
      KitComponent& part = components[stmt->column_text(0)][stmt->column_int(1)];
      if (stmt->column_int(4) != 0) {
        part.from_order.push_back(stmt->column_text(2));
      } else {
        part.fixed_attributes[stmt->column_text(2)] = stmt->column_text(3);
      }
      return true;
    });
    if (!rows_read) {
      return fail(rows_read, "load catalog");
    }
  }

  Catalog catalog;
  auto items = m_db->prepare("SELECT sku, style, description, weight_g, value_minor, currency, "
                             "image_check_required, serial_tracked, no_visible_barcode FROM items ORDER BY rowid");
  if (!items) {
    return fail(items, "load catalog");
  }
  auto items_read = items->each_row([&]() -> Result<bool> {
    Item item;
    item.sku = items->column_text(0);
    item.style = items->column_text(1);
    item.description = items->column_text(2);
    item.weight_g = static_cast<std::int32_t>(items->column_int(3));
    item.unit_value = Money{items->column_int(4), items->column_text(5)};
    item.image_check_required = items->column_int(6) != 0;
    item.serial_tracked = items->column_int(7) != 0;
    item.serial_label = items->column_int(7) == 2;
    item.no_visible_barcode = items->column_int(8) != 0;
    if (auto found = gtins.find(item.sku); found != gtins.end()) {
      item.gtins = std::move(found->second);
    }
    if (auto found = attributes.find(item.sku); found != attributes.end()) {
      item.attributes = std::move(found->second);
    }
    if (auto found = packs.find(item.sku); found != packs.end()) {
      item.packs = std::move(found->second);
    }
    const std::string sku = item.sku;
    if (auto added = catalog.add_item(std::move(item)); !added) {
      return make_error(ErrorType::corrupt, fmt::format("stored item {} is not valid: {}", sku, added.error().message));
    }
    return true;
  });
  if (!items_read) {
    return fail(items_read, "load catalog");
  }
  auto kits = m_db->prepare("SELECT sku, description FROM kits ORDER BY rowid");
  if (!kits) {
    return fail(kits, "load catalog");
  }
  auto kits_read = kits->each_row([&]() -> Result<bool> {
    Kit kit;
    kit.sku = kits->column_text(0);
    kit.description = kits->column_text(1);
    if (auto found = components.find(kit.sku); found != components.end()) {
      for (auto& [position, component] : found->second) {
        kit.components.push_back(std::move(component));
      }
    }
    const std::string sku = kit.sku;
    if (auto added = catalog.add_kit(std::move(kit)); !added) {
      return make_error(ErrorType::corrupt, fmt::format("stored kit {} is not valid: {}", sku, added.error().message));
    }
    return true;
  });
  if (!kits_read) {
    return fail(kits_read, "load catalog");
  }
  return catalog;
}

// --- Orders -------------------------------------------------------------------------------------

template <typename Db> Result<void> SqlStore<Db>::save_orders(const std::vector<Order>& orders)
{
  std::lock_guard lock(m_mutex);
  auto transaction = Transaction::begin(*m_db);
  if (!transaction) {
    return fail(transaction, "save orders");
  }
  for (const Order& order : orders) {
    if (auto saved = save_order_locked(order); !saved) {
      return fail(saved, "save orders: order " + order.id);
    }
  }
  if (auto committed = transaction->commit(); !committed) {
    return fail(committed, "save orders");
  }
  return {};
}

template <typename Db> Result<void> SqlStore<Db>::save_order_locked(const Order& order)
{
  if (order.id.empty()) {
    return make_error(ErrorType::invalid_input, "the order id is empty");
  }
  PV_TRY_ASSIGN(auto upsert,
                m_db->prepare("INSERT INTO orders (id, value_minor, currency, image_check_flagged, customer) "
                              "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                              "value_minor = excluded.value_minor, currency = excluded.currency, "
                              "image_check_flagged = excluded.image_check_flagged, customer = excluded.customer"));
  upsert.bind_text(1, order.id)
      .bind(2, order.value.minor)
      .bind_text(3, order.value.currency)
      .bind(4, order.image_check_flagged ? 1 : 0)
      .bind_text(5, order.customer);
  if (auto done = upsert.run(); !done) {
    return done;
  }
  // The lines' attributes go with them (ON DELETE CASCADE): an updated order has exactly its new lines.
  auto delete_lines = m_db->prepare("DELETE FROM order_lines WHERE order_id = ?");
  auto insert_line = m_db->prepare("INSERT INTO order_lines (order_id, line_no, sku, style, quantity, description) "
                                   "VALUES (?, ?, ?, ?, ?, ?)");
  auto insert_attribute =
      m_db->prepare("INSERT INTO order_line_attributes (order_id, line_no, name, value) VALUES (?, ?, ?, ?)");
  for (const auto* stmt : {&delete_lines, &insert_line, &insert_attribute}) {
    if (!*stmt) {
      return tl::unexpected(stmt->error());
    }
  }
  delete_lines->bind_text(1, order.id);
  if (auto done = delete_lines->run(); !done) {
    return done;
  }
  for (const OrderLine& line : order.lines) {
    insert_line->bind_text(1, order.id)
        .bind(2, line.line_no)
        .bind_text(3, line.sku)
        .bind_text(4, line.style)
        .bind(5, line.quantity)
        .bind_text(6, line.description);
    if (auto done = insert_line->run(); !done) {
      if (done.error().type == ErrorType::conflict) {
        return make_error(ErrorType::conflict, fmt::format("line {} appears twice", line.line_no));
      }
      return tl::unexpected(done.error().with_context(fmt::format("line {}", line.line_no)));
    }
    for (const auto& [name, value] : line.required_attributes) {
      insert_attribute->bind_text(1, order.id).bind(2, line.line_no).bind_text(3, name).bind_text(4, value);
      if (auto done = insert_attribute->run(); !done) {
        return tl::unexpected(done.error().with_context(fmt::format("line {}: attribute {}", line.line_no, name)));
      }
    }
  }
  return {};
}

template <typename Db> Result<std::vector<Order>> SqlStore<Db>::load_orders(const std::optional<std::string>& id)
{
  const std::string where = id ? " WHERE order_id = ?1" : "";
  auto orders =
      m_db->prepare(std::string("SELECT id, value_minor, currency, image_check_flagged, customer FROM orders") +
                    (id ? " WHERE id = ?1" : "") + " ORDER BY id");
  auto lines = m_db->prepare("SELECT order_id, line_no, sku, style, quantity, description FROM order_lines" + where +
                             " ORDER BY order_id, line_no");
  auto attributes = m_db->prepare("SELECT order_id, line_no, name, value FROM order_line_attributes" + where);
  for (const auto* stmt : {&orders, &lines, &attributes}) {
    if (!*stmt) {
      return tl::unexpected(stmt->error());
    }
  }
  if (id) {
    orders->bind_text(1, *id);
    lines->bind_text(1, *id);
    attributes->bind_text(1, *id);
  }
  std::map<std::pair<std::string, std::int64_t>, Attributes> required;
  auto attributes_read = attributes->each_row([&] {
    required[{attributes->column_text(0), attributes->column_int(1)}][attributes->column_text(2)] =
        attributes->column_text(3);
    return true;
  });
  if (!attributes_read) {
    return tl::unexpected(attributes_read.error());
  }
  std::unordered_map<std::string, std::vector<OrderLine>> lines_of;
  auto lines_read = lines->each_row([&] {
    OrderLine line;
    const std::string order_id = lines->column_text(0);
    line.line_no = static_cast<std::int32_t>(lines->column_int(1));
    line.sku = lines->column_text(2);
    line.style = lines->column_text(3);
    line.quantity = static_cast<std::int32_t>(lines->column_int(4));
    line.description = lines->column_text(5);
    if (auto found = required.find({order_id, line.line_no}); found != required.end()) {
      line.required_attributes = std::move(found->second);
    }
    lines_of[order_id].push_back(std::move(line));
    return true;
  });
  if (!lines_read) {
    return tl::unexpected(lines_read.error());
  }
  std::vector<Order> result;
  auto orders_read = orders->each_row([&] {
    Order order;
    order.id = orders->column_text(0);
    order.value = Money{orders->column_int(1), orders->column_text(2)};
    order.image_check_flagged = orders->column_int(3) != 0;
    order.customer = orders->column_text(4);
    if (auto found = lines_of.find(order.id); found != lines_of.end()) {
      order.lines = std::move(found->second);
    }
    result.push_back(std::move(order));
    return true;
  });
  if (!orders_read) {
    return tl::unexpected(orders_read.error());
  }
  return result;
}

template <typename Db> Result<std::optional<Order>> SqlStore<Db>::find_order(const std::string& id)
{
  std::lock_guard lock(m_mutex);
  auto orders = load_orders(id);
  if (!orders) {
    return fail(orders, "find order " + id);
  }
  if (orders->empty()) {
    return std::optional<Order>();
  }
  return std::optional<Order>(std::move(orders->front()));
}

template <typename Db> Result<std::vector<Order>> SqlStore<Db>::list_orders()
{
  std::lock_guard lock(m_mutex);
  auto orders = load_orders(std::nullopt);
  if (!orders) {
    return fail(orders, "list orders");
  }
  return orders;
}

// --- Station instances ----------------------------------------------------------------------------

template <typename Db> Result<StationInstance> SqlStore<Db>::register_station(const std::string& station)
{
  std::lock_guard lock(m_mutex);
  auto transaction = Transaction::begin(*m_db);
  if (!transaction) {
    return fail(transaction, "station " + station);
  }
  const std::int64_t now = now_utc_ms();
  auto existing = store::read_station(*m_db, station);
  if (!existing) {
    return fail(existing, "station " + station);
  }
  StationInstance mine{station, store::current_pid(), store::current_host(), now, now};
  if (*existing && !((*existing)->pid == mine.pid && (*existing)->host == mine.host) &&
      store::station_alive(**existing, now)) {
    return make_error(ErrorType::conflict,
                      fmt::format("station {} is already running: pid {} on host {}, since {}; stop it first, or "
                                  "start this one with another --station",
                                  station, (*existing)->pid, (*existing)->host,
                                  store::format_utc_minute((*existing)->started_utc_ms)));
  }
  auto upsert = m_db->prepare("INSERT INTO station_instances (station, pid, host, started_utc_ms, heartbeat_utc_ms) "
                              "VALUES (?, ?, ?, ?, ?) ON CONFLICT (station) DO UPDATE SET pid = excluded.pid, "
                              "host = excluded.host, started_utc_ms = excluded.started_utc_ms, "
                              "heartbeat_utc_ms = excluded.heartbeat_utc_ms");
  if (!upsert) {
    return fail(upsert, "station " + station);
  }
  upsert->bind_text(1, station).bind(2, mine.pid).bind_text(3, mine.host).bind(4, now).bind(5, now);
  if (auto done = upsert->run(); !done) {
    return fail(done, "station " + station);
  }
  if (auto committed = transaction->commit(); !committed) {
    return fail(committed, "station " + station);
  }
  return mine;
}

template <typename Db> Result<void> SqlStore<Db>::heartbeat_station(const std::string& station)
{
  std::lock_guard lock(m_mutex);
  auto stmt =
      m_db->prepare("UPDATE station_instances SET heartbeat_utc_ms = ? WHERE station = ? AND pid = ? AND host = ?");
  if (!stmt) {
    return fail(stmt, "station heartbeat");
  }
  stmt->bind(1, now_utc_ms()).bind_text(2, station).bind(3, store::current_pid()).bind_text(4, store::current_host());
  if (auto done = stmt->run(); !done) {
    return fail(done, "station heartbeat");
  }
  return {};
}

template <typename Db> Result<void> SqlStore<Db>::unregister_station(const std::string& station)
{
  std::lock_guard lock(m_mutex);
  auto stmt = m_db->prepare("DELETE FROM station_instances WHERE station = ? AND pid = ? AND host = ?");
  if (!stmt) {
    return fail(stmt, "station " + station);
  }
  stmt->bind_text(1, station).bind(2, store::current_pid()).bind_text(3, store::current_host());
  if (auto done = stmt->run(); !done) {
    return fail(done, "station " + station);
  }
  return {};
}

// --- Journal ------------------------------------------------------------------------------------

template <typename Db> Result<std::vector<JournalEntry>> SqlStore<Db>::append(std::vector<JournalEntry> entries)
{
  if (entries.empty()) {
    return entries;
  }
  for (const JournalEntry& entry : entries) {
    if (entry.type.empty()) {
      return make_error(ErrorType::invalid_input, "journal append: an event without a type cannot be journaled");
    }
    if (auto problem = unstorable_text(*m_db, entry)) {
      return tl::unexpected(std::move(*problem));
    }
  }
  PendingAppend mine{&entries, std::nullopt, false};
  std::unique_lock queue_lock(m_queue_mutex);
  m_queue.push_back(&mine);
  while (!mine.done) {
    if (m_commit_in_flight) {
      m_queue_done.wait(queue_lock);
      continue;
    }
    // Lead the next commit: everything queued so far, this append included, in arrival order.
    m_commit_in_flight = true;
    std::vector<PendingAppend*> batch;
    batch.swap(m_queue);
    queue_lock.unlock();
    Result<void> committed;
    try {
      std::lock_guard lock(m_mutex);
      committed = append_batch(batch);
    } catch (const std::exception& e) {
      // Out of memory, say: the waiting appends must still be woken, with an error.
      committed = make_error(ErrorType::internal, e.what());
    }
    queue_lock.lock();
    for (PendingAppend* pending : batch) {
      if (!committed) {
        pending->error = committed.error().with_context("journal append");
      }
      pending->done = true;
    }
    m_commit_in_flight = false;
    m_queue_done.notify_all();
  }
  if (mine.error) {
    return tl::unexpected(std::move(*mine.error));
  }
  return entries;
}

template <typename Db>
Result<void> SqlStore<Db>::insert_row(JournalEntry& entry, std::int64_t seq, const std::string& prev_hash,
                                      std::int64_t now)
{
  entry.seq = seq;
  if (entry.utc_ms == 0) {
    entry.utc_ms = now;
  }
  entry.prev_hash = prev_hash;
  entry.hash = journal_row_hash(entry, prev_hash);
  if (!m_has_chains) {
    return make_error(ErrorType::io, "the journal of this read-only database (before schema version 6) cannot be "
                                     "appended to");
  }
  store::bind_journal_columns(m_insert_row, entry);
  auto done = m_insert_row.run();
  if (!done) {
    m_insert_row.reset();
    if (done.error().type == ErrorType::conflict) {
      return make_error(ErrorType::corrupt,
                        fmt::format("seq {} exists already although the journal head records seq {}: the "
                                    "journal was altered outside pickverify; run `pickverify audit verify`",
                                    entry.seq, entry.seq - 1));
    }
  }
  return done;
}

// One transaction for every pending append; all of them are durable, or none is written.
template <typename Db> Result<void> SqlStore<Db>::append_batch(const std::vector<PendingAppend*>& batch)
{
  if constexpr (std::is_same_v<Db, store::PgDb>) {
    PV_TRY_ASSIGN(auto one_trip, append_batch_one_trip(batch));
    if (one_trip) {
      return {};
    }
    // Refused, or a case the function leaves to the statements: they decide it, and word it.
  }
  return append_batch_statements(batch);
}

template <typename Db> bool SqlStore<Db>::checkpoint_due(std::int64_t seq, std::int64_t now) const
{
  return seq - m_last_checkpoint_seq >= m_checkpoint_policy.every_events ||
         now - m_last_checkpoint_ms >=
             std::chrono::duration_cast<std::chrono::milliseconds>(m_checkpoint_policy.every_interval).count();
}

// PostgreSQL: the rows through pickverify_append_v1 (pg_migrations.cpp), one statement and so one
// round trip; filled in with their seq, prev_hash and hash, each hash recomputed here and compared.
// false: the function left these rows to the statements (nothing was written).
template <typename Db>
Result<bool> SqlStore<Db>::call_append_function(std::vector<JournalEntry*> rows, std::int64_t now)
{
  nlohmann::json array = nlohmann::json::array();
  for (const JournalEntry* entry : rows) {
    array.push_back({{"utc_ms", entry->utc_ms == 0 ? now : entry->utc_ms},
                     {"type", entry->type},
                     {"station", entry->station},
                     {"operator_id", entry->operator_id},
                     {"order_id", entry->order_id},
                     {"session_id", entry->session_id},
                     {"raw_hex", text::to_hex(entry->raw)},
                     {"aim", entry->aim},
                     {"source", entry->source},
                     {"gtin", entry->gtin},
                     {"ais", entry->ais},
                     {"verdict", entry->verdict},
                     {"reason", entry->reason},
                     {"evidence_hash", entry->evidence_hash},
                     {"detail", entry->detail}});
  }
  m_append_one_trip.bind_text(1, array.dump()).bind(2, now);
  struct Written {
    std::int64_t seq;
    std::string prev_hash;
    std::string hash;
  };
  std::vector<Written> written;
  auto read = m_append_one_trip.each_row([&] {
    written.push_back(
        {m_append_one_trip.column_int(0), m_append_one_trip.column_text(1), m_append_one_trip.column_text(2)});
    return true;
  });
  m_append_one_trip.reset();
  if (!read) {
    if (read.error().type == ErrorType::conflict) {
      return false;
    }
    return tl::unexpected(read.error());
  }
  if (written.size() != rows.size()) {
    return make_error(ErrorType::internal,
                      fmt::format("the journal's append function wrote {} rows of {}", written.size(), rows.size()));
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    JournalEntry& entry = *rows[i];
    if (entry.utc_ms == 0) {
      entry.utc_ms = now;
    }
    entry.seq = written[i].seq;
    entry.prev_hash = written[i].prev_hash;
    entry.hash = written[i].hash;
    if (journal_row_hash(entry, entry.prev_hash) != entry.hash) {
      return make_error(ErrorType::corrupt,
                        fmt::format("seq {}: PostgreSQL computed hash {} but the recipe gives {}; run `pickverify "
                                    "audit verify`",
                                    entry.seq, entry.hash, journal_row_hash(entry, entry.prev_hash)));
    }
  }
  return true;
}

template <typename Db> Result<bool> SqlStore<Db>::append_batch_one_trip(const std::vector<PendingAppend*>& batch)
{
  const std::int64_t now = now_utc_ms();
  std::vector<JournalEntry*> rows;
  bool released = false;
  for (PendingAppend* pending : batch) {
    for (JournalEntry& entry : *pending->entries) {
      rows.push_back(&entry);
      released = released || entry.type == "pack_released";
    }
  }
  // A checkpoint that belongs in the same commit (after a release, or once its interval is up)
  // signs the head the rows end at: then the function runs inside a transaction holding the
  // writers' lock, the checkpoint row after it. Without a signer, or when none is due, the one
  // statement is its own transaction.
  const bool interval_due =
      m_signer && now - m_last_checkpoint_ms >=
                      std::chrono::duration_cast<std::chrono::milliseconds>(m_checkpoint_policy.every_interval).count();
  std::optional<Transaction> transaction;
  if (m_signer && (released || interval_due)) {
    PV_TRY_ASSIGN(auto begun, Transaction::begin(*m_db));
    transaction.emplace(std::move(begun));
  }
  auto appended = call_append_function(rows, now);
  if (!appended || !*appended) {
    return appended;
  }
  const std::int64_t seq = rows.back()->seq;
  const bool due = m_signer && seq > m_last_checkpoint_seq && (released || checkpoint_due(seq, now));
  if (!due) {
    if (transaction) {
      PV_TRY(transaction->commit());
    }
    return true;
  }
  if (!transaction) {
    // Due by the count of rows, which is known only now that they are committed: they are durable;
    // the checkpoint follows in a commit of its own, covering the head at that moment, and is tried
    // again at the next append should it fail.
    (void)append_checkpoint();
    return true;
  }
  PV_TRY_ASSIGN(auto checkpoint, checkpoint_row(seq, rows.back()->hash, now));
  auto signed_row = call_append_function({&checkpoint}, now);
  if (!signed_row || !*signed_row) {
    return signed_row;
  }
  PV_TRY(transaction->commit());
  m_last_checkpoint_seq = checkpoint.seq;
  m_last_checkpoint_ms = now;
  return true;
}

template <typename Db> Result<void> SqlStore<Db>::append_batch_statements(const std::vector<PendingAppend*>& batch)
{
  // The write lock is taken before the head is read: another process appending at the same time
  // waits here (busy_timeout) and then continues this chain instead of forking it.
  PV_TRY_ASSIGN(auto transaction, Transaction::begin(*m_db));
  auto head = m_read_head.step();
  if (!head) {
    return tl::unexpected(head.error());
  }
  if (!*head) {
    m_read_head.reset();
    return make_error(ErrorType::corrupt, "the journal head record is missing; run `pickverify audit verify`");
  }
  std::int64_t seq = m_read_head.column_int(0);
  std::string prev_hash = m_read_head.column_text(1);
  m_read_head.reset();

  // Filled in place: on failure the callers get an error and never see these copies again.
  const std::int64_t now = now_utc_ms();
  for (PendingAppend* pending : batch) {
    // Each append under its own savepoint: one refused by the claim rules (another station holds
    // the order) is undone alone, and the appends it shares this commit with go ahead.
    if (auto saved = m_db->exec("SAVEPOINT one_append"); !saved) {
      return saved;
    }
    const std::int64_t seq_before = seq;
    const std::string prev_before = prev_hash;
    std::optional<Error> refused;
    for (JournalEntry& entry : *pending->entries) {
      auto before = store::apply_claim_rules(*m_db, entry, now);
      if (!before) {
        if (before.error().type != ErrorType::conflict) {
          return tl::unexpected(before.error());
        }
        refused = before.error();
        break;
      }
      for (JournalEntry& extra : *before) {
        if (auto inserted = insert_row(extra, ++seq, prev_hash, now); !inserted) {
          return inserted;
        }
        prev_hash = extra.hash;
      }
      if (auto inserted = insert_row(entry, ++seq, prev_hash, now); !inserted) {
        return inserted;
      }
      prev_hash = entry.hash;
    }
    if (refused) {
      if (auto undone = m_db->exec("ROLLBACK TO one_append"); !undone) {
        return undone;
      }
      seq = seq_before;
      prev_hash = prev_before;
      pending->error = std::move(refused);
    }
    if (auto released = m_db->exec("RELEASE one_append"); !released) {
      return released;
    }
  }
  if (m_signer && seq > m_last_checkpoint_seq) {
    bool released = false;
    for (const PendingAppend* pending : batch) {
      for (const JournalEntry& entry : *pending->entries) {
        released = released || (!pending->error && entry.type == "pack_released");
      }
    }
    if (released || checkpoint_due(seq, now)) {
      auto row = checkpoint_row(seq, prev_hash, now);
      if (!row) {
        return tl::unexpected(row.error());
      }
      if (auto inserted = insert_row(*row, ++seq, prev_hash, now); !inserted) {
        return inserted;
      }
      prev_hash = row->hash;
      m_last_checkpoint_seq = seq;
      m_last_checkpoint_ms = now;
    }
  }
  m_update_head.bind(1, seq).bind_text(2, prev_hash);
  if (auto done = m_update_head.run(); !done) {
    m_update_head.reset();
    return tl::unexpected(done.error());
  }
  // synchronous=FULL: COMMIT returns after the WAL is fsynced.
  return transaction.commit();
}

template <typename Db>
Result<JournalEntry> SqlStore<Db>::checkpoint_row(std::int64_t seq, const std::string& head_hash, std::int64_t now)
{
  Checkpoint checkpoint;
  checkpoint.station = m_signer_station;
  checkpoint.seq = seq;
  checkpoint.head_hash = head_hash;
  checkpoint.utc_ms = now;
  checkpoint.key_id = m_signer->key_id();
  checkpoint.public_key = m_signer->public_key_hex();
  checkpoint.signature = m_signer->sign(checkpoint.signed_message());
  JournalEntry row;
  row.type = "checkpoint";
  row.utc_ms = now;
  row.station = m_signer_station;
  row.reason = fmt::format("signed checkpoint of seq {} (key {})", seq, checkpoint.key_id);
  row.detail = checkpoint.to_json();
  return row;
}

template <typename Db> Result<Checkpoint> SqlStore<Db>::append_checkpoint()
{
  std::lock_guard lock(m_mutex);
  if (!m_signer) {
    return make_error(ErrorType::conflict, "no station key is set: checkpoints cannot be signed");
  }
  auto transaction = Transaction::begin(*m_db);
  if (!transaction) {
    return fail(transaction, "checkpoint");
  }
  auto head = m_read_head.step();
  if (!head || !*head) {
    m_read_head.reset();
    return make_error(ErrorType::corrupt, "the journal head record is missing; run `pickverify audit verify`");
  }
  std::int64_t seq = m_read_head.column_int(0);
  const std::string prev_hash = m_read_head.column_text(1);
  m_read_head.reset();
  const std::int64_t now = now_utc_ms();
  PV_TRY_ASSIGN(auto row, checkpoint_row(seq, prev_hash, now));
  if (auto inserted = insert_row(row, ++seq, prev_hash, now); !inserted) {
    return fail(inserted, "checkpoint");
  }
  m_update_head.bind(1, seq).bind_text(2, row.hash);
  if (auto done = m_update_head.run(); !done) {
    m_update_head.reset();
    return fail(done, "checkpoint");
  }
  if (auto committed = transaction->commit(); !committed) {
    return fail(committed, "checkpoint");
  }
  m_last_checkpoint_seq = seq;
  m_last_checkpoint_ms = now;
  return Checkpoint::from_json(row.detail);
}

template <typename Db> Result<ChainReport> SqlStore<Db>::verify_chain()
{
  std::lock_guard lock(m_mutex);
  // One read transaction, so rows appended meanwhile by another process are not half seen.
  if (auto begun = m_db->exec(begin_snapshot(*m_db)); !begun) {
    return fail(begun, "audit verify");
  }
  struct EndRead {
    Db& db;
    ~EndRead() { (void)db.exec("COMMIT"); }
  } end_read{*m_db};

  auto rows = m_db->prepare(fmt::format("SELECT {} FROM journal ORDER BY seq", m_select_columns));
  if (!rows) {
    return fail(rows, "audit verify");
  }
  ChainReport report;
  std::string running = k_genesis_hash;
  std::int64_t expected_seq = 1;
  auto broken = [&report](std::int64_t seq, std::string problem) {
    report.first_bad_seq = seq;
    report.problem = fmt::format("seq {}: {}", seq, problem);
  };
  for (;;) {
    auto row = rows->step();
    if (!row) {
      return fail(row, "audit verify");
    }
    if (!*row) {
      break;
    }
    const JournalEntry entry = read_journal_row(*rows);
    ++report.event_count;
    if (report.first_bad_seq) {
      continue; // keep counting rows, report the first break only
    }
    if (entry.seq > expected_seq) {
      broken(expected_seq, fmt::format("missing: the next row is seq {} (rows were deleted)", entry.seq));
    } else if (entry.seq < expected_seq) {
      broken(entry.seq, "not a valid position: seq starts at 1 and counts up without gaps (a row was inserted)");
    } else if (entry.prev_hash != running) {
      broken(entry.seq, fmt::format("prev_hash does not match the hash of seq {} (a row was deleted, inserted or "
                                    "reordered here)",
                                    entry.seq - 1));
    } else if (journal_row_hash(entry, running) != entry.hash) {
      broken(entry.seq, "hash does not match its contents (the row was changed)");
    } else {
      running = entry.hash;
      ++expected_seq;
    }
  }
  report.head_hash = running;
  if (report.first_bad_seq) {
    return report;
  }

  const std::int64_t last_seq = expected_seq - 1;
  auto head = m_db->prepare("SELECT seq, hash FROM journal_head WHERE id = 1");
  if (!head) {
    return fail(head, "audit verify");
  }
  auto head_row = head->step();
  if (!head_row) {
    return fail(head_row, "audit verify");
  }
  if (!*head_row) {
    broken(last_seq + 1, "the journal head record is missing, so deleted rows at the end cannot be ruled out");
    return report;
  }
  const std::int64_t head_seq = head->column_int(0);
  const std::string head_hash = head->column_text(1);
  if (head_seq > last_seq) {
    broken(last_seq + 1, fmt::format("missing: the journal head records {} events ending in hash {} (rows at the "
                                     "end were deleted)",
                                     head_seq, head_hash));
  } else if (head_seq < last_seq) {
    broken(head_seq + 1, fmt::format("after the recorded journal head (seq {}): rows were added outside "
                                     "pickverify",
                                     head_seq));
  } else if (head_hash != running) {
    broken(last_seq,
           fmt::format("its hash differs from the recorded journal head {} (the last row was replaced)", head_hash));
  }
  return report;
}

template <typename Db>
Result<void> SqlStore<Db>::read_journal(const JournalFilter& filter,
                                        const std::function<bool(const JournalEntry&)>& visit)
{
  std::lock_guard lock(m_mutex);
  std::string sql = fmt::format("SELECT {} FROM journal WHERE 1 = 1", m_select_columns);
  if (filter.from_utc_ms) {
    sql += " AND utc_ms >= ?1";
  }
  if (filter.to_utc_ms) {
    sql += " AND utc_ms < ?2";
  }
  if (filter.order_id) {
    sql += " AND order_id = ?3";
  }
  if (filter.station) {
    sql += " AND station = ?4";
  }
  if (filter.session_id) {
    sql += " AND session_id = ?5";
  }
  if (filter.serial) {
    // Narrowed in SQL (portable LIKE, a wildcard in the serial only widens it), decided below.
    sql += " AND detail LIKE ?6";
  }
  if (filter.from_seq) {
    sql += " AND seq >= ?7";
  }
  sql += " ORDER BY seq";
  auto rows = m_db->prepare(sql);
  if (!rows) {
    return fail(rows, "read journal");
  }
  if (filter.from_utc_ms) {
    rows->bind(1, *filter.from_utc_ms);
  }
  if (filter.to_utc_ms) {
    rows->bind(2, *filter.to_utc_ms);
  }
  if (filter.order_id) {
    rows->bind_text(3, *filter.order_id);
  }
  if (filter.station) {
    rows->bind_text(4, *filter.station);
  }
  if (filter.session_id) {
    rows->bind_text(5, *filter.session_id);
  }
  if (filter.serial) {
    rows->bind_text(6, "%" + nlohmann::json(*filter.serial).dump() + "%");
  }
  if (filter.from_seq) {
    rows->bind(7, *filter.from_seq);
  }
  auto rows_read = rows->each_row([&] {
    JournalEntry entry = read_journal_row(*rows);
    if (filter.serial) {
      const auto detail = nlohmann::json::parse(entry.detail, nullptr, false);
      if (!detail.is_object() || !detail.contains("serial") || detail["serial"] != *filter.serial) {
        return true;
      }
    }
    return visit(entry);
  });
  if (!rows_read) {
    return fail(rows_read, "read journal");
  }
  return {};
}

} // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path)
{
  if (!store::sodium_ready()) {
    return make_error(ErrorType::unsupported, "libsodium could not be initialised; the journal cannot be hashed");
  }
  PV_TRY_ASSIGN(auto db, store::open_database(path));
  auto store = std::make_unique<SqlStore<store::Db>>(std::move(db));
  PV_TRY(store->prepare_statements());
  return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<Store>> open_postgres_store(const std::string& conninfo)
{
  if (!store::sodium_ready()) {
    return make_error(ErrorType::unsupported, "libsodium could not be initialised; the journal cannot be hashed");
  }
  PV_TRY_ASSIGN(auto db, store::PgDb::connect(conninfo));
  PV_TRY(store::migrate_postgres(*db));
  auto store = std::make_unique<SqlStore<store::PgDb>>(std::move(db));
  PV_TRY(store->prepare_statements());
  return std::unique_ptr<Store>(std::move(store));
}

bool is_postgres_location(std::string_view location)
{
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

Result<std::unique_ptr<Store>> open_sqlite_store_read_only(const std::filesystem::path& path)
{
  if (!store::sodium_ready()) {
    return make_error(ErrorType::unsupported, "libsodium could not be initialised; the journal cannot be hashed");
  }
  PV_TRY_ASSIGN(auto db, store::open_database_read_only(path));
  auto store = std::make_unique<SqlStore<store::Db>>(std::move(db));
  PV_TRY(store->prepare_statements());
  return std::unique_ptr<Store>(std::move(store));
}

} // namespace pickverify
