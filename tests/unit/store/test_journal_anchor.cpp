// Signed checkpoints and anchors against the attacks a chain alone cannot see: a rewrite with every
// hash recomputed, a cut tail with the head moved, a rollback of the whole file to an older copy.
#include <catch2/catch.hpp>

#include <fstream>
#include <sys/stat.h>

#include <pickverify/journal_anchor.hpp>
#include <pickverify/journal_audit.hpp>
#include <pickverify/store.hpp>

#include "store_backend.hpp"
#include "store_test_data.hpp"
#include "temp_dir.hpp"

using namespace pickverify;
using Catch::Matchers::Contains;

namespace {

std::unique_ptr<Store> open(const std::filesystem::path& path)
{
  auto store = open_sqlite_store(path);
  REQUIRE(store);
  return std::move(*store);
}

// A session as a station journals it: started, scans, released, packed.
void pack_one_order(Store& store, const std::string& order, const std::string& station = "st-1")
{
  const std::string session = "S-" + order;
  auto row = [&](const std::string& type, const std::string& verdict = "") {
    JournalEntry entry = test::scan_entry(station, type == "scan" ? "09506000001418" : "");
    entry.type = type;
    entry.order_id = order;
    entry.session_id = session;
    entry.verdict = verdict;
    return entry;
  };
  REQUIRE(store.append({row("session_started")}));
  REQUIRE(store.append({row("scan", "accepted")}));
  REQUIRE(store.append({row("scan", "wrong_item")}));
  REQUIRE(store.append({row("pack_released")}));
  REQUIRE(store.append({row("packed")}));
}

std::vector<JournalEntry> all_rows(Store& store)
{
  std::vector<JournalEntry> rows;
  REQUIRE(store.read_journal({}, [&](const JournalEntry& e) {
    rows.push_back(e);
    return true;
  }));
  return rows;
}

// What the issue's attacker does with write access to the file: drop the guards, change rows,
// recompute every hash from the documented recipe, move the head, put the guards back.
void rewrite_journal(const std::filesystem::path& db, std::vector<JournalEntry> rows)
{
  std::string sql = "DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete; DELETE FROM journal;";
  std::string prev = k_genesis_hash;
  for (JournalEntry& row : rows) {
    row.prev_hash = prev;
    row.hash = journal_row_hash(row, prev);
    prev = row.hash;
    sql += test::journal_insert_sql(row);
  }
  sql += "UPDATE journal_head SET seq = " + std::to_string(rows.size()) + ", hash = '" + prev + "';";
  sql += "CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal BEGIN SELECT RAISE(ABORT, 'x'); END;"
         "CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal BEGIN SELECT RAISE(ABORT, 'x'); END;";
  test::raw_sql(db, sql);
}

AuditReport audit(const std::filesystem::path& db, AuditOptions options = {})
{
  auto store = open_sqlite_store_read_only(db);
  REQUIRE(store);
  auto report = audit_journal(**store, options);
  REQUIRE(report);
  return *report;
}

bool mentions(const AuditReport& report, const std::string& text)
{
  for (const auto& problem : report.problems) {
    if (problem.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

} // namespace

TEST_CASE("StationKey::load_or_create writes a 0600 key and its .pub, and refuses a key others can read",
          "[store][anchor]")
{
  test::TempDir dir;
  const auto path = dir / "keys" / "st-1.key";
  auto created = StationKey::load_or_create(path);
  REQUIRE(created);
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  CHECK(info.st_size == 64);
  auto pub = read_public_key_file(path.string() + ".pub");
  REQUIRE(pub);
  CHECK(*pub == created->public_key_hex());
  auto again = StationKey::load_or_create(path);
  REQUIRE(again);
  CHECK(again->key_id() == created->key_id());
  CHECK(created->key_id().size() == 16);

  const std::string signature = created->sign("hello");
  CHECK(verify_signature(created->public_key_hex(), "hello", signature));
  CHECK_FALSE(verify_signature(created->public_key_hex(), "hellO", signature));

  ::chmod(path.c_str(), 0644);
  auto loose = StationKey::load(path);
  REQUIRE_FALSE(loose);
  CHECK_THAT(loose.error().message, Contains("chmod 600"));
}

TEST_CASE("the store journals a signed checkpoint at every pack release and every N events", "[store][backend][anchor]")
{
  test::StoreBackend backend;
  auto key = StationKey::load_or_create(backend.dir() / "st-1.key");
  REQUIRE(key);
  auto opened = backend.open();
  REQUIRE(opened);
  auto& store = *opened;
  store->set_checkpoint_signer(&*key, "st-1", CheckpointPolicy{1000, std::chrono::seconds(3600)});
  pack_one_order(*store, "ORD-1");
  auto rows = all_rows(*store);
  REQUIRE(rows.size() == 6);
  CHECK(rows[3].type == "pack_released");
  REQUIRE(rows[4].type == "checkpoint");
  auto checkpoint = Checkpoint::from_json(rows[4].detail);
  REQUIRE(checkpoint);
  CHECK(checkpoint->seq == 4);
  CHECK(checkpoint->head_hash == rows[3].hash);
  CHECK(checkpoint->key_id == key->key_id());
  CHECK(checkpoint->signature_valid());

  store->set_checkpoint_signer(&*key, "st-1", CheckpointPolicy{3, std::chrono::seconds(3600)});
  for (int i = 0; i < 9; ++i) {
    REQUIRE(store->append_one(test::scan_entry("st-2", "x" + std::to_string(i))));
  }
  std::size_t checkpoints = 0;
  for (const auto& row : all_rows(*store)) {
    checkpoints += row.type == "checkpoint";
  }
  CHECK(checkpoints == 4); // the release, then one per 3 rows
  auto reader = backend.postgres() ? backend.open() : open_sqlite_store_read_only(backend.dir() / "pickverify.db");
  REQUIRE(reader);
  auto audited = audit_journal(**reader, {{}, {key->public_key_hex()}, {}});
  REQUIRE(audited);
  const AuditReport& report = *audited;
  CHECK(report.ok());
  CHECK(report.checkpoints == 4);
}

TEST_CASE("audit_journal catches a rewrite-and-rechain against an earlier anchor", "[store][anchor]")
{
  test::TempDir dir;
  const auto db = dir / "pickverify.db";
  auto key = StationKey::load_or_create(dir / "st-1.key");
  REQUIRE(key);
  Checkpoint anchor;
  {
    auto store = open(db);
    store->set_checkpoint_signer(&*key, "st-1", {});
    pack_one_order(*store, "ORD-1");
    auto taken = store->append_checkpoint();
    REQUIRE(taken);
    anchor = *taken;
  }
  REQUIRE(audit(db, {{anchor}, {}, {}}).ok());

  // The wrong_item scan becomes accepted, every hash recomputed, checkpoints left as they were.
  auto store = open(db);
  auto rows = all_rows(*store);
  store.reset();
  rows[2].verdict = "accepted";
  rewrite_journal(db, rows);

  const AuditReport without_anchor = audit(db);
  CHECK(without_anchor.chain.intact()); // the chain alone is fooled
  // … but the checkpoint rows still name the old hashes, so the rewrite shows even without an anchor.
  CHECK(mentions(without_anchor, "checkpoint covers seq"));
  const AuditReport with_anchor = audit(db, {{anchor}, {}, {}});
  CHECK_FALSE(with_anchor.ok());
  CHECK(mentions(with_anchor, "the journal was rewritten"));

  SECTION("an attacker who also re-signs every checkpoint with a key of their own")
  {
    auto forged_key = StationKey::load_or_create(dir / "forged.key");
    REQUIRE(forged_key);
    std::vector<JournalEntry> forged;
    std::string prev = k_genesis_hash;
    for (JournalEntry row : rows) {
      row.seq = static_cast<std::int64_t>(forged.size()) + 1;
      if (row.type == "checkpoint") {
        Checkpoint cp = *Checkpoint::from_json(row.detail);
        cp.head_hash = prev;
        cp.key_id = forged_key->key_id();
        cp.public_key = forged_key->public_key_hex();
        cp.signature = forged_key->sign(cp.signed_message());
        row.detail = cp.to_json();
      }
      row.prev_hash = prev;
      row.hash = journal_row_hash(row, prev);
      prev = row.hash;
      forged.push_back(row);
    }
    rewrite_journal(db, forged);
    CHECK(audit(db).ok()); // without anchor or trusted key this is undetectable (docs/JOURNAL.md)
    const AuditReport trusted = audit(db, {{}, {key->public_key_hex()}, {}});
    CHECK(mentions(trusted, "which is not a trusted station key"));
    CHECK(mentions(audit(db, {{anchor}, {}, {}}), "the journal was rewritten"));
  }
}

TEST_CASE("audit_journal catches a cut tail with a moved head, and a rollback to an older copy", "[store][anchor]")
{
  test::TempDir dir;
  const auto db = dir / "pickverify.db";
  auto key = StationKey::load_or_create(dir / "st-1.key");
  REQUIRE(key);
  auto store = open(db);
  store->set_checkpoint_signer(&*key, "st-1", {});
  pack_one_order(*store, "ORD-1");
  store.reset();
  // An old copy of the whole data folder (database and WAL checkpointed into it).
  test::raw_sql(db, "PRAGMA wal_checkpoint(TRUNCATE);");
  std::filesystem::copy_file(db, dir / "old.db");

  store = open(db);
  store->set_checkpoint_signer(&*key, "st-1", {});
  pack_one_order(*store, "ORD-2");
  auto anchor = store->append_checkpoint();
  REQUIRE(anchor);
  store.reset();
  REQUIRE(audit(db, {{*anchor}, {}, {}}).ok());

  SECTION("cut tail, head moved")
  {
    const long long keep = anchor->seq - 4;
    test::raw_sql(db, "DROP TRIGGER journal_no_delete; DELETE FROM journal WHERE seq > " + std::to_string(keep) +
                          "; UPDATE journal_head SET seq = " + std::to_string(keep) +
                          ", hash = (SELECT hash FROM journal WHERE seq = " + std::to_string(keep) + ");");
    const AuditReport report = audit(db, {{*anchor}, {}, {}});
    CHECK(report.chain.intact());
    CHECK(mentions(report, "rows were cut from the end, or the data folder was rolled back"));
    CHECK(mentions(report, "guard trigger journal_no_delete is missing"));
  }
  SECTION("rollback of the data folder")
  {
    std::filesystem::remove(db);
    std::filesystem::remove(db.string() + "-wal");
    std::filesystem::remove(db.string() + "-shm");
    std::filesystem::copy_file(dir / "old.db", db);
    const AuditReport report = audit(db, {{*anchor}, {}, {}});
    CHECK(report.chain.intact());
    CHECK(report.problems.size() == 1);
    CHECK(mentions(report, "the journal ends at seq"));
  }
  SECTION("an altered anchor file")
  {
    Checkpoint altered = *anchor;
    altered.seq -= 1;
    CHECK(mentions(audit(db, {{altered}, {}, {}}), "its signature does not verify"));
  }
}

TEST_CASE("audit_journal checks every evidence file named in the journal", "[store][anchor]")
{
  test::TempDir dir;
  const auto db = dir / "pickverify.db";
  auto store = open(db);
  JournalEntry check = test::scan_entry("st-1", "");
  check.type = "image_check";
  check.evidence_hash = std::string(64, 'a');
  check.detail = R"({"annotated_hash":")" + std::string(64, 'b') + R"("})";
  REQUIRE(store->append_one(check));
  store.reset();
  std::vector<std::string> asked;
  AuditOptions options;
  options.check_evidence = [&](const std::string& hash) -> Result<void> {
    asked.push_back(hash);
    if (hash[0] == 'b') {
      return make_error(ErrorType::not_found, "evidence: annotated photo is missing");
    }
    return {};
  };
  const AuditReport report = audit(db, options);
  CHECK(asked.size() == 2);
  CHECK(report.evidence_checked == 1);
  CHECK(mentions(report, "annotated photo is missing"));
}

TEST_CASE("open_sqlite_store_read_only audits a write-protected copy without writing to it", "[store][anchor]")
{
  test::TempDir dir;
  const auto db = dir / "pickverify.db";
  {
    auto store = open(db);
    pack_one_order(*store, "ORD-1");
  }
  test::raw_sql(db, "PRAGMA wal_checkpoint(TRUNCATE);");
  std::filesystem::create_directories(dir / "archive");
  std::filesystem::copy_file(db, dir / "archive" / "pickverify.db");
  const auto copy = dir / "archive" / "pickverify.db";
  ::chmod(copy.c_str(), 0444);
  const auto before = sha256_file_hex(copy);
  REQUIRE(before);
  auto store = open_sqlite_store_read_only(copy);
  REQUIRE(store);
  auto report = audit_journal(**store, {});
  REQUIRE(report);
  CHECK(report->ok());
  CHECK(report->chain.event_count == 5);
  auto write = (*store)->append_one(test::scan_entry("st-1", "x"));
  REQUIRE_FALSE(write);
  store->reset();
  CHECK(*sha256_file_hex(copy) == *before);
  CHECK_FALSE(open_sqlite_store_read_only(dir / "missing.db"));
}
