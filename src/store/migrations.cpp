#include "migrations.hpp"

#include <array>
#include <string>

#include <fmt/core.h>

namespace pickverify::store {

namespace {

struct Migration {
  int version;
  const char* what;
  const char* sql;
};

// Never edit a migration that has shipped: databases in the field are at that version already.
// Add a new one instead. tests/unit/store/test_migrations.cpp keeps a frozen copy of v1 and
// upgrades it.
constexpr std::array k_migrations{
    Migration{1, "initial schema", R"sql(
CREATE TABLE items (
  sku                  TEXT PRIMARY KEY,
  style                TEXT NOT NULL,
  description          TEXT NOT NULL,
  weight_g             INTEGER NOT NULL,
  value_minor          INTEGER NOT NULL,
  currency             TEXT NOT NULL,
  image_check_required INTEGER NOT NULL,
  serial_tracked       INTEGER NOT NULL
);
CREATE TABLE item_gtins (
  gtin     TEXT PRIMARY KEY,
  sku      TEXT NOT NULL REFERENCES items(sku) ON DELETE CASCADE,
  position INTEGER NOT NULL
);
CREATE TABLE item_attributes (
  sku   TEXT NOT NULL REFERENCES items(sku) ON DELETE CASCADE,
  name  TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (sku, name)
);
CREATE TABLE kits (
  sku         TEXT PRIMARY KEY,
  description TEXT NOT NULL
);
CREATE TABLE kit_components (
  kit_sku  TEXT NOT NULL REFERENCES kits(sku) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  sku      TEXT NOT NULL REFERENCES items(sku),
  quantity INTEGER NOT NULL,
  PRIMARY KEY (kit_sku, position)
);
CREATE TABLE orders (
  id                  TEXT PRIMARY KEY,
  value_minor         INTEGER NOT NULL,
  currency            TEXT NOT NULL,
  image_check_flagged INTEGER NOT NULL,
  customer            TEXT NOT NULL
);
CREATE TABLE order_lines (
  order_id    TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  line_no     INTEGER NOT NULL,
  sku         TEXT NOT NULL,
  style       TEXT NOT NULL,
  quantity    INTEGER NOT NULL,
  description TEXT NOT NULL,
  PRIMARY KEY (order_id, line_no)
);
CREATE TABLE order_line_attributes (
  order_id TEXT NOT NULL,
  line_no  INTEGER NOT NULL,
  name     TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (order_id, line_no, name),
  FOREIGN KEY (order_id, line_no) REFERENCES order_lines(order_id, line_no) ON DELETE CASCADE
);
CREATE TABLE journal (
  seq           INTEGER PRIMARY KEY,
  utc_ms        INTEGER NOT NULL,
  type          TEXT NOT NULL,
  station       TEXT NOT NULL,
  operator_id   TEXT NOT NULL,
  order_id      TEXT NOT NULL,
  session_id    TEXT NOT NULL,
  raw           BLOB NOT NULL,
  aim           TEXT NOT NULL,
  source        TEXT NOT NULL,
  gtin          TEXT NOT NULL,
  ais           TEXT NOT NULL,
  verdict       TEXT NOT NULL,
  reason        TEXT NOT NULL,
  evidence_hash TEXT NOT NULL,
  detail        TEXT NOT NULL,
  prev_hash     TEXT NOT NULL,
  hash          TEXT NOT NULL
);
)sql"},
    Migration{2, "image-check exclusion, journal indexes, head record, append-only guard", R"sql(
ALTER TABLE items ADD COLUMN no_visible_barcode INTEGER NOT NULL DEFAULT 0;
CREATE INDEX item_gtins_by_sku ON item_gtins(sku);
CREATE INDEX journal_by_order ON journal(order_id, seq);
CREATE INDEX journal_by_station ON journal(station, seq);
CREATE INDEX journal_by_session ON journal(session_id, seq);
CREATE INDEX journal_by_time ON journal(utc_ms);
CREATE TABLE journal_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  INTEGER NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO journal_head (id, seq, hash)
  SELECT 1, COALESCE(MAX(seq), 0),
         COALESCE((SELECT hash FROM journal ORDER BY seq DESC LIMIT 1),
                  '0000000000000000000000000000000000000000000000000000000000000000')
  FROM journal;
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
  BEGIN SELECT RAISE(ABORT, 'journal is append-only: rows cannot be changed'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
  BEGIN SELECT RAISE(ABORT, 'journal is append-only: rows cannot be deleted'); END;
)sql"},
    Migration{3, "users, order claims, packed orders and serials, station instances", R"sql(
CREATE TABLE users (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  role            TEXT NOT NULL CHECK (role IN ('picker', 'supervisor', 'qa', 'admin')),
  secret_hash     TEXT NOT NULL,
  disabled        INTEGER NOT NULL DEFAULT 0,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until_ms INTEGER NOT NULL DEFAULT 0,
  created_utc_ms  INTEGER NOT NULL
);
CREATE TABLE order_claims (
  order_id          TEXT PRIMARY KEY,
  station           TEXT NOT NULL,
  session_id        TEXT NOT NULL,
  operator_id       TEXT NOT NULL,
  since_utc_ms      INTEGER NOT NULL,
  last_event_utc_ms INTEGER NOT NULL
);
CREATE TABLE order_packs (
  order_id      TEXT PRIMARY KEY,
  station       TEXT NOT NULL,
  session_id    TEXT NOT NULL,
  operator_id   TEXT NOT NULL,
  packed_utc_ms INTEGER NOT NULL
);
INSERT INTO order_packs (order_id, station, session_id, operator_id, packed_utc_ms)
  SELECT order_id, station, session_id, operator_id, utc_ms FROM journal j
  WHERE type = 'packed' AND seq = (SELECT MIN(seq) FROM journal WHERE type = 'packed' AND order_id = j.order_id);
CREATE TABLE packed_serials (
  gtin          TEXT NOT NULL,
  serial        TEXT NOT NULL,
  order_id      TEXT NOT NULL,
  station       TEXT NOT NULL,
  session_id    TEXT NOT NULL,
  packed_utc_ms INTEGER NOT NULL,
  PRIMARY KEY (gtin, serial)
);
CREATE TABLE station_instances (
  station          TEXT PRIMARY KEY,
  pid              INTEGER NOT NULL,
  host             TEXT NOT NULL,
  started_utc_ms   INTEGER NOT NULL,
  heartbeat_utc_ms INTEGER NOT NULL
);
)sql"},
    Migration{4, "packaging levels: inner packs and cases with GTINs of their own", R"sql(
CREATE TABLE item_packs (
  gtin     TEXT PRIMARY KEY,
  sku      TEXT NOT NULL REFERENCES items(sku) ON DELETE CASCADE,
  level    TEXT NOT NULL CHECK (level IN ('inner', 'case')),
  quantity INTEGER NOT NULL CHECK (quantity >= 2),
  position INTEGER NOT NULL
);
CREATE INDEX item_packs_by_sku ON item_packs(sku);
)sql"},
    Migration{5, "kit parts that follow the order: a style with attributes fixed by the kit or given by the order line",
              R"sql(
CREATE TABLE kit_style_parts (
  kit_sku  TEXT NOT NULL REFERENCES kits(sku) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  style    TEXT NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity >= 1),
  PRIMARY KEY (kit_sku, position)
);
CREATE TABLE kit_part_attributes (
  kit_sku    TEXT NOT NULL,
  position   INTEGER NOT NULL,
  name       TEXT NOT NULL,
  value      TEXT NOT NULL,
  from_order INTEGER NOT NULL CHECK (from_order IN (0, 1)),
  PRIMARY KEY (kit_sku, position, name),
  FOREIGN KEY (kit_sku, position) REFERENCES kit_style_parts(kit_sku, position) ON DELETE CASCADE
);
)sql"},
    Migration{6, "one chain per station: journal chain and chain_seq, per-chain heads", R"sql(
ALTER TABLE journal ADD COLUMN chain TEXT NOT NULL DEFAULT '';
ALTER TABLE journal ADD COLUMN chain_seq INTEGER;
CREATE UNIQUE INDEX journal_by_chain ON journal(chain, chain_seq);
CREATE TABLE journal_heads (
  chain TEXT PRIMARY KEY,
  seq   INTEGER NOT NULL,
  hash  TEXT NOT NULL
);
)sql"},
};

static_assert(k_migrations.back().version == k_schema_version);

} // namespace

Result<void> migrate(Db& db)
{
  auto transaction = Transaction::begin(db);
  if (!transaction) {
    return tl::unexpected(transaction.error().with_context("schema migration"));
  }
  auto version = db.query_int("PRAGMA user_version");
  if (!version) {
    return tl::unexpected(version.error().with_context("schema migration"));
  }
  if (*version > k_schema_version) {
    return make_error(ErrorType::corrupt,
                      fmt::format("database schema version {} is newer than this pickverify supports ({}); "
                                  "use a newer pickverify",
                                  *version, k_schema_version));
  }
  if (*version == 0) {
    auto tables = db.query_int("SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'");
    if (!tables) {
      return tl::unexpected(tables.error().with_context("schema migration"));
    }
    if (*tables > 0) {
      return make_error(ErrorType::corrupt,
                        fmt::format("{}: a SQLite database, but not a pickverify one (it holds {} other "
                                    "tables and no schema version); use another file",
                                    db.path().string(), *tables));
    }
  }
  for (const Migration& migration : k_migrations) {
    if (migration.version <= *version) {
      continue;
    }
    auto applied = db.exec(migration.sql);
    if (applied) {
      applied = db.exec(fmt::format("PRAGMA user_version = {}", migration.version));
    }
    if (!applied) {
      return tl::unexpected(applied.error().with_context(
          fmt::format("schema migration to version {} ({})", migration.version, migration.what)));
    }
  }
  return transaction->commit();
}

} // namespace pickverify::store
