#include "loadgen_command.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>
#include <unordered_map>

#include <fmt/core.h>

#include <pickverify/expected.hpp>
#include <pickverify/station.hpp>
#include <pickverify/store.hpp>

#include "terminal.hpp"

namespace pickverify::app {

namespace {

using Clock = std::chrono::steady_clock;

// Each simulated order: two lines of two units, scanned A, B, A, B (so no scan repeats the one
// before it inside the bounce window at rates up to 6 scans/s), then released and packed.
constexpr int k_lines_per_order = 2;
constexpr int k_units_per_line = 2;
constexpr int k_scans_per_order = 1 + k_lines_per_order * k_units_per_line; // the order barcode too

struct StationResult {
  std::vector<double> latencies_ms; // one per scan, from when it was due to its verdict
  std::int64_t orders_packed = 0;
  std::int64_t errors = 0;
  std::string first_error;
  std::string last_error;
  std::chrono::steady_clock::time_point last_error_at{};
  std::chrono::steady_clock::time_point last_verdict{}; // when its last scan was answered
  // The journal rows the station was told are written (a verdict shown, a pack released or packed):
  // each must be in the journal at the end, whatever failed in between.
  std::vector<std::int64_t> acknowledged;
};

// Every acknowledged row is in the journal, written by the station that was told so; "" or what is missing.
Result<std::string> find_unacknowledged(Store& store, const std::vector<StationResult>& results, int stations)
{
  std::unordered_map<std::int64_t, std::string> wanted;
  std::int64_t from = 0;
  for (int s = 0; s < stations; ++s) {
    for (const std::int64_t seq : results[static_cast<std::size_t>(s)].acknowledged) {
      wanted.emplace(seq, fmt::format("load-{:03}", s + 1));
      from = from == 0 ? seq : std::min(from, seq);
    }
  }
  JournalFilter filter;
  filter.from_seq = from;
  PV_TRY(store.read_journal(filter,
                            [&](const JournalEntry& entry) {
                              if (auto found = wanted.find(entry.seq);
                                  found != wanted.end() && found->second == entry.station) {
                                wanted.erase(found);
                              }
                              return !wanted.empty();
                            }),
         "read the journal back");
  if (wanted.empty()) {
    return std::string();
  }
  const auto first = std::min_element(wanted.begin(), wanted.end());
  return fmt::format("{} acknowledged event(s) are not in the journal (first: {} seq {})", wanted.size(), first->second,
                     first->first);
}

double percentile(std::vector<double>& sorted, double fraction)
{
  if (sorted.empty()) {
    return 0;
  }
  const auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

Result<std::unique_ptr<Store>> open_load_store(const Context& context)
{
  if (!context.config.store.empty()) {
    return open_postgres_store(context.config.store);
  }
  // Never the station's own journal: a folder of its own under the data folder.
  return open_sqlite_store(context.data_dir / "loadgen" / "pickverify.db");
}

} // namespace

int cmd_loadgen(const Context& context, const LoadgenOptions& options)
{
  auto& out = *context.out;
  auto& err = *context.err;
  if (options.stations < 1 || options.stations > 2000 || !(options.rate > 0 && options.rate <= 6) ||
      options.duration_s < 1 || options.duration_s > 86400 || options.connections < 0) {
    err << "pickverify loadgen: --stations 1 to 2000, --rate above 0 up to 6 scans/s, --duration 1 to 86400 s, "
           "--connections 0 (one per station) or more\n";
    return 2;
  }
  const int connection_count =
      options.connections == 0 ? options.stations : std::min(options.connections, options.stations);
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < connection_count; ++i) {
    auto store = open_load_store(context);
    if (!store) {
      err << "pickverify loadgen: " << terminal_safe(store.error().message) << "\n";
      return 1;
    }
    stores.push_back(std::move(*store));
  }
  Store& first = *stores.front();
  auto catalog = first.load_catalog();
  if (catalog && catalog->items().empty()) {
    if (auto seeded = seed_demo_data(first, out); !seeded) {
      err << "pickverify loadgen: demo data: " << terminal_safe(seeded.error().message) << "\n";
      return 1;
    }
    catalog = first.load_catalog();
  }
  if (!catalog) {
    err << "pickverify loadgen: " << terminal_safe(catalog.error().message) << "\n";
    return 1;
  }
  // Items a station verifies by scan alone: no image check, no serial numbers.
  std::vector<const Item*> items;
  for (const Item& item : catalog->items()) {
    if (!item.gtins.empty() && !item.image_check_required && !item.serial_tracked) {
      items.push_back(&item);
    }
  }
  if (items.size() < k_lines_per_order) {
    err << "pickverify loadgen: the catalog needs at least 2 items without image check or serial numbers\n";
    return 1;
  }

