// Shared test data for the store tests: the demo catalog and orders, journal entries with hostile
// bytes, and raw SQL access for tampering with a database behind the store's back.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <pickverify/catalog.hpp>
#include <pickverify/order.hpp>
#include <pickverify/store.hpp>

namespace pickverify::test {

Catalog demo_catalog();
std::vector<Order> demo_orders();

// A scan event as a station would journal it.
JournalEntry scan_entry(const std::string& station, const std::string& raw, std::int64_t utc_ms = 1'760'000'000'000);

// Raw scans that have broken naive storage before: NUL, invalid UTF-8, control characters, SQL
// metacharacters, 4 KB of data.
std::vector<std::string> hostile_raw_scans();

// Runs SQL directly on the file, as QA or an attacker with the file would. Fails the test on error.
// An INSERT of the row into table journal with every value as a hex literal, so any byte survives.
std::string journal_insert_sql(const JournalEntry& entry);

void raw_sql(const std::filesystem::path& db, const std::string& sql);
long long raw_sql_int(const std::filesystem::path& db, const std::string& sql);

} // namespace pickverify::test
