#include "order_claims.hpp"

#include <pickverify/expected.hpp>

#include <cerrno>
#include <ctime>

#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <unistd.h>

#include "pg_db.hpp"
#include "sqlite_db.hpp"

namespace pickverify::store {

namespace {

constexpr std::int64_t to_ms(std::chrono::milliseconds duration)
{
  return duration.count();
}

template <typename Db, typename Bind> Result<void> run(Db& db, std::string_view sql, Bind bind)
{
  PV_TRY_ASSIGN(auto stmt, db.prepare(sql));
  bind(stmt);
  return stmt.run();
}

std::string describe_holder(const OrderClaim& claim)
{
  return fmt::format("{} is open at station {} since {}, picker {}", claim.order_id, claim.station,
                     format_utc_minute(claim.since_utc_ms), claim.operator_id.empty() ? "unknown" : claim.operator_id);
}

tl::unexpected<Error> packed_already(const OrderPack& pack)
{
  return make_error(ErrorType::conflict,
                    fmt::format("order {} was already packed at station {} on {} (picker {}): do not pack it twice; "
                                "call a supervisor",
                                pack.order_id, pack.station, format_utc_minute(pack.packed_utc_ms), pack.operator_id));
}

// A lapsed claim of a station that is not running any more.
template <typename Db> Result<bool> claim_lapsed(Db& db, const OrderClaim& claim, std::int64_t now)
{
  PV_TRY_ASSIGN(auto instance, read_station(db, claim.station));
  std::int64_t last_sign_of_life = claim.last_event_utc_ms;
  if (instance) {
    if (station_alive(*instance, now)) {
      return false;
    }
    last_sign_of_life = std::max(last_sign_of_life, (instance)->heartbeat_utc_ms);
  }
  return now - last_sign_of_life > to_ms(k_claim_lease);
}

template <typename Db> Result<void> write_claim(Db& db, const JournalEntry& entry, std::int64_t now)
{
  return run(db,
             "INSERT INTO order_claims (order_id, station, session_id, operator_id, since_utc_ms, last_event_utc_ms) "
             "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO UPDATE SET station = excluded.station, "
             "session_id = excluded.session_id, operator_id = excluded.operator_id, "
             "since_utc_ms = excluded.since_utc_ms, last_event_utc_ms = excluded.last_event_utc_ms",
             [&](auto& stmt) {
               stmt.bind_text(1, entry.order_id)
                   .bind_text(2, entry.station)
                   .bind_text(3, entry.session_id)
                   .bind_text(4, entry.operator_id)
                   .bind(5, now)
                   .bind(6, now);
             });
}

std::string picker_of(const JournalEntry& entry)
{
  // A takeover row names the supervisor as its operator and the signed-in picker in detail.
  const auto detail = nlohmann::json::parse(entry.detail.empty() ? "{}" : entry.detail, nullptr, false);
  if (detail.is_object() && detail.contains("picker") && detail["picker"].is_string()) {
    return detail["picker"].get<std::string>();
  }
  return entry.operator_id;
}

// The serials of the units this session accepted go into packed_serials with its packed row; one
// that another order packed already refuses the row (two stations with the same watch: the first
// to close its box wins, the second is told where the watch went).
template <typename Db> Result<void> record_packed_serials(Db& db, const JournalEntry& entry, std::int64_t now)
{
  // detail is read here, not with the database's JSON functions: the same SQL runs on SQLite and
  // PostgreSQL.
  PV_TRY_ASSIGN(auto units,
                db.prepare("SELECT gtin, detail FROM journal WHERE order_id = ? AND session_id = ? AND type = 'scan' "
                           "AND verdict = 'accepted' AND detail LIKE '%\"serial\"%' ORDER BY seq"));
  units.bind_text(1, entry.order_id).bind_text(2, entry.session_id);
  std::vector<std::pair<std::string, std::string>> serials;
  auto read = units.each_row([&] {
    const nlohmann::json detail = nlohmann::json::parse(units.column_text(1), nullptr, false);
    if (detail.is_object() && detail.contains("serial") && detail["serial"].is_string()) {
      serials.emplace_back(units.column_text(0), detail["serial"].get<std::string>());
    }
    return true;
  });
  if (!read) {
    return tl::unexpected(read.error());
  }
  for (const auto& [gtin, serial] : serials) {
    auto where =
        db.prepare("SELECT order_id, station, packed_utc_ms FROM packed_serials WHERE gtin = ? AND serial = ?");
    if (!where) {
      return tl::unexpected(where.error());
    }
    where->bind_text(1, gtin).bind_text(2, serial);
    auto other = where->first_row([&] {
      return fmt::format("order {} at station {} on {}", where->column_text(0), where->column_text(1),
                         format_utc_minute(where->column_int(2)));
    });
    if (!other) {
      return tl::unexpected(other.error());
    }
    if (*other) {
      return make_error(ErrorType::conflict,
                        fmt::format("serial {} (GTIN {}) was already packed in {}: take it out of this box and call "
                                    "a supervisor; {} is not packed",
                                    serial, gtin, **other, entry.order_id));
    }
    auto inserted = run(db,
                        "INSERT INTO packed_serials (gtin, serial, order_id, station, session_id, packed_utc_ms) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        [&](auto& stmt) {
                          stmt.bind_text(1, gtin)
                              .bind_text(2, serial)
                              .bind_text(3, entry.order_id)
                              .bind_text(4, entry.station)
                              .bind_text(5, entry.session_id)
                              .bind(6, now);
                        });
    if (!inserted) {
      return tl::unexpected(inserted.error());
    }
  }
  return {};
}

} // namespace

