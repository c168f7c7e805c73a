// Journal benchmarks: how long a station waits for "durable", and how many scans per second the
// store sustains, against a plain prepared SQLite INSERT of the same row with the same pragmas.
//
// Every benchmark runs a ScanStep before the journal: the work that turns one ScanEvent into the
// row to journal. Today the only step builds the row ("row"); the scan → verdict step (parse,
// identify, session.apply) registers itself in main() the same way, and every figure is then
// measured for it too.
//
// The databases go to $PICKVERIFY_BENCH_DIR, else ./bench-store-data: keep them on the disk the
// stations use (a tmpfs would make fsync free and the figures meaningless).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <pickverify/scan_event.hpp>
#include <pickverify/session.hpp>
#include <pickverify/store.hpp>

namespace {

using namespace pickverify;
using Clock = std::chrono::steady_clock;

constexpr int k_stations = 8;
constexpr int k_single_iterations = 2000; // enough samples for a p99
constexpr int k_batch_iterations = 500;

// --- The step in front of the journal ------------------------------------------------------------

using ScanStep = std::function<JournalEntry(const ScanEvent&)>;

struct StepFactory {
  std::string name;
  std::function<ScanStep()> make; // fresh state (catalog, sessions …) for each benchmark run
};

// Builds the journal row from the scan as a station would, without a verdict of its own.
ScanStep make_row_step()
{
  return [](const ScanEvent& scan) {
    JournalEntry entry;
    entry.utc_ms = std::chrono::duration_cast<std::chrono::milliseconds>(scan.utc.time_since_epoch()).count();
    entry.type = "scan";
    entry.station = scan.station;
    entry.operator_id = "picker-7";
    entry.order_id = "ORD-2025-00145";
    entry.session_id = "S-" + scan.station + "-1";
    entry.raw = scan.raw;
    entry.aim = scan.aim.value_or("");
    entry.source = scan.source;
    entry.gtin = "09506000001418";
    entry.verdict = "accepted";
    entry.reason = "line 1 now 1/1";
    entry.detail = R"({"line":1,"count":1,"quantity":1})";
    return entry;
  };
}

ScanEvent make_scan(int station)
{
  ScanEvent scan;
  scan.raw = "09506000001418";
  scan.aim = "]E0";
  scan.source = "usb:1-1." + std::to_string(station) + ":0c2e:0b61";
  scan.source_kind = SourceKind::hid_pos;
  scan.station = "st-" + std::to_string(station);
  stamp_now(scan);
  return scan;
}

// --- Helpers --------------------------------------------------------------------------------------

std::filesystem::path fresh_db(const std::string& name)
{
  const char* dir = std::getenv("PICKVERIFY_BENCH_DIR");
  const std::filesystem::path folder = dir ? dir : "bench-store-data";
  std::filesystem::create_directories(folder);
  const auto path = folder / (name + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path.string() + suffix);
  }
  return path;
}

// p50/p99 from the per-iteration timings of this run, in microseconds.
void report_percentiles(benchmark::State& state, std::vector<double>& seconds)
{
  if (seconds.empty()) {
    return;
  }
  std::sort(seconds.begin(), seconds.end());
  auto at = [&seconds](double q) {
    return seconds[std::min(seconds.size() - 1, static_cast<std::size_t>(q * static_cast<double>(seconds.size())))] *
           1e6;
  };
  // Averaged over threads: with ->Threads(n) each thread reports its own percentiles.
  state.counters["p50_us"] = benchmark::Counter(at(0.50), benchmark::Counter::kAvgThreads);
  state.counters["p99_us"] = benchmark::Counter(at(0.99), benchmark::Counter::kAvgThreads);
  state.counters["max_us"] = benchmark::Counter(seconds.back() * 1e6, benchmark::Counter::kAvgThreads);
}

std::unique_ptr<Store> open_store(benchmark::State& state, const std::string& name)
{
  auto store = open_sqlite_store(fresh_db(name));
  if (!store) {
    state.SkipWithError(store.error().message.c_str());
    return nullptr;
  }
  return std::move(*store);
}

