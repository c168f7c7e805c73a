// The claim rules behind Store::append: one active session per order, across every process that
// shares the database. Internal to src/store; runs inside the append's write transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pickverify/store.hpp>

#include "sqlite_db.hpp"

namespace pickverify::store {

// This process's identity, for station_instances.
std::int64_t current_pid();
std::string current_host();

// "2026-12-02 14:02 UTC"
std::string format_utc_minute(std::int64_t utc_ms);

// Each works on either backend's connection (Db or PgDb, instantiated in order_claims.cpp).
template <typename Db> Result<std::optional<OrderClaim>> read_claim(Db& db, const std::string& order_id);
template <typename Db> Result<std::optional<OrderPack>> read_pack(Db& db, const std::string& order_id);
template <typename Db> Result<std::optional<StationInstance>> read_station(Db& db, const std::string& station);
template <typename Db> Result<std::vector<PackedSerial>> read_packed_serials(Db& db, const std::string& serial);

// Is the process registered for this station alive now? Same host: its pid exists and its
// heartbeat is younger than k_station_lease; another host: its heartbeat is.
bool station_alive(const StationInstance& instance, std::int64_t now_utc_ms);

// Checks one journal row against the claim tables and updates them. Returns rows the store must
// journal before this one (claim_expired when a dead station's lapsed claim is taken); a refusal
// is ErrorType::conflict worded for the picker.
template <typename Db>
Result<std::vector<JournalEntry>> apply_claim_rules(Db& db, const JournalEntry& entry, std::int64_t now_utc_ms);

} // namespace pickverify::store
