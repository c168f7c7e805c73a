// Evidence packs: the time to write one (summary HTML + PDF with the photos, journal rows, checkpoint,
// signed manifest) and to verify one without the database, each against the obvious alternative in
// the same run: exporting the session's rows as JSON Lines, and hashing the pack's files.
//
// The order: the demo's ORD-2025-00145 session shape — 12 scans (one wrong variant, one alert cleared
// by a supervisor), an image check with its 1920×1080 photo and an annotated copy, release, packed — in a
// journal that already holds `range(0)` rows of other orders. The databases go to $PICKVERIFY_BENCH_DIR,
// else ./bench-evidence-data.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <pickverify/evidence.hpp>
#include <pickverify/journal_anchor.hpp>
#include <pickverify/journal_export.hpp>
#include <pickverify/sha256.hpp>
#include <pickverify/store.hpp>

#include "evidence_pack.hpp"

namespace {

using namespace pickverify;
namespace fs = std::filesystem;

fs::path bench_dir()
{
  const char* dir = std::getenv("PICKVERIFY_BENCH_DIR");
  return dir ? fs::path(dir) : fs::path("bench-evidence-data");
}

std::vector<std::uint8_t> read_bytes(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Fixture {
  fs::path data_dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<StationKey> key;
};

JournalEntry row(const std::string& type, const std::string& order, const std::string& session)
{
  JournalEntry entry;
  entry.type = type;
  entry.station = "st-1";
  entry.operator_id = "picker-ana";
  entry.order_id = order;
  entry.session_id = session;
  return entry;
}

std::unique_ptr<Fixture> make_fixture(std::int64_t background_rows)
{
  auto fixture = std::make_unique<Fixture>();
  fixture->data_dir = bench_dir() / ("journal-" + std::to_string(background_rows));
  fs::remove_all(fixture->data_dir);
  fs::create_directories(fixture->data_dir);
  auto store = open_sqlite_store(fixture->data_dir / "pickverify.db");
  auto key = StationKey::load_or_create(fixture->data_dir / "keys" / "st-1.key");
  if (!store || !key) {
    return nullptr;
  }
  fixture->store = std::move(*store);
  fixture->key = std::make_unique<StationKey>(std::move(*key));
  Store& s = *fixture->store;

  Catalog catalog;
  Item shoe;
  shoe.sku = "TR-RUN-09-D";
  shoe.description = "Trail runner, size 9";
  shoe.gtins = {"09506000001418"};
  if (!catalog.add_item(shoe) || !s.save_catalog(catalog)) {
    return nullptr;
  }
  Order order;
  order.id = "ORD-BENCH-1";
  order.value = Money{28500, "USD"};
  order.lines.push_back(OrderLine{1, "TR-RUN-09-D", "", {}, 12, "Trail runner, size 9"});
  if (!s.save_orders({order})) {
    return nullptr;
  }
  // Other orders' rows before it, in batches.
  std::vector<JournalEntry> batch;
  for (std::int64_t i = 0; i < background_rows; ++i) {
    JournalEntry other = row("scan", "ORD-OTHER-" + std::to_string(i / 20), "S-OTHER-" + std::to_string(i / 20));
    other.raw = "09506000001418";
    other.gtin = "09506000001418";
    other.verdict = "accepted";
    other.reason = "line 1 now 1/1";
    batch.push_back(std::move(other));
    if (batch.size() == 500) {
      if (!s.append(std::move(batch))) {
        return nullptr;
      }
      batch.clear();
    }
  }
  if (!batch.empty() && !s.append(std::move(batch))) {
    return nullptr;
  }

  const auto photo = read_bytes(fs::path(PICKVERIFY_SOURCE_DIR) / "demo/camera/ORD-2025-00145/packed.jpg");
  auto original = store_evidence(fixture->data_dir, photo);
  auto annotated =
      store_evidence(fixture->data_dir, read_bytes(fs::path(PICKVERIFY_SOURCE_DIR) /
                                                   "demo/camera/ORD-2025-00145-missing-accessory/packed.jpg"));
  if (!original || !annotated) {
    return nullptr;
  }
  const std::string session = "S-BENCH-1";
  std::vector<JournalEntry> rows{row("session_started", order.id, session)};
  for (int i = 0; i < 12; ++i) {
    JournalEntry scan = row("scan", order.id, session);
    scan.raw = "09506000001418";
    scan.aim = "]E0";
    scan.source = "usb:1-1.2:0c2e:0b61";
    scan.gtin = "09506000001418";
    scan.verdict = i == 3 ? "wrong_variant" : "accepted";
    scan.reason = i == 3 ? "wrong variant for line 1: size: scanned 10, order needs 9" : "line 1 now 1/12";
    scan.detail = R"({"line":1})";
    rows.push_back(scan);
  }
  JournalEntry opened = row("alert_opened", order.id, session);
  opened.detail = R"({"alert_id":1})";
  opened.reason = "wrong variant for line 1: size: scanned 10, order needs 9";
  JournalEntry cleared = row("alert_cleared", order.id, session);
  cleared.operator_id = "sup-7";
  cleared.detail = R"({"alert_id":1,"role":"supervisor","reason_code":"item_set_aside","note":"size 10 back"})";
  JournalEntry check = row("image_check", order.id, session);
  check.verdict = "passed";
  check.evidence_hash = *original;
  check.detail = nlohmann::json{{"annotated_hash", *annotated}}.dump();
  rows.insert(rows.begin() + 5, opened);
  rows.insert(rows.begin() + 6, cleared);
  rows.push_back(check);
  rows.push_back(row("pack_released", order.id, session));
  rows.push_back(row("packed", order.id, session));
  for (auto& entry : rows) {
    if (!s.append_one(entry)) {
      return nullptr;
    }
  }
  s.set_checkpoint_signer(fixture->key.get(), "st-1", CheckpointPolicy{});
  if (!s.append_checkpoint()) {
    return nullptr;
  }
  return fixture;
}

void bm_write_pack(benchmark::State& state)
{
  auto fixture = make_fixture(state.range(0));
  if (!fixture) {
    state.SkipWithError("fixture");
    return;
  }
  int n = 0;
  for (auto _ : state) {
    const fs::path out = fixture->data_dir / ("pack-" + std::to_string(n++));
    app::EvidencePackOptions options{"ORD-BENCH-1", out, fixture->data_dir, fixture->key.get(), "st-1"};
    auto written = app::write_evidence_pack(*fixture->store, options);
    if (!written) {
      state.SkipWithError(written.error().message.c_str());
      break;
    }
    state.PauseTiming();
    fs::remove_all(out);
    state.ResumeTiming();
  }
}

// The alternative: the order's rows as JSON Lines (what `audit export --order` gives QA).
void bm_export_order(benchmark::State& state)
{
  auto fixture = make_fixture(state.range(0));
  if (!fixture) {
    state.SkipWithError("fixture");
    return;
  }
  JournalFilter filter;
  filter.order_id = "ORD-BENCH-1";
  for (auto _ : state) {
    std::ostringstream out;
    auto rows = export_journal(*fixture->store, filter, ExportFormat::jsonl, out);
    benchmark::DoNotOptimize(rows);
  }
}

void bm_verify_pack(benchmark::State& state)
{
  auto fixture = make_fixture(state.range(0));
  if (!fixture) {
    state.SkipWithError("fixture");
    return;
  }
  const fs::path out = fixture->data_dir / "pack";
  app::EvidencePackOptions options{"ORD-BENCH-1", out, fixture->data_dir, fixture->key.get(), "st-1"};
  if (!app::write_evidence_pack(*fixture->store, options)) {
    state.SkipWithError("write");
    return;
  }
  const std::vector<std::string> keys{fixture->key->public_key_hex()};
  for (auto _ : state) {
    auto check = app::verify_evidence_pack(out, keys);
    if (!check || !check->ok()) {
      state.SkipWithError("the pack did not verify");
      break;
    }
  }
}

// The floor: reading and hashing the pack's files, nothing else.
void bm_hash_pack_files(benchmark::State& state)
{
  auto fixture = make_fixture(state.range(0));
  if (!fixture) {
    state.SkipWithError("fixture");
    return;
  }
  const fs::path out = fixture->data_dir / "pack";
  app::EvidencePackOptions options{"ORD-BENCH-1", out, fixture->data_dir, fixture->key.get(), "st-1"};
  if (!app::write_evidence_pack(*fixture->store, options)) {
    state.SkipWithError("write");
    return;
  }
  for (auto _ : state) {
    for (const auto& entry : fs::recursive_directory_iterator(out)) {
      if (entry.is_regular_file()) {
        const auto bytes = read_bytes(entry.path());
        benchmark::DoNotOptimize(sha256_hex(std::span<const std::uint8_t>(bytes)));
      }
    }
  }
}

} // namespace

BENCHMARK(bm_write_pack)->Name("evidence_write_pack")->Arg(0)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_export_order)->Name("export_order_jsonl")->Arg(0)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_verify_pack)->Name("evidence_verify_pack")->Arg(0)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_hash_pack_files)->Name("hash_pack_files")->Arg(0)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