// The obvious alternative: the same row, a prepared INSERT, autocommit, the same pragmas, no
// chain and no hash.
class PlainTable {
public:
  explicit PlainTable(const std::filesystem::path& path)
  {
    sqlite3_open(path.c_str(), &m_db);
    sqlite3_exec(m_db,
                 "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
                 "CREATE TABLE plain (seq INTEGER PRIMARY KEY, utc_ms INTEGER, type TEXT, station TEXT, "
                 "operator_id TEXT, order_id TEXT, session_id TEXT, raw BLOB, aim TEXT, source TEXT, gtin TEXT, "
                 "ais TEXT, verdict TEXT, reason TEXT, evidence_hash TEXT, detail TEXT, prev_hash TEXT, hash TEXT);",
                 nullptr, nullptr, nullptr);
    sqlite3_prepare_v2(m_db,
                       "INSERT INTO plain (utc_ms, type, station, operator_id, order_id, session_id, raw, aim, source, "
                       "gtin, ais, verdict, reason, evidence_hash, detail, prev_hash, hash) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       -1, &m_insert, nullptr);
  }
  ~PlainTable()
  {
    sqlite3_finalize(m_insert);
    sqlite3_close(m_db);
  }
  PlainTable(const PlainTable&) = delete;
  PlainTable& operator=(const PlainTable&) = delete;

  bool insert(const JournalEntry& e)
  {
    int i = 1;
    sqlite3_bind_int64(m_insert, i++, e.utc_ms);
    for (const std::string* text : {&e.type, &e.station, &e.operator_id, &e.order_id, &e.session_id}) {
      sqlite3_bind_text(m_insert, i++, text->data(), static_cast<int>(text->size()), SQLITE_STATIC);
    }
    sqlite3_bind_blob(m_insert, i++, e.raw.data(), static_cast<int>(e.raw.size()), SQLITE_STATIC);
    for (const std::string* text : {&e.aim, &e.source, &e.gtin, &e.ais, &e.verdict, &e.reason, &e.evidence_hash,
                                    &e.detail, &e.prev_hash, &e.hash}) {
      sqlite3_bind_text(m_insert, i++, text->data(), static_cast<int>(text->size()), SQLITE_STATIC);
    }
    const bool done = sqlite3_step(m_insert) == SQLITE_DONE;
    sqlite3_reset(m_insert);
    return done;
  }
  bool exec(const char* sql) { return sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

private:
  sqlite3* m_db = nullptr;
  sqlite3_stmt* m_insert = nullptr;
};

// --- Benchmarks -----------------------------------------------------------------------------------

// One scan → step → journal append, durable: the latency a picker waits for.
void bm_journal_append_one(benchmark::State& state, const StepFactory& factory)
{
  auto store = open_store(state, "append_one_" + factory.name);
  if (!store) {
    return;
  }
  ScanStep step = factory.make();
  std::vector<double> samples;
  samples.reserve(static_cast<std::size_t>(state.max_iterations));
  int station = 0;
  for (auto _ : state) {
    const ScanEvent scan = make_scan(station++ % k_stations + 1);
    const auto start = Clock::now();
    auto appended = store->append_one(step(scan));
    const std::chrono::duration<double> elapsed = Clock::now() - start;
    if (!appended) {
      state.SkipWithError(appended.error().message.c_str());
      break;
    }
    state.SetIterationTime(elapsed.count());
    samples.push_back(elapsed.count());
  }
  state.SetItemsProcessed(state.iterations());
  report_percentiles(state, samples);
}

// The same rows through a plain prepared INSERT in autocommit: the floor SQLite sets.
void bm_plain_insert_one(benchmark::State& state, const StepFactory& factory)
{
  PlainTable table(fresh_db("plain_one_" + factory.name));
  ScanStep step = factory.make();
  std::vector<double> samples;
  samples.reserve(static_cast<std::size_t>(state.max_iterations));
  int station = 0;
  for (auto _ : state) {
    const ScanEvent scan = make_scan(station++ % k_stations + 1);
    const auto start = Clock::now();
    const bool done = table.insert(step(scan));
    const std::chrono::duration<double> elapsed = Clock::now() - start;
    if (!done) {
      state.SkipWithError("plain insert failed");
      break;
    }
    state.SetIterationTime(elapsed.count());
    samples.push_back(elapsed.count());
  }
  state.SetItemsProcessed(state.iterations());
  report_percentiles(state, samples);
}

// Journal append and plain insert alternating in one loop, so both see the same disk at the same
// moment: on a shared machine fsync latency drifts within seconds, and separate benchmarks run
// seconds apart would compare the drift, not the code.
void bm_journal_vs_plain_interleaved(benchmark::State& state, const StepFactory& factory)
{
  auto store = open_store(state, "interleaved_journal_" + factory.name);
  if (!store) {
    return;
  }
  PlainTable table(fresh_db("interleaved_plain_" + factory.name));
  ScanStep step = factory.make();
  std::vector<double> journal_samples;
  std::vector<double> plain_samples;
  int station = 0;
  for (auto _ : state) {
    const ScanEvent scan = make_scan(station++ % k_stations + 1);
    const bool journal_first = station % 2 == 0; // neither always follows the other's fsync
    for (int turn = 0; turn < 2; ++turn) {
      const auto start = Clock::now();
      bool done = false;
      const bool journal_turn = (turn == 0) == journal_first;
      if (journal_turn) {
        done = static_cast<bool>(store->append_one(step(scan)));
      } else {
        done = table.insert(step(scan));
      }
      const std::chrono::duration<double> elapsed = Clock::now() - start;
      if (!done) {
        state.SkipWithError("append or insert failed");
        return;
      }
      (journal_turn ? journal_samples : plain_samples).push_back(elapsed.count());
    }
  }
  std::sort(journal_samples.begin(), journal_samples.end());
  std::sort(plain_samples.begin(), plain_samples.end());
  auto at = [](const std::vector<double>& seconds, double q) {
    return seconds[std::min(seconds.size() - 1, static_cast<std::size_t>(q * static_cast<double>(seconds.size())))] *
           1e6;
  };
  if (journal_samples.empty() || plain_samples.empty()) {
    return;
  }
  state.counters["journal_p50_us"] = at(journal_samples, 0.50);
  state.counters["journal_p99_us"] = at(journal_samples, 0.99);
  state.counters["plain_p50_us"] = at(plain_samples, 0.50);
  state.counters["plain_p99_us"] = at(plain_samples, 0.99);
  state.counters["ratio_p50"] = at(journal_samples, 0.50) / at(plain_samples, 0.50);
  state.counters["ratio_p99"] = at(journal_samples, 0.99) / at(plain_samples, 0.99);
}

// Eight stations' scans share one commit (append of a vector): sustained scans per second.
void bm_journal_shared_commit(benchmark::State& state, const StepFactory& factory)
{
  auto store = open_store(state, "shared_" + factory.name);
  if (!store) {
    return;
  }
  ScanStep step = factory.make();
  const auto stations = static_cast<int>(state.range(0));
  std::vector<double> samples;
  for (auto _ : state) {
    const auto start = Clock::now();
    std::vector<JournalEntry> batch;
    batch.reserve(static_cast<std::size_t>(stations));
    for (int s = 1; s <= stations; ++s) {
      batch.push_back(step(make_scan(s)));
    }
    auto appended = store->append(std::move(batch));
    const std::chrono::duration<double> elapsed = Clock::now() - start;
    if (!appended) {
      state.SkipWithError(appended.error().message.c_str());
      break;
    }
    state.SetIterationTime(elapsed.count());
    samples.push_back(elapsed.count());
  }
  state.SetItemsProcessed(state.iterations() * stations);
  report_percentiles(state, samples);
}

// The same eight scans, each in its own commit.
void bm_journal_commit_per_event(benchmark::State& state, const StepFactory& factory)
{
  auto store = open_store(state, "per_event_" + factory.name);
  if (!store) {
    return;
  }
  ScanStep step = factory.make();
  const auto stations = static_cast<int>(state.range(0));
  std::vector<double> samples;
  for (auto _ : state) {
    const auto start = Clock::now();
    for (int s = 1; s <= stations; ++s) {
      if (auto appended = store->append_one(step(make_scan(s))); !appended) {
        state.SkipWithError(appended.error().message.c_str());
        break;
      }
    }
    const std::chrono::duration<double> elapsed = Clock::now() - start;
    state.SetIterationTime(elapsed.count());
    samples.push_back(elapsed.count());
  }
  state.SetItemsProcessed(state.iterations() * stations);
  report_percentiles(state, samples);
}

// Plain inserts of the same eight rows in one explicit transaction: the floor for shared commits.
void bm_plain_insert_shared_commit(benchmark::State& state, const StepFactory& factory)
{
  PlainTable table(fresh_db("plain_shared_" + factory.name));
  ScanStep step = factory.make();
  const auto stations = static_cast<int>(state.range(0));
  std::vector<double> samples;
  for (auto _ : state) {
    const auto start = Clock::now();
    bool done = table.exec("BEGIN IMMEDIATE");
    for (int s = 1; s <= stations && done; ++s) {
      done = table.insert(step(make_scan(s)));
    }
    done = done && table.exec("COMMIT");
    const std::chrono::duration<double> elapsed = Clock::now() - start;
    if (!done) {
      state.SkipWithError("plain insert failed");
      break;
    }
    state.SetIterationTime(elapsed.count());
    samples.push_back(elapsed.count());
  }
  state.SetItemsProcessed(state.iterations() * stations);
  report_percentiles(state, samples);
}

// Eight station threads, each appending its own scans one by one to one shared Store: the store's
// group commit lets appends that arrive during a commit share the next one.
void bm_journal_stations_in_parallel(benchmark::State& state, const StepFactory& factory)
{
  static std::unique_ptr<Store> shared;
  if (state.thread_index() == 0) {
    shared = open_store(state, "parallel_" + factory.name);
  }
  ScanStep step = factory.make();
  std::vector<double> samples;
  const int station = state.thread_index() + 1;
  for (auto _ : state) { // every thread starts here only after thread 0 opened the store
    const auto start = Clock::now();
    auto appended = shared->append_one(step(make_scan(station)));
    const std::chrono::duration<double> elapsed = Clock::now() - start;
    if (!appended) {
      state.SkipWithError(appended.error().message.c_str());
      break;
    }
    samples.push_back(elapsed.count());
  }
  state.SetItemsProcessed(state.iterations());
  report_percentiles(state, samples);
  if (state.thread_index() == 0) {
    shared.reset(); // all threads have left the loop: the benchmark library waits for them
  }
}

void register_journal_benchmarks(const StepFactory& factory)
{
  const std::string suffix = "/" + factory.name;
  benchmark::RegisterBenchmark(("journal_append_one" + suffix).c_str(), bm_journal_append_one, factory)
      ->Iterations(k_single_iterations)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(("plain_insert_one" + suffix).c_str(), bm_plain_insert_one, factory)
      ->Iterations(k_single_iterations)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(("journal_vs_plain_interleaved" + suffix).c_str(), bm_journal_vs_plain_interleaved,
                               factory)
      ->Iterations(k_single_iterations)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(("journal_shared_commit" + suffix).c_str(), bm_journal_shared_commit, factory)
      ->Arg(k_stations)
      ->Iterations(k_batch_iterations)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(("plain_insert_shared_commit" + suffix).c_str(), bm_plain_insert_shared_commit, factory)
      ->Arg(k_stations)
      ->Iterations(k_batch_iterations)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(("journal_commit_per_event" + suffix).c_str(), bm_journal_commit_per_event, factory)
      ->Arg(k_stations)
      ->Iterations(k_batch_iterations / 2)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(("journal_stations_in_parallel" + suffix).c_str(), bm_journal_stations_in_parallel,
                               factory)
      ->Threads(k_stations)
      ->Iterations(k_batch_iterations)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
}

// The scan → verdict step as a station runs it: parse the bytes (AIM id, GTIN check digit), identify
// the item in the catalog, apply it to the pack session, build the journal row with the verdict.
// The order asks for so many units that every scan is accepted; the bounce window is off so every
// scan goes the whole way.
struct VerdictFixture {
  Catalog catalog;
  std::optional<PackSession> session;

  VerdictFixture()
  {
    for (int i = 0; i < 200; ++i) { // a catalog of realistic size for one style family and more
      Item item;
      item.sku = "SKU-" + std::to_string(i);
      item.style = "STYLE-" + std::to_string(i / 5);
      item.attributes = {{"size", std::to_string(i % 5 + 7)}, {"width", "D"}};
      std::string base = "950600100" + std::string(3 - std::to_string(i).size(), '0') + std::to_string(i);
      item.gtins = {base + std::to_string(gtin_check_digit(base))};
      (void)catalog.add_item(std::move(item));
    }
    Item shoe;
    shoe.sku = "TR-RUN-09-D";
    shoe.style = "TR-RUN";
    shoe.attributes = {{"size", "9"}, {"width", "D"}};
    shoe.gtins = {"9506000001418"};
    (void)catalog.add_item(std::move(shoe));
    Order order;
    order.id = "ORD-2025-00145";
    order.value = Money{28500, "USD"};
    order.lines.push_back(OrderLine{1, "", "TR-RUN", {{"size", "9"}, {"width", "D"}}, 1'000'000'000, ""});
    Policy policy;
    policy.bounce_window = std::chrono::milliseconds(0);
    session.emplace(*PackSession::start(order, catalog, policy));
  }
};

ScanStep make_verdict_step()
{
  auto fixture = std::make_shared<VerdictFixture>();
  return [fixture](const ScanEvent& scan) {
    const ParsedCode code = parse_code(scan.raw, scan.aim);
    const ScanOutcome outcome = fixture->session->apply(scan, code);
    JournalEntry entry;
    entry.utc_ms = std::chrono::duration_cast<std::chrono::milliseconds>(scan.utc.time_since_epoch()).count();
    entry.type = "scan";
    entry.station = scan.station;
    entry.operator_id = "picker-7";
    entry.order_id = fixture->session->order().id;
    entry.session_id = "S-" + scan.station + "-1";
    entry.raw = scan.raw;
    entry.aim = code.aim ? code.aim->to_string() : std::string{};
    entry.source = scan.source;
    entry.gtin = outcome.code.gtin14;
    entry.verdict = std::string(to_string(outcome.verdict));
    entry.reason = outcome.message;
    entry.detail = R"({"line":1})";
    if (outcome.verdict != Verdict::accepted) {
      std::abort(); // the benchmark would be measuring the wrong path
    }
    return entry;
  };
}

// The verdict step alone, without the journal: the CPU a scan costs before its fsync.
void bm_verdict_only(benchmark::State& state)
{
  ScanStep step = make_verdict_step();
  int station = 0;
  for (auto _ : state) {
    const ScanEvent scan = make_scan(station++ % k_stations + 1);
    benchmark::DoNotOptimize(step(scan));
  }
  state.SetItemsProcessed(state.iterations());
}

} // namespace

int main(int argc, char** argv)
{
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  register_journal_benchmarks({"row", make_row_step});
  register_journal_benchmarks({"verdict", make_verdict_step});
  benchmark::RegisterBenchmark("verdict_only", bm_verdict_only)->Unit(benchmark::kMicrosecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