std::int64_t current_pid()
{
  return static_cast<std::int64_t>(getpid());
}

std::string current_host()
{
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) {
    return "unknown-host";
  }
  return name;
}

std::string format_utc_minute(std::int64_t utc_ms)
{
  const std::time_t seconds = static_cast<std::time_t>(utc_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &tm);
  return text;
}

template <typename Db> Result<std::optional<OrderClaim>> read_claim(Db& db, const std::string& order_id)
{
  PV_TRY_ASSIGN(auto stmt,
                db.prepare("SELECT order_id, station, session_id, operator_id, since_utc_ms, last_event_utc_ms "
                           "FROM order_claims WHERE order_id = ?"));
  stmt.bind_text(1, order_id);
  return stmt.first_row([&] {
    return OrderClaim{stmt.column_text(0), stmt.column_text(1), stmt.column_text(2),
                      stmt.column_text(3), stmt.column_int(4),  stmt.column_int(5)};
  });
}

template <typename Db> Result<std::optional<OrderPack>> read_pack(Db& db, const std::string& order_id)
{
  PV_TRY_ASSIGN(
      auto stmt,
      db.prepare(
          "SELECT order_id, station, session_id, operator_id, packed_utc_ms FROM order_packs WHERE order_id = ?"));
  stmt.bind_text(1, order_id);
  return stmt.first_row([&] {
    return OrderPack{stmt.column_text(0), stmt.column_text(1), stmt.column_text(2), stmt.column_text(3),
                     stmt.column_int(4)};
  });
}

template <typename Db> Result<std::vector<PackedSerial>> read_packed_serials(Db& db, const std::string& serial)
{
  PV_TRY_ASSIGN(auto stmt,
                db.prepare("SELECT gtin, serial, order_id, station, session_id, packed_utc_ms FROM packed_serials "
                           "WHERE serial = ? ORDER BY packed_utc_ms"));
  stmt.bind_text(1, serial);
  std::vector<PackedSerial> found;
  auto rows = stmt.each_row([&] {
    found.push_back(PackedSerial{stmt.column_text(0), stmt.column_text(1), stmt.column_text(2), stmt.column_text(3),
                                 stmt.column_text(4), stmt.column_int(5)});
    return true;
  });
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  return found;
}

template <typename Db> Result<std::optional<StationInstance>> read_station(Db& db, const std::string& station)
{
  PV_TRY_ASSIGN(
      auto stmt,
      db.prepare(
          "SELECT station, pid, host, started_utc_ms, heartbeat_utc_ms FROM station_instances WHERE station = ?"));
  stmt.bind_text(1, station);
  return stmt.first_row([&] {
    return StationInstance{stmt.column_text(0), stmt.column_int(1), stmt.column_text(2), stmt.column_int(3),
                           stmt.column_int(4)};
  });
}

bool station_alive(const StationInstance& instance, std::int64_t now_utc_ms)
{
  const bool fresh = now_utc_ms - instance.heartbeat_utc_ms <= to_ms(k_station_lease);
  if (!fresh) {
    return false;
  }
  if (instance.host != current_host()) {
    return true;
  }
  if (instance.pid <= 0 || instance.pid > 4'194'304) {
    return false;
  }
  return kill(static_cast<pid_t>(instance.pid), 0) == 0 || errno == EPERM;
}

