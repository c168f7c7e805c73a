#include "pg_migrations.hpp"

#include <pickverify/expected.hpp>

#include <array>

#include <fmt/core.h>

#include "migrations.hpp"

namespace pickverify::store {

namespace {

struct PgMigration {
  int version;
  const char* what;
  const char* sql;
};

// One migration per SQLite migration (migrations.cpp), with the same version and the same tables,
// columns and meaning. Differences of dialect only: BIGINT for INTEGER, BYTEA for BLOB, an explicit
// rowid (insertion order, which SQLite keeps implicitly) where the store orders by it, and the
// append-only guards as PL/pgSQL triggers. Never edit one that has shipped; add a new one.
constexpr std::array k_pg_migrations{
    PgMigration{1, "initial schema", R"sql(
CREATE TABLE items (
  rowid                BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  sku                  TEXT PRIMARY KEY,
  style                TEXT NOT NULL,
  description          TEXT NOT NULL,
  weight_g             BIGINT NOT NULL,
  value_minor          BIGINT NOT NULL,
  currency             TEXT NOT NULL,
  image_check_required BIGINT NOT NULL,
  serial_tracked       BIGINT NOT NULL
);
CREATE TABLE item_gtins (
  gtin     TEXT PRIMARY KEY,
  sku      TEXT NOT NULL REFERENCES items(sku) ON DELETE CASCADE,
  position BIGINT NOT NULL
);
CREATE TABLE item_attributes (
  sku   TEXT NOT NULL REFERENCES items(sku) ON DELETE CASCADE,
  name  TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (sku, name)
);
CREATE TABLE kits (
  rowid       BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  sku         TEXT PRIMARY KEY,
  description TEXT NOT NULL
);
CREATE TABLE kit_components (
  kit_sku  TEXT NOT NULL REFERENCES kits(sku) ON DELETE CASCADE,
  position BIGINT NOT NULL,
  sku      TEXT NOT NULL REFERENCES items(sku),
  quantity BIGINT NOT NULL,
  PRIMARY KEY (kit_sku, position)
);
CREATE TABLE orders (
  id                  TEXT PRIMARY KEY,
  value_minor         BIGINT NOT NULL,
  currency            TEXT NOT NULL,
  image_check_flagged BIGINT NOT NULL,
  customer            TEXT NOT NULL
);
CREATE TABLE order_lines (
  order_id    TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  line_no     BIGINT NOT NULL,
  sku         TEXT NOT NULL,
  style       TEXT NOT NULL,
  quantity    BIGINT NOT NULL,
  description TEXT NOT NULL,
  PRIMARY KEY (order_id, line_no)
);
CREATE TABLE order_line_attributes (
  order_id TEXT NOT NULL,
  line_no  BIGINT NOT NULL,
  name     TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (order_id, line_no, name),
  FOREIGN KEY (order_id, line_no) REFERENCES order_lines(order_id, line_no) ON DELETE CASCADE
);
CREATE TABLE journal (
  seq           BIGINT PRIMARY KEY,
  utc_ms        BIGINT NOT NULL,
  type          TEXT NOT NULL,
  station       TEXT NOT NULL,
  operator_id   TEXT NOT NULL,
  order_id      TEXT NOT NULL,
  session_id    TEXT NOT NULL,
  raw           BYTEA NOT NULL,
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
    PgMigration{2, "image-check exclusion, journal indexes, head record, append-only guard", R"sql(
ALTER TABLE items ADD COLUMN no_visible_barcode BIGINT NOT NULL DEFAULT 0;
CREATE INDEX item_gtins_by_sku ON item_gtins(sku);
CREATE INDEX journal_by_order ON journal(order_id, seq);
CREATE INDEX journal_by_station ON journal(station, seq);
CREATE INDEX journal_by_session ON journal(session_id, seq);
CREATE INDEX journal_by_time ON journal(utc_ms);
CREATE TABLE journal_head (
  id   BIGINT PRIMARY KEY CHECK (id = 1),
  seq  BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO journal_head (id, seq, hash)
  SELECT 1, COALESCE(MAX(seq), 0),
         COALESCE((SELECT hash FROM journal ORDER BY seq DESC LIMIT 1),
                  '0000000000000000000000000000000000000000000000000000000000000000')
  FROM journal;
CREATE FUNCTION journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'journal is append-only: rows cannot be changed';
  END IF;
  RAISE EXCEPTION 'journal is append-only: rows cannot be deleted';
END
$$;
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON journal FOR EACH STATEMENT
  EXECUTE FUNCTION journal_append_only();
)sql"},
    PgMigration{3, "users, order claims, packed orders and serials, station instances", R"sql(
CREATE TABLE users (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  role            TEXT NOT NULL CHECK (role IN ('picker', 'supervisor', 'qa', 'admin')),
  secret_hash     TEXT NOT NULL,
  disabled        BIGINT NOT NULL DEFAULT 0,
  failed_attempts BIGINT NOT NULL DEFAULT 0,
  locked_until_ms BIGINT NOT NULL DEFAULT 0,
  created_utc_ms  BIGINT NOT NULL
);
CREATE TABLE order_claims (
  order_id          TEXT PRIMARY KEY,
  station           TEXT NOT NULL,
  session_id        TEXT NOT NULL,
  operator_id       TEXT NOT NULL,
  since_utc_ms      BIGINT NOT NULL,
  last_event_utc_ms BIGINT NOT NULL
);
CREATE TABLE order_packs (
  order_id      TEXT PRIMARY KEY,
  station       TEXT NOT NULL,
  session_id    TEXT NOT NULL,
  operator_id   TEXT NOT NULL,
  packed_utc_ms BIGINT NOT NULL
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
  packed_utc_ms BIGINT NOT NULL,
  PRIMARY KEY (gtin, serial)
);
CREATE TABLE station_instances (
  station          TEXT PRIMARY KEY,
  pid              BIGINT NOT NULL,
  host             TEXT NOT NULL,
  started_utc_ms   BIGINT NOT NULL,
  heartbeat_utc_ms BIGINT NOT NULL
);
)sql"},
    PgMigration{4, "packaging levels: inner packs and cases with GTINs of their own", R"sql(
CREATE TABLE item_packs (
  gtin     TEXT PRIMARY KEY,
  sku      TEXT NOT NULL REFERENCES items(sku) ON DELETE CASCADE,
  level    TEXT NOT NULL CHECK (level IN ('inner', 'case')),
  quantity BIGINT NOT NULL CHECK (quantity >= 2),
  position BIGINT NOT NULL
);
CREATE INDEX item_packs_by_sku ON item_packs(sku);
)sql"},
    PgMigration{5,
                "kit parts that follow the order: a style with attributes fixed by the kit or given by the order line",
                R"sql(
CREATE TABLE kit_style_parts (
  kit_sku  TEXT NOT NULL REFERENCES kits(sku) ON DELETE CASCADE,
  position BIGINT NOT NULL,
  style    TEXT NOT NULL,
  quantity BIGINT NOT NULL CHECK (quantity >= 1),
  PRIMARY KEY (kit_sku, position)
);
CREATE TABLE kit_part_attributes (
  kit_sku    TEXT NOT NULL,
  position   BIGINT NOT NULL,
  name       TEXT NOT NULL,
  value      TEXT NOT NULL,
  from_order BIGINT NOT NULL CHECK (from_order IN (0, 1)),
  PRIMARY KEY (kit_sku, position, name),
  FOREIGN KEY (kit_sku, position) REFERENCES kit_style_parts(kit_sku, position) ON DELETE CASCADE
);
)sql"},
    PgMigration{6, "one chain per station: journal chain and chain_seq, per-chain heads", R"sql(
ALTER TABLE journal ADD COLUMN chain TEXT NOT NULL DEFAULT '';
ALTER TABLE journal ADD COLUMN chain_seq BIGINT;
CREATE UNIQUE INDEX journal_by_chain ON journal(chain, chain_seq);
CREATE TABLE journal_heads (
  chain TEXT PRIMARY KEY,
  seq   BIGINT NOT NULL,
  hash  TEXT NOT NULL
);
)sql"},
};

static_assert(k_pg_migrations.back().version == k_schema_version,
              "a SQLite migration was added (migrations.cpp): add the same one for PostgreSQL here");

// The journal append in one round trip (docs/POSTGRESQL.md, "One round trip"): server-side
// functions, not tables, so they live beside the versioned migrations rather than in them (the
// schema version, shared with SQLite, stays as it is). Each name carries its own version and its
// body never changes once shipped: a changed body gets a new name, and this build calls the name
// it installed, so two builds sharing a database never swap each other's function.
//
// pickverify_row_hash_v1 is docs/JOURNAL.md's recipe byte for byte: the previous hash's 64 ASCII
// characters, then each field as its length (8 bytes, big-endian: int8send) and its bytes. It takes
// the fields as given, so it computes recipe v2 (chain, chain_seq in place of seq) as well: the
// recipes differ only in which fields the caller passes, and its body needs no successor.
//
// pickverify_append_v1 takes a JSON array of rows (the text fields as stored, raw as hex) and does
// under the writers' lock what the store's statements do one by one: the claim rules of the rows'
// ordinary course (a session's own order; an order nobody holds), the row's seq, prev_hash and
// hash, the insert and the head update, returning each row's seq, prev_hash and hash in order. Any
// case the rules would refuse or that needs this host to decide (another session holds the order,
// a lapsed claim, a takeover, an order packed already, a pack with serial numbers) raises before
// anything is kept, and the store runs the same append through its statements instead, which word
// the refusal exactly as before.
constexpr const char* k_pg_routines_probe = "pickverify_append_v1";
constexpr const char* k_pg_routines = R"sql(
CREATE FUNCTION pickverify_row_hash_v1(prev_hash text, VARIADIC fields bytea[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT AS $fn$
DECLARE
  message bytea := convert_to(prev_hash, 'UTF8');
  field bytea;
BEGIN
  FOREACH field IN ARRAY fields LOOP
    message := message || int8send(octet_length(field)::bigint) || field;
  END LOOP;
  RETURN encode(sha256(message), 'hex');
END
$fn$;
CREATE FUNCTION pickverify_append_v1(p_rows text, p_now bigint)
RETURNS TABLE (r_seq bigint, r_prev_hash text, r_hash text)
LANGUAGE plpgsql AS $fn$
DECLARE
  e record;
  claim order_claims%ROWTYPE;
  has_claim boolean;
  has_pack boolean;
  ours boolean;
  head_seq bigint;
  head_hash text;
  row_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(1886807673, hashtext(current_schema()));
  SELECT seq, hash INTO head_seq, head_hash FROM journal_head WHERE id = 1;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'pickverify: the journal head record is missing';
  END IF;
  FOR e IN
    SELECT x.* FROM json_array_elements(p_rows::json) WITH ORDINALITY AS j(v, n),
      json_to_record(j.v) AS x(utc_ms bigint, type text, station text, operator_id text, order_id text,
                               session_id text, raw_hex text, aim text, source text, gtin text, ais text,
                               verdict text, reason text, evidence_hash text, detail text)
    ORDER BY j.n
  LOOP
    IF e.order_id <> '' AND e.session_id <> '' THEN
      SELECT * INTO claim FROM order_claims WHERE order_id = e.order_id;
      has_claim := FOUND;
      has_pack := EXISTS (SELECT 1 FROM order_packs WHERE order_id = e.order_id);
      ours := has_claim AND claim.session_id = e.session_id;
      IF e.type IN ('session_started', 'session_resumed', 'takeover') THEN
        IF has_pack OR (has_claim AND NOT ours) OR e.type = 'takeover' THEN
          RAISE EXCEPTION 'pickverify: the claim rules need the full path';
        END IF;
        IF NOT ours THEN
          IF e.detail LIKE '%"picker"%' THEN
            RAISE EXCEPTION 'pickverify: the claim rules need the full path';
          END IF;
          INSERT INTO order_claims (order_id, station, session_id, operator_id, since_utc_ms, last_event_utc_ms)
            VALUES (e.order_id, e.station, e.session_id, e.operator_id, p_now, p_now);
        END IF;
      ELSIF NOT ours THEN
        IF e.type <> 'session_abandoned' AND
           (has_pack OR has_claim OR e.type IN ('pack_released', 'packed')) THEN
          RAISE EXCEPTION 'pickverify: the claim rules need the full path';
        END IF;
      ELSE
        IF e.type IN ('pack_released', 'packed') AND has_pack THEN
          RAISE EXCEPTION 'pickverify: the claim rules need the full path';
        END IF;
        IF e.type = 'packed' THEN
          IF EXISTS (SELECT 1 FROM journal WHERE order_id = e.order_id AND session_id = e.session_id
                     AND type = 'scan' AND verdict = 'accepted' AND detail LIKE '%"serial"%') THEN
            RAISE EXCEPTION 'pickverify: the claim rules need the full path';
          END IF;
          INSERT INTO order_packs (order_id, station, session_id, operator_id, packed_utc_ms)
            VALUES (e.order_id, e.station, e.session_id, claim.operator_id, p_now);
        END IF;
        IF e.type IN ('packed', 'session_abandoned') THEN
          DELETE FROM order_claims WHERE order_id = e.order_id;
        ELSE
          UPDATE order_claims SET last_event_utc_ms = p_now WHERE order_id = e.order_id;
        END IF;
      END IF;
    END IF;
    head_seq := head_seq + 1;
    row_hash := pickverify_row_hash_v1(head_hash,
      convert_to(head_seq::text, 'UTF8'), convert_to(e.utc_ms::text, 'UTF8'), convert_to(e.type, 'UTF8'),
      convert_to(e.station, 'UTF8'), convert_to(e.operator_id, 'UTF8'), convert_to(e.order_id, 'UTF8'),
      convert_to(e.session_id, 'UTF8'), decode(e.raw_hex, 'hex'), convert_to(e.aim, 'UTF8'),
      convert_to(e.source, 'UTF8'), convert_to(e.gtin, 'UTF8'), convert_to(e.ais, 'UTF8'),
      convert_to(e.verdict, 'UTF8'), convert_to(e.reason, 'UTF8'), convert_to(e.evidence_hash, 'UTF8'),
      convert_to(e.detail, 'UTF8'));
    IF row_hash IS NULL THEN
      RAISE EXCEPTION 'pickverify: a row arrived without one of its fields';
    END IF;
    INSERT INTO journal (seq, utc_ms, type, station, operator_id, order_id, session_id, raw, aim, source, gtin, ais,
                         verdict, reason, evidence_hash, detail, prev_hash, hash)
      VALUES (head_seq, e.utc_ms, e.type, e.station, e.operator_id, e.order_id, e.session_id, decode(e.raw_hex, 'hex'),
              e.aim, e.source, e.gtin, e.ais, e.verdict, e.reason, e.evidence_hash, e.detail, head_hash, row_hash);
    r_seq := head_seq;
    r_prev_hash := head_hash;
    r_hash := row_hash;
    RETURN NEXT;
    head_hash := row_hash;
  END LOOP;
  UPDATE journal_head SET seq = head_seq, hash = head_hash WHERE id = 1;
END
$fn$;
)sql";

} // namespace

Result<int> postgres_schema_version(PgDb& db)
{
  auto schema = db.query_text("SELECT COALESCE(current_schema(), '')");
  if (!schema) {
    return tl::unexpected(schema.error());
  }
  if (schema->empty()) {
    return make_error(ErrorType::io, fmt::format("{}: no schema of search_path exists; create it first "
                                                 "(CREATE SCHEMA) or correct options=-csearch_path=…",
                                                 db.where()));
  }
  PV_TRY_ASSIGN(auto known,
                db.query_int("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                             "AND table_name = 'pickverify_schema'"));
  if (known == 0) {
    return 0;
  }
  auto version = db.query_int("SELECT version FROM pickverify_schema WHERE id = 1");
  if (!version) {
    return tl::unexpected(version.error());
  }
  return static_cast<int>(*version);
}

Result<void> migrate_postgres(PgDb& db)
{
  auto transaction = PgTransaction::begin(db);
  if (!transaction) {
    return tl::unexpected(transaction.error().with_context("schema migration"));
  }
  auto version = postgres_schema_version(db);
  if (!version) {
    return tl::unexpected(version.error().with_context("schema migration"));
  }
  if (*version > k_schema_version) {
    return make_error(ErrorType::corrupt,
                      fmt::format("{}: database schema version {} is newer than this pickverify supports ({}); "
                                  "use a newer pickverify",
                                  db.where(), *version, k_schema_version));
  }
  if (*version == 0) {
    auto tables = db.query_int("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()");
    if (!tables) {
      return tl::unexpected(tables.error());
    }
    if (*tables > 0) {
      auto schema = db.query_text("SELECT current_schema()");
      return make_error(ErrorType::corrupt,
                        fmt::format("{}: schema {} holds {} other tables and no pickverify schema version; use "
                                    "another database or schema (options=-csearch_path=…)",
                                    db.where(), schema ? *schema : "?", *tables));
    }
    auto created = db.exec("CREATE TABLE pickverify_schema (id BIGINT PRIMARY KEY CHECK (id = 1), "
                           "version BIGINT NOT NULL); INSERT INTO pickverify_schema (id, version) VALUES (1, 0)");
    if (!created) {
      return tl::unexpected(created.error().with_context("schema migration"));
    }
  }
  for (const PgMigration& migration : k_pg_migrations) {
    if (migration.version <= *version) {
      continue;
    }
    auto applied = db.exec(migration.sql);
    if (applied) {
      applied = db.exec(fmt::format("UPDATE pickverify_schema SET version = {} WHERE id = 1", migration.version));
    }
    if (!applied) {
      return tl::unexpected(applied.error().with_context(
          fmt::format("schema migration to version {} ({})", migration.version, migration.what)));
    }
  }
  auto installed = db.query_int(fmt::format("SELECT count(*) FROM pg_proc WHERE proname = '{}' AND pronamespace = "
                                            "current_schema()::regnamespace",
                                            k_pg_routines_probe));
  if (!installed) {
    return tl::unexpected(installed.error().with_context("schema migration"));
  }
  if (*installed == 0) {
    if (auto created = db.exec(k_pg_routines); !created) {
      return tl::unexpected(created.error().with_context("schema migration (the journal's append function)"));
    }
  }
  return transaction->commit();
}

} // namespace pickverify::store
