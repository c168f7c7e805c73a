// One station at run time: owns the station's pack session, takes events in arrival order, and
// journals every scan and decision durably BEFORE the caller may show it to anyone.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <pickverify/catalog.hpp>
#include <pickverify/error.hpp>
#include <pickverify/image_check_request.hpp>
#include <pickverify/image_check_result.hpp>
#include <pickverify/policy.hpp>
#include <pickverify/scan_event.hpp>
#include <pickverify/session.hpp>
#include <pickverify/store.hpp>
#include <pickverify/weight.hpp>

namespace pickverify {

// What the station says back after each event, once it is journaled.
struct StationReply {
  enum class Tone { ok, warning, error };
  Tone tone = Tone::ok;
  std::string headline;             // "ACCEPTED", "WRONG VARIANT", "PACK REFUSED", …
  std::vector<std::string> details; // one line each: what is wrong, what to do next
  std::optional<Verdict> verdict;   // for scans
  SessionState state = SessionState::idle;
  std::int64_t journal_seq = 0; // the last journal row written for this event
};

// Called after an event is durable: the screen, the controller, the alert queue listen here.
using StationListener = std::function<void(const StationReply&)>;

class Station {
public:
  Station(std::string station_id, Store& store, Catalog catalog, Policy policy);

  void set_operator(std::string operator_id);
  const std::string& operator_id() const { return m_operator; }
  void add_listener(StationListener listener);
  // The scale the weight check reads when policy.weighing.required: a stable reading, or why none
  // came (offline → the pack is refused: fail closed).
  using WeighFunction = std::function<Result<Weight>()>;
  void set_scale(WeighFunction weigh);

  // A scan from any source. An order id starts a session when none is open; anything else goes to
  // the session. The error case is only a journal failure: then nothing may be shown as verified.
  Result<StationReply> handle_scan(const ScanEvent& scan);
  // Scans that arrived together (a queue of them), answered as handle_scan would answer them one
  // after another, in order. The units of the open session among them share one journal append
  // (one commit) instead of one each; should that append fail, they are taken one at a time.
  std::vector<Result<StationReply>> handle_scans(const std::vector<ScanEvent>& scans);

  Result<StationReply> start_order(const std::string& order_id);
  Result<StationReply> request_pack();
  Result<StationReply> resolve_alert(std::int32_t alert_id, const AlertResolution& resolution);
  // The image check runs while other sources may still change the station (a photo and its decode
  // take hundreds of ms, and the service calls from a pool): begin_image_check reads the open
  // session's request under the station's lock, and apply_image_check with that session id refuses
  // a result that belongs to a session that is no longer open (abandoned, packed, taken over).
  // Without a session id it applies to whatever session is open.
  struct PendingImageCheck {
    std::string session_id;
    ImageCheckRequest request;
  };
  Result<PendingImageCheck> begin_image_check() const;
  Result<StationReply> apply_image_check(const ImageCheckResult& result, const std::string& session_id = {});
  Result<StationReply> mark_packed();
  Result<StationReply> abandon(const std::string& reason);
  Result<StationReply> set_device_online(const std::string& device_id, bool online, const std::string& message);

  // A supervisor moves an order that is open at another station (or at none) to this one: the
  // journal gets a takeover row naming the supervisor, the signed-in picker and where the order
  // was, then a fresh session_started here; every unit is verified again at this bench. The old
  // station learns it on its next event. The caller has checked the supervisor's PIN.
  Result<StationReply> take_over(const std::string& order_id, const std::string& supervisor_id,
                                 const std::string& reason);

  // Journals an attempt that was refused before it reached the session (wrong PIN, locked account,
  // a picker trying a supervisor's action): type auth_refused, operator_id the id that was claimed,
  // the signed-in picker in detail. A refusal is evidence too.
  Result<StationReply> record_refusal(const std::string& action, const std::string& claimed_id, const std::string& why);

  // Read-only views for screens; valid until the next call that changes the session.
  const PackSession* session() const { return m_session ? &*m_session : nullptr; }
  const std::string& session_id() const { return m_session_id; }
  const std::string& id() const { return m_id; }
  const Catalog& catalog() const { return m_catalog; }
  const Policy& policy() const { return m_policy; }
  // A device the station needs is offline: outputs show red and the gate stays locked.
  bool any_device_offline() const
  {
    std::lock_guard lock(m_mutex);
    return !m_offline_devices.empty();
  }

private:
  // A unit scan verified on a copy of the session: the rows to journal and the answer, applied by
  // commit_unit_scan once the rows are durable.
  struct PreparedScan {
    PackSession next;
    std::vector<JournalEntry> entries;
    StationReply reply;
  };
  ParsedCode parse_scan(const ScanEvent& scan) const;
  bool is_unit_scan(const ParsedCode& code) const; // a session is open and the code is no order or packaging label
  Result<StationReply> handle_other_scan(const ScanEvent& scan, const ParsedCode& code);
  PreparedScan prepare_unit_scan(const ScanEvent& scan, const ParsedCode& code, const PackSession& base) const;
  StationReply commit_unit_scan(PreparedScan prepared, std::int64_t seq);
  JournalEntry make_entry(std::string type) const;
  Result<std::int64_t> journal(std::vector<JournalEntry> entries);
  StationReply notify(StationReply reply);
  StationReply pack_reply(const PackDecision& decision) const;
  std::optional<std::string> weigh_before_release(std::vector<JournalEntry>& entries);
  Result<StationReply> choose_packaging(const Packaging& packaging, JournalEntry entry);
  Result<StationReply> finish_session(PackSession next, const std::string& type, const std::string& reason);

  struct UnfinishedSession {
    std::string session_id;                   // empty when the order has no unfinished session here
    std::vector<JournalEntry> events;         // its journal rows after session_started, in seq order
    std::optional<std::int64_t> packed_at_ms; // the order was packed already (at any station)
    std::string packed_station;
  };
  Result<UnfinishedSession> find_unfinished_session(const std::string& order_id);
  Result<PackSession> new_session(const std::string& order_id);
  static void replay(PackSession& session, const std::vector<JournalEntry>& events);

  std::string m_id;
  Store& m_store;
  Catalog m_catalog;
  Policy m_policy;
  std::string m_operator = "unknown";
  std::optional<PackSession> m_session;
  std::string m_session_id;
  std::vector<std::string> m_offline_devices;
  std::vector<StationListener> m_listeners;
  WeighFunction m_weigh;
  std::string m_packaging; // the packaging the picker scanned for the open session ("" = policy's packaging_g)
  mutable std::recursive_mutex m_mutex; // events from every source in arrival order
};

// "Trail runner, size 9, width D: 1/1" — the per-line progress a picker sees.
std::vector<std::string> describe_progress(const PackSession& session);

} // namespace pickverify