  // The orders, saved before the clock starts: enough for every station for the whole run.
  const auto run_id =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const auto scans_per_station = static_cast<std::int64_t>(std::ceil(options.rate * options.duration_s));
  const std::int64_t orders_per_station = scans_per_station / k_scans_per_order + 1;
  std::vector<std::vector<Order>> orders_of(static_cast<std::size_t>(options.stations));
  std::vector<Order> all_orders;
  for (int s = 0; s < options.stations; ++s) {
    for (std::int64_t n = 0; n < orders_per_station; ++n) {
      Order order;
      order.id = fmt::format("LG-{}-{:03}-{}", run_id, s + 1, n + 1);
      order.value = Money{100, items.front()->unit_value.currency};
      order.customer = "loadgen";
      for (int l = 0; l < k_lines_per_order; ++l) {
        const Item& item = *items[static_cast<std::size_t>((s + n + l) % static_cast<std::int64_t>(items.size()))];
        if (l > 0 && item.sku == order.lines.front().sku) {
          continue;
        }
        order.lines.push_back(OrderLine{l + 1, item.sku, "", item.attributes, k_units_per_line, item.description});
      }
      orders_of[static_cast<std::size_t>(s)].push_back(order);
      all_orders.push_back(std::move(order));
    }
  }
  if (auto saved = first.save_orders(all_orders); !saved) {
    err << "pickverify loadgen: " << terminal_safe(saved.error().message) << "\n";
    return 1;
  }
  std::unordered_map<std::string, std::string> gtin_of;
  for (const Item* item : items) {
    gtin_of[item->sku] = item->gtins.front();
  }

  out << fmt::format("loadgen: {} stations × {} scans/s for {} s on {} ({} connections)\n", options.stations,
                     options.rate, options.duration_s,
                     context.config.store.empty() ? (context.data_dir / "loadgen" / "pickverify.db").string()
                                                  : std::string("PostgreSQL"),
                     connection_count);
  out.flush();

