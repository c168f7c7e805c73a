// Storage behind one interface: catalog, orders and the append-only, hash-chained verification
// journal. SQLite is the embedded default; PostgreSQL serves a warehouse of many stations.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/catalog.hpp>
#include <pickverify/error.hpp>
#include <pickverify/journal_anchor.hpp>
#include <pickverify/order.hpp>

namespace pickverify {

// One row of table `journal`. QA queries it directly; docs/JOURNAL.md documents every column.
struct JournalEntry {
  std::int64_t seq = 0;    // assigned by the store, 1, 2, 3 … without gaps
  std::int64_t utc_ms = 0; // milliseconds since the Unix epoch, UTC
  std::string type;        // scan, session_started, session_abandoned, alert_opened, alert_cleared,
                           // pack_refused, pack_released, image_check, override, packed
  std::string station;
  std::string operator_id;
  std::string order_id;
  std::string session_id;
  std::string raw;           // scanned bytes exactly as read (BLOB)
  std::string aim;           // "]C1" or empty
  std::string source;        // device id
  std::string gtin;          // parsed GTIN-14, or empty
  std::string ais;           // parsed GS1 fields as HRI "(01)…(10)…", or empty
  std::string verdict;       // accepted, wrong_variant, … or empty for non-scan events
  std::string reason;        // what a person reads
  std::string evidence_hash; // SHA-256 hex of an evidence file, or empty
  std::string detail;        // JSON object with anything else (line progress, alert id …)
  std::string prev_hash;     // hex; 64 zeros for the first row
  std::string hash;          // hex SHA-256(prev_hash ‖ canonical encoding of this row)
  // The chain the row belongs to: '' for the legacy chain (every row written before one chain per
  // station; hash recipe v1, chain_seq 0, stored as NULL), else the station's chain (recipe v2).
  std::string chain;
  std::int64_t chain_seq = 0; // 1, 2, 3 … without gaps within a chain; 0 in the legacy chain
};

// SHA-256 over the 64 hex characters of prev_hash, then seq and utc_ms (decimal) and every text
// field, each prefixed by its length as 8 bytes big-endian, in a fixed order; entry.prev_hash and
// entry.hash are not part of it. Hex, lower case. docs/JOURNAL.md gives the recipe byte for byte.
// Recipe v1 for the legacy chain (entry.chain empty); v2 for a station's chain: chain and chain_seq
// in place of seq, the rest as in v1.
std::string journal_row_hash(const JournalEntry& entry, const std::string& prev_hash);
constexpr const char* k_genesis_hash = "0000000000000000000000000000000000000000000000000000000000000000";

struct ChainReport {
  std::int64_t event_count = 0;
  std::string head_hash;
  std::optional<std::int64_t> first_bad_seq; // set when the chain is broken
  std::string problem;                       // "seq 17: hash does not match its contents"
  bool intact() const { return !first_bad_seq; }
};

struct JournalFilter {
  std::optional<std::int64_t> from_utc_ms; // inclusive
  std::optional<std::int64_t> to_utc_ms;   // exclusive
  std::optional<std::string> order_id;
  std::optional<std::string> station;
  std::optional<std::string> session_id;
  std::optional<std::string> serial;    // rows whose detail names this serial ("serial": "…")
  std::optional<std::int64_t> from_seq; // inclusive
};

// Which station holds an order open (table order_claims). At most one per order, taken in the same
// transaction as the session_started row, dropped with packed or session_abandoned.
struct OrderClaim {
  std::string order_id;
  std::string station;
  std::string session_id;
  std::string operator_id;
  std::int64_t since_utc_ms = 0;
  std::int64_t last_event_utc_ms = 0;
};

// Where an order went (table order_packs), written with its `packed` row.
struct OrderPack {
  std::string order_id;
  std::string station;
  std::string session_id;
  std::string operator_id;
  std::int64_t packed_utc_ms = 0;
};

// Where a serial-tracked unit went (table packed_serials), written with its order's `packed` row.
struct PackedSerial {
  std::string gtin; // GTIN-14 of the unit
  std::string serial;
  std::string order_id;
  std::string station;
  std::string session_id;
  std::int64_t packed_utc_ms = 0;
};

// A running station process (table station_instances).
struct StationInstance {
  std::string station;
  std::int64_t pid = 0;
  std::string host;
  std::int64_t started_utc_ms = 0;
  std::int64_t heartbeat_utc_ms = 0;
};

// A running station renews its registration this often; one that has not for k_station_lease is
// taken for dead (on the same host at once, when its pid no longer exists).
constexpr std::chrono::seconds k_station_heartbeat{20};
constexpr std::chrono::seconds k_station_lease{90};
// An order claimed by a station that is no longer running stays reserved for that station (so it
// can resume after a crash) until this long after its last event or heartbeat; then another
// station may start the order, and the journal records the expired claim.
constexpr std::chrono::minutes k_claim_lease{15};

class Store {
public:
  virtual ~Store() = default;