template <typename Db>
Result<std::vector<JournalEntry>> apply_claim_rules(Db& db, const JournalEntry& entry, std::int64_t now)
{
  std::vector<JournalEntry> before;
  if (entry.order_id.empty() || entry.session_id.empty()) {
    return before;
  }
  auto claim = read_claim(db, entry.order_id);
  if (!claim) {
    return tl::unexpected(claim.error());
  }
  auto pack = read_pack(db, entry.order_id);
  if (!pack) {
    return tl::unexpected(pack.error());
  }
  const bool ours = *claim && (*claim)->session_id == entry.session_id;
  const std::string& type = entry.type;

  if (type == "session_started" || type == "session_resumed" || type == "takeover") {
    if (*pack) {
      return packed_already(**pack);
    }
    if (*claim && !ours && type != "takeover") {
      PV_TRY_ASSIGN(auto lapsed, claim_lapsed(db, **claim, now));
      if (!lapsed) {
        return make_error(ErrorType::conflict,
                          fmt::format("{} (session {}): finish it there, or a supervisor takes it over here "
                                      "(supervisor ID takeover {})",
                                      describe_holder(**claim), (*claim)->session_id, entry.order_id));
      }
      JournalEntry expired;
      expired.type = "claim_expired";
      expired.utc_ms = entry.utc_ms;
      expired.station = (*claim)->station;
      expired.operator_id = (*claim)->operator_id;
      expired.order_id = entry.order_id;
      expired.session_id = (*claim)->session_id;
      expired.reason = fmt::format("station {} is not running and its claim on {} had no event since {} (lease {} "
                                   "min); taken by station {}",
                                   (*claim)->station, entry.order_id, format_utc_minute((*claim)->last_event_utc_ms),
                                   k_claim_lease.count(), entry.station);
      expired.detail =
          nlohmann::json{{"taken_by_station", entry.station}, {"taken_by_session", entry.session_id}}.dump();
      before.push_back(std::move(expired));
    }
    if (!ours) {
      JournalEntry holder = entry;
      holder.operator_id = picker_of(entry);
      PV_TRY(write_claim(db, holder, now));
    }
    return before;
  }

  if (!ours) {
    if (type == "session_abandoned") {
      return before; // a session that lost its order may still be closed; it changes nothing
    }
    if (*pack) {
      return packed_already(**pack);
    }
    if (!*claim && type != "pack_released" && type != "packed") {
      // Nobody holds the order (a session from before claims existed, or one whose order was taken
      // over and then given up): its rows are journaled, but it cannot release or pack.
      return before;
    }
    if (*claim) {
      return make_error(ErrorType::conflict,
                        fmt::format("this session no longer holds order {}: {} (taken over); nothing here counts "
                                    "for it any more",
                                    entry.order_id, describe_holder(**claim)));
    }
    return make_error(ErrorType::conflict,
                      fmt::format("this session no longer holds order {}; scan the order again", entry.order_id));
  }
  if ((type == "pack_released" || type == "packed") && *pack) {
    return packed_already(**pack);
  }
  if (type == "packed") {
    auto packed = run(db,
                      "INSERT INTO order_packs (order_id, station, session_id, operator_id, packed_utc_ms) "
                      "VALUES (?, ?, ?, ?, ?)",
                      [&](auto& stmt) {
                        stmt.bind_text(1, entry.order_id)
                            .bind_text(2, entry.station)
                            .bind_text(3, entry.session_id)
                            .bind_text(4, (*claim)->operator_id)
                            .bind(5, now);
                      });
    if (!packed) {
      return tl::unexpected(packed.error());
    }
    PV_TRY(record_packed_serials(db, entry, now));
  }
  if (type == "packed" || type == "session_abandoned") {
    auto dropped =
        run(db, "DELETE FROM order_claims WHERE order_id = ?", [&](auto& stmt) { stmt.bind_text(1, entry.order_id); });
    if (!dropped) {
      return tl::unexpected(dropped.error());
    }
    return before;
  }
  auto touched = run(db, "UPDATE order_claims SET last_event_utc_ms = ? WHERE order_id = ?",
                     [&](auto& stmt) { stmt.bind(1, now).bind_text(2, entry.order_id); });
  if (!touched) {
    return tl::unexpected(touched.error());
  }
  return before;
}

// Both backends' connections.
template Result<std::optional<OrderClaim>> read_claim(Db&, const std::string&);
template Result<std::optional<OrderClaim>> read_claim(PgDb&, const std::string&);
template Result<std::optional<OrderPack>> read_pack(Db&, const std::string&);
template Result<std::optional<OrderPack>> read_pack(PgDb&, const std::string&);
template Result<std::vector<PackedSerial>> read_packed_serials(Db&, const std::string&);
template Result<std::vector<PackedSerial>> read_packed_serials(PgDb&, const std::string&);
template Result<std::optional<StationInstance>> read_station(Db&, const std::string&);
template Result<std::optional<StationInstance>> read_station(PgDb&, const std::string&);
template Result<std::vector<JournalEntry>> apply_claim_rules(Db&, const JournalEntry&, std::int64_t);
template Result<std::vector<JournalEntry>> apply_claim_rules(PgDb&, const JournalEntry&, std::int64_t);

} // namespace pickverify::store