  std::atomic<std::int64_t> scans_done{0};
  std::atomic<std::int64_t> errors{0};
  std::vector<StationResult> results(static_cast<std::size_t>(options.stations));
  const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / options.rate));
  const auto start = Clock::now() + std::chrono::milliseconds(200);
  const auto end = start + std::chrono::seconds(options.duration_s);
  std::vector<std::thread> threads;
  for (int s = 0; s < options.stations; ++s) {
    threads.emplace_back([&, s] {
      const auto index = static_cast<std::size_t>(s);
      StationResult& result = results[index];
      result.latencies_ms.reserve(static_cast<std::size_t>(scans_per_station) + 1);
      const std::string station_id = fmt::format("load-{:03}", s + 1);
      Station station(station_id, *stores[index % stores.size()], *catalog, context.config.policy);
      station.set_operator("loadgen");
      // Stations do not start in step, as real ones do not.
      auto due = start + interval * s / options.stations;
      auto failed = [&](const std::string& what) {
        ++result.errors;
        ++errors;
        result.last_error = station_id + ": " + what;
        result.last_error_at = Clock::now();
        if (result.first_error.empty()) {
          result.first_error = result.last_error;
        }
      };
      for (const Order& order : orders_of[index]) {
        std::vector<std::string> codes{order.id};
        for (int unit = 0; unit < k_units_per_line; ++unit) {
          for (const OrderLine& line : order.lines) {
            codes.push_back(gtin_of[line.sku]);
          }
        }
        bool order_ok = true;
        for (std::size_t c = 0; c < codes.size();) {
          if (due >= end) {
            return;
          }
          std::this_thread::sleep_until(due);
          ScanEvent scan;
          scan.raw = codes[c];
          scan.source = "loadgen:" + station_id;
          scan.station = station_id;
          stamp_now(scan);
          auto reply = station.handle_scan(scan);
          const auto done = Clock::now();
          result.last_verdict = done;
          result.latencies_ms.push_back(std::chrono::duration<double, std::milli>(done - due).count());
          ++scans_done;
          due += interval;
          if (!reply) {
            // The store failed (the database away, a failover): nothing was acknowledged, so the
            // picker scans the same code again at the next beat, as after an error beep.
            failed(reply.error().message);
            continue;
          }
          if (reply->journal_seq > 0) {
            result.acknowledged.push_back(reply->journal_seq);
          }
          if (c > 0 && reply->verdict != Verdict::accepted) {
            failed(fmt::format("{} on {}: {}", reply->headline, order.id,
                               reply->details.empty() ? "" : reply->details.front()));
            order_ok = false;
            break;
          }
          ++c;
        }
        if (!order_ok) {
          (void)station.abandon("loadgen: an error above");
          continue;
        }
        auto released = station.request_pack();
        auto packed = released;
        if (released) {
          if (released->journal_seq > 0) {
            result.acknowledged.push_back(released->journal_seq);
          }
          packed = station.mark_packed();
          if (packed && packed->journal_seq > 0) {
            result.acknowledged.push_back(packed->journal_seq);
          }
        }
        if (!packed || packed->tone == StationReply::Tone::error) {
          failed(packed ? packed->headline : packed.error().message);
          (void)station.abandon("loadgen: pack refused");
          continue;
        }
        ++result.orders_packed;
      }
    });
  }
  // The progress line, once a second, on the error stream.
  const auto run_seconds = static_cast<double>(options.duration_s);
  while (Clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    err << fmt::format("\rloadgen: {:5.1f}/{:.0f} s  {} scans  {:.0f}/s  {} errors   ", std::min(elapsed, run_seconds),
                       run_seconds, scans_done.load(), elapsed > 0 ? static_cast<double>(scans_done) / elapsed : 0.0,
                       errors.load());
    err.flush();
  }
  for (auto& thread : threads) {
    thread.join();
  }
  // Throughput over the time the scans really took: the run's duration, or until the last verdict when
  // that came later. A store that falls behind keeps the stations scanning past the nominal end (their
  // scans are due on a schedule that lags), and dividing by the nominal duration would overstate it.
  auto last_verdict = start;
  for (const StationResult& result : results) {
    last_verdict = std::max(last_verdict, result.last_verdict);
  }
  const double measured_seconds =
      std::max(static_cast<double>(options.duration_s), std::chrono::duration<double>(last_verdict - start).count());
  err << "\n";

  std::vector<double> all;
  std::int64_t packed = 0;
  std::string first_error;
  const StationResult* last_failed = nullptr;
  for (const StationResult& result : results) {
    if (!result.last_error.empty() && (!last_failed || result.last_error_at > last_failed->last_error_at)) {
      last_failed = &result;
    }
    all.insert(all.end(), result.latencies_ms.begin(), result.latencies_ms.end());
    packed += result.orders_packed;
    if (first_error.empty()) {
      first_error = result.first_error;
    }
  }
  std::sort(all.begin(), all.end());
  out << fmt::format("scans {} ({:.1f}/s over {:.1f} s; offered {:.1f}/s), orders packed {}, errors {}\n", all.size(),
                     static_cast<double>(all.size()) / measured_seconds, measured_seconds,
                     options.rate * options.stations, packed, errors.load());
  out << fmt::format("scan-to-verdict latency: p50 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms\n", percentile(all, 0.50),
                     percentile(all, 0.99), all.empty() ? 0.0 : all.back());
  if (!first_error.empty()) {
    out << "first error: " << terminal_safe(first_error) << "\n";
    if (last_failed && last_failed->last_error != first_error) {
      out << "last error: " << terminal_safe(last_failed->last_error) << "\n";
    }
  }
  auto chain = first.verify_chain();
  if (!chain || !chain->intact()) {
    out << "journal: " << (chain ? terminal_safe(chain->problem) : terminal_safe(chain.error().message)) << "\n";
    return 1;
  }
  out << fmt::format("journal intact: {} events\n", chain->event_count);
  std::size_t acknowledged = 0;
  for (const StationResult& result : results) {
    acknowledged += result.acknowledged.size();
  }
  auto missing = find_unacknowledged(first, results, options.stations);
  if (!missing || !missing->empty()) {
    out << "acknowledged " << acknowledged << " events: " << terminal_safe(missing ? *missing : missing.error().message)
        << "\n";
    return 1;
  }
  out << fmt::format("acknowledged {} events, every one in the journal\n", acknowledged);
  return errors == 0 ? 0 : 1;
}

} // namespace pickverify::app
