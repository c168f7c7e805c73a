// Signed checkpoints: what they add to a durable journal append. Two stores, one signing (an
// Ed25519 checkpoint row at every pack release and every 100 rows, in the same commit), one not,
// the same rows alternating between them in one loop so that both meet the disk at the same moment.
// Target: p99 with checkpoints at most 1.1 × p99 without. Figures: docs/PERFORMANCE.md, "Checkpoints".
//
// The databases go to $PICKVERIFY_BENCH_DIR, else ./bench-store-data (keep them on the stations' disk).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <pickverify/journal_anchor.hpp>
#include <pickverify/store.hpp>

namespace {

using namespace pickverify;
using Clock = std::chrono::steady_clock;

constexpr int k_iterations = 2000;
constexpr int k_scans_per_order = 10; // every 11th row is a pack release, which is checkpointed

std::filesystem::path bench_dir()
{
  const char* dir = std::getenv("PICKVERIFY_BENCH_DIR");
  const std::filesystem::path folder = dir ? dir : "bench-store-data";
  std::filesystem::create_directories(folder);
  return folder;
}

std::unique_ptr<Store> fresh_store(const std::string& name)
{
  const auto path = bench_dir() / (name + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path.string() + suffix);
  }
  auto store = open_sqlite_store(path);
  return store ? std::move(*store) : nullptr;
}

// Row n of a station's day: ten scans, then the pack release.
JournalEntry row(int n)
{
  JournalEntry entry;
  entry.station = "st-1";
  entry.operator_id = "picker-7";
  if (n % (k_scans_per_order + 1) == k_scans_per_order) {
    entry.type = "pack_released";
    entry.reason = "every line verified";
    return entry;
  }
  entry.type = "scan";
  entry.raw = "09506000001418";
  entry.aim = "]E0";
  entry.source = "usb:1-1.2:0c2e:0b61";
  entry.gtin = "09506000001418";
  entry.verdict = "accepted";
  entry.reason = "line 1 now 1/1";
  entry.detail = R"({"line":1,"verified":1,"quantity":1})";
  return entry;
}

double percentile(std::vector<double>& seconds, double q)
{
  std::sort(seconds.begin(), seconds.end());
  return seconds[std::min(seconds.size() - 1, static_cast<std::size_t>(q * static_cast<double>(seconds.size())))] * 1e6;
}

void bm_checkpoints_on_vs_off(benchmark::State& state)
{
  const auto key_path = bench_dir() / "bench-station.key";
  std::filesystem::remove(key_path);
  auto key = StationKey::load_or_create(key_path);
  auto signing = fresh_store("checkpoints_on");
  auto plain = fresh_store("checkpoints_off");
  if (!key || !signing || !plain) {
    state.SkipWithError("cannot create the key or the stores");
    return;
  }
  signing->set_checkpoint_signer(&*key, "st-1", CheckpointPolicy{100, std::chrono::seconds(300)});
  std::vector<double> on;
  std::vector<double> off;
  std::vector<double> on_release; // the appends that carried a checkpoint
  int n = 0;
  for (auto _ : state) {
    const JournalEntry entry = row(n);
    const bool signing_first = n % 2 == 0; // neither always follows the other's fsync
    for (int turn = 0; turn < 2; ++turn) {
      const bool signing_turn = (turn == 0) == signing_first;
      const auto start = Clock::now();
      const bool done = static_cast<bool>((signing_turn ? signing : plain)->append_one(entry));
      const std::chrono::duration<double> elapsed = Clock::now() - start;
      if (!done) {
        state.SkipWithError("append failed");
        return;
      }
      (signing_turn ? on : off).push_back(elapsed.count());
      if (signing_turn && entry.type == "pack_released") {
        on_release.push_back(elapsed.count());
      }
    }
    ++n;
  }
  std::int64_t checkpoints = 0;
  (void)signing->read_journal({}, [&](const JournalEntry& e) {
    checkpoints += e.type == "checkpoint";
    return true;
  });
  state.counters["checkpoints"] = static_cast<double>(checkpoints);
  state.counters["on_p50_us"] = percentile(on, 0.50);
  state.counters["off_p50_us"] = percentile(off, 0.50);
  state.counters["on_p99_us"] = percentile(on, 0.99);
  state.counters["off_p99_us"] = percentile(off, 0.99);
  state.counters["ratio_p99"] = percentile(on, 0.99) / percentile(off, 0.99);
  state.counters["ratio_p50"] = percentile(on, 0.50) / percentile(off, 0.50);
  state.counters["release_p50_us"] = percentile(on_release, 0.50);
}

// The signature alone: what a checkpoint costs in CPU.
void bm_checkpoint_signature(benchmark::State& state)
{
  const auto key_path = bench_dir() / "bench-station-sign.key";
  std::filesystem::remove(key_path);
  auto key = StationKey::load_or_create(key_path);
  if (!key) {
    state.SkipWithError(key.error().message.c_str());
    return;
  }
  Checkpoint checkpoint;
  checkpoint.station = "st-1";
  checkpoint.seq = 12345;
  checkpoint.head_hash = std::string(64, 'a');
  checkpoint.utc_ms = 1'760'000'000'000;
  checkpoint.key_id = key->key_id();
  for (auto _ : state) {
    benchmark::DoNotOptimize(key->sign(checkpoint.signed_message()));
  }
}

} // namespace

BENCHMARK(bm_checkpoints_on_vs_off)
    ->Name("checkpoints_on_vs_off")
    ->Iterations(k_iterations)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(bm_checkpoint_signature)->Name("checkpoint_signature")->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