  // Catalog and orders. Each save is one transaction: all of it or nothing.
  virtual Result<void> save_catalog(const Catalog& catalog) = 0; // upsert items and kits
  virtual Result<Catalog> load_catalog() = 0;
  virtual Result<void> save_orders(const std::vector<Order>& orders) = 0; // upsert by id
  virtual Result<std::optional<Order>> find_order(const std::string& id) = 0;
  virtual Result<std::vector<Order>> list_orders() = 0;

  // Journal. Fills seq, prev_hash and hash (and utc_ms when it is 0); the rows are durable
  // (fsynced) when this returns, all of them or none. Thread-safe: appends from several threads
  // that arrive while a commit is in flight share the next commit (group commit). Every entry
  // needs a type.
  virtual Result<std::vector<JournalEntry>> append(std::vector<JournalEntry> entries) = 0;
  Result<JournalEntry> append_one(JournalEntry entry);
  virtual Result<ChainReport> verify_chain() = 0;
  // The seq of the last journaled row (0 for an empty journal), from the journal's head record: one
  // read, not a rehash of the chain (verify_chain checks that record against the rows).
  virtual Result<std::int64_t> head_seq() = 0;
  // The claim rules, enforced inside append's transaction (docs/JOURNAL.md, "One order, one
  // station"): session_started takes an order's claim, or is refused (ErrorType::conflict) naming
  // the station, since when and the picker; session_resumed keeps it; takeover moves it; every
  // other row of a session needs its session to still hold the claim; pack_released and packed
  // need the order not packed anywhere; packed and session_abandoned drop it. A refused append
  // writes nothing of its own, but does not fail the other appends it shares a commit with.
  virtual Result<std::optional<OrderClaim>> find_claim(const std::string& order_id) = 0;
  virtual Result<std::optional<OrderPack>> find_pack(const std::string& order_id) = 0;
  // Serials: a packed row also records the serial of every unit its session accepted (the scan rows'
  // detail.serial) in packed_serials, in the same transaction; it is refused (conflict, naming the
  // order it went in) when another order already packed one of them. Every packed serial with this
  // value, whatever its GTIN.
  virtual Result<std::vector<PackedSerial>> find_packed_serials(const std::string& serial) = 0;

  // One process per station id: refused (conflict) while another live process has it, naming its
  // pid, host and start time. heartbeat renews it; unregister frees it (a crash frees it too, see
  // k_station_lease).
  virtual Result<StationInstance> register_station(const std::string& station) = 0;
  virtual Result<void> heartbeat_station(const std::string& station) = 0;
  virtual Result<void> unregister_station(const std::string& station) = 0;

  // Signed checkpoints (docs/JOURNAL.md, "Checkpoints and anchors"). Once a key is set, the store
  // journals a row of type checkpoint (station = station, detail = the Checkpoint as JSON, covering
  // the row before it) at the end of every commit that journals a pack_released row, and of any
  // commit once policy.every_events rows or policy.every_interval have passed since this store's
  // last checkpoint. The key must outlive the store's use of it.
  virtual void set_checkpoint_signer(const StationKey* key, std::string station, CheckpointPolicy policy) = 0;
  // Journals a checkpoint of the current head now; needs a signer (else ErrorType::conflict).
  virtual Result<Checkpoint> append_checkpoint() = 0;
  // The append-only guard triggers (journal_no_update, journal_no_delete) that are missing.
  virtual Result<std::vector<std::string>> missing_guards() = 0;

  // Calls visit for each matching row in seq order until it returns false. visit may read from
  // the store but must not append to it.
  virtual Result<void> read_journal(const JournalFilter& filter,
                                    const std::function<bool(const JournalEntry&)>& visit) = 0;
};

// Opens (creating if needed) the SQLite database at path and its folder: WAL, synchronous=FULL,
// foreign keys, busy_timeout, migrations applied. A database newer than this build, a file that is
// not a SQLite database and another application's database are refused (ErrorType::corrupt).
// Several processes may open the same file; their journal appends form one chain.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path);

// Opens an existing database for reading only: nothing in the file or its folder is written (no
// journal-mode switch, no migration, no -wal or -shm created where it cannot be), so QA can verify
// an archived or write-protected copy. Every write (append, save) fails with ErrorType::io.
Result<std::unique_ptr<Store>> open_sqlite_store_read_only(const std::filesystem::path& path);

// Connects to PostgreSQL (conninfo: "postgresql://user@host/db?…" or "host=… dbname=…", libpq's
// syntax) and applies the same migrations as SQLite, in PostgreSQL's dialect, to the first schema
// on search_path. The same refusals as open_sqlite_store: a newer schema, a schema holding another
// application's tables (ErrorType::corrupt); an unreachable server is ErrorType::io. Any number of
// processes on any number of hosts may open the same database; their appends form one chain.
// docs/POSTGRESQL.md.
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& conninfo);

// Does a configured store location name a PostgreSQL database ("postgresql://…", "postgres://…")?
bool is_postgres_location(std::string_view location);

} // namespace pickverify
