// Helper for the kill test (test_journal_kill.cpp): appends journal events in a loop and prints
// "durable <seq> <hash>" for each one, flushed, only after append() has returned. The test
// SIGKILLs it at random moments and then checks that every line it printed is in the database.
//
// usage: pickverify_journal_writer DB STATION SEED [MAX_EVENTS]
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <pickverify/store.hpp>

int main(int argc, char** argv)
{
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s DB STATION SEED [MAX_EVENTS]\n", argv[0]);
    return 2;
  }
  const std::string station = argv[2];
  std::mt19937 random(static_cast<unsigned>(std::strtoul(argv[3], nullptr, 10)));
  const long max_events = argc > 4 ? std::strtol(argv[4], nullptr, 10) : -1;

  auto store = pickverify::open_sqlite_store(argv[1]);
  if (!store) {
    std::fprintf(stderr, "open: %s\n", store.error().message.c_str());
    return 1;
  }
  long written = 0;
  while (max_events < 0 || written < max_events) {
    // Batches of 1–4 events, as when several scans share a commit.
    const auto batch_size = static_cast<std::size_t>(random() % 4 + 1);
    std::vector<pickverify::JournalEntry> batch;
    for (std::size_t i = 0; i < batch_size; ++i) {
      pickverify::JournalEntry entry;
      entry.type = "scan";
      entry.station = station;
      entry.source = "replay:kill-test";
      entry.raw = std::string("095060000014\0\xff", 14) + std::to_string(written + static_cast<long>(i));
      entry.verdict = "accepted";
      batch.push_back(std::move(entry));
    }
    auto appended = (*store)->append(std::move(batch));
    if (!appended) {
      std::fprintf(stderr, "append: %s\n", appended.error().message.c_str());
      return 1;
    }
    for (const auto& entry : *appended) {
      std::printf("durable %lld %s\n", static_cast<long long>(entry.seq), entry.hash.c_str());
    }
    std::fflush(stdout);
    written += static_cast<long>(appended->size());
  }
  return 0;
}
