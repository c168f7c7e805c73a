// The pack session: one order at one station, from the first scan to the closed box.
//
//   idle → active → (blocked ⇄ active) → complete → [awaiting_image_check →] released → packed
//   any state before packed → abandoned
//
// Pure logic: no clock of its own (times come with the scans), no I/O. The station journals every
// outcome before it shows it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <pickverify/catalog.hpp>
#include <pickverify/codes.hpp>
#include <pickverify/error.hpp>
#include <pickverify/image_check_request.hpp>
#include <pickverify/image_check_result.hpp>
#include <pickverify/order.hpp>
#include <pickverify/policy.hpp>
#include <pickverify/scan_event.hpp>

namespace pickverify {

enum class SessionState { idle, active, blocked, complete, awaiting_image_check, released, packed, abandoned };

std::string_view to_string(SessionState state);

struct LineProgress {
  ExpectedLine line;
  std::int32_t verified = 0;
  bool done() const { return verified >= line.quantity; }
};

// Why an alert exists: a scan verdict, or a failed image check.
enum class AlertKind { scan, image_check };

struct Alert {
  std::int32_t id = 0;
  AlertKind kind = AlertKind::scan;
  Verdict verdict = Verdict::wrong_item; // for scan alerts
  std::string message;                   // what was wrong, in words
  std::string gtin14;                    // the code that caused it, if any
  std::string serial;                    // its serial (AI 21), if it carried one
  std::string sku;
  std::optional<std::size_t> line_index; // the line an override would count it on
  std::int32_t units = 1;                // eaches an override counts (a case of 12: 12)
  std::string pack;                      // "a case of 12", empty for an each
  bool open = true;
  bool overridden = false;
  Role resolved_by = Role::supervisor;
  std::string operator_id;
  std::string reason_code;
  std::string note;
};

struct ScanOutcome {
  Verdict verdict = Verdict::malformed;
  std::string message; // "size: scanned 10, order needs 9"
  ParsedCode code;
  const Item* item = nullptr;            // the identified catalog item, if any
  std::optional<std::size_t> line_index; // the line it counted on (or would have)
  std::int32_t units = 1;                // eaches the scan stands for: a pack's quantity, (37) of a (02) label
  std::string pack;                      // "a case of 12", "a logistic unit of 2"; empty for an each
  std::optional<std::int32_t> alert_id;  // the alert it opened
  std::string serial;                    // the unit's serial, when one was read (any verdict)
  std::string differing_attribute;       // wrong_variant: the one attribute that differs ("size"), if only one
  SessionState state = SessionState::active;
};

// Where a serial went, when it was already packed in another order: "order ORD-7 at station B-2 on
// 2026-12-02 14:02 UTC". nullopt when it was not. The station asks its store; a store that cannot
// answer says so in the text, and the unit is refused (fail closed).
using SerialWhereabouts =
    std::function<std::optional<std::string>(const std::string& gtin14, const std::string& serial)>;

struct PackDecision {
  bool released = false;
  SessionState state = SessionState::active;
  std::vector<std::string> reasons; // every reason the pack is refused, in words
};

struct AlertResolution {
  Role role = Role::supervisor;
  std::string operator_id;
  std::string reason_code; // "item_set_aside", "customer_accepts_substitute", …
  std::string note;
  bool override_mismatch = false; // supervisor only: count it as if it matched
};

class PackSession {
public:
  // Expands the order (kits into components) and checks it against the catalog. The catalog must
  // outlive the session.
  static Result<PackSession> start(const Order& order, const Catalog& catalog, const Policy& policy);

  // One scan. Never fails: whatever the bytes, the answer is a verdict.
  ScanOutcome apply(const ScanEvent& scan);
  ScanOutcome apply(const ScanEvent& scan, const ParsedCode& code);

  // Serial-tracked items: a serial already packed elsewhere is refused with where it went.
  void set_serial_whereabouts(SerialWhereabouts whereabouts) { m_serial_whereabouts = std::move(whereabouts); }
  // The serial-label item whose serial label the next scan should be, if any.
  const Item* awaiting_serial_label() const { return m_awaiting_serial ? m_awaiting_serial->item : nullptr; }

  // The picker asks to close the box.
  PackDecision request_pack();

  // The photo of the packed items, once state() is awaiting_image_check.
  Result<PackDecision> apply_image_check(const ImageCheckResult& result);
  ImageCheckRequest image_check_request() const;

  Result<void> resolve_alert(std::int32_t alert_id, const AlertResolution& resolution);
  Result<void> mark_packed();
  Result<void> abandon(const std::string& reason);

  // Fail closed: while a device the session depends on is offline, nothing is released.
  void set_device_online(const std::string& device_id, bool online);

  SessionState state() const { return m_state; }
  const Order& order() const { return m_order; }
  const std::vector<LineProgress>& lines() const { return m_lines; }
  const std::vector<Alert>& alerts() const { return m_alerts; }
  std::vector<const Alert*> open_alerts() const;
  bool needs_image_check() const { return m_needs_image_check; }
  bool image_check_passed() const { return m_image_check_passed; }
  std::vector<std::string> missing() const; // "line 2: Cushion insoles, M — 0 of 1 scanned"
  // The catalog item of every accepted unit, in scan order (the weight check adds them up).
  // A sealed case of 12 counted as 12 is 12 entries.
  std::vector<const Item*> accepted_items() const
  {
    std::vector<const Item*> items;
    for (const auto& unit : m_units)
      items.insert(items.end(), static_cast<std::size_t>(unit.units), unit.item);
    return items;
  }

private:
  PackSession(Order order, std::vector<ExpectedLine> lines, const Catalog& catalog, Policy policy);

  ScanOutcome classify(const ParsedCode& code);
  ScanOutcome check_serial(ScanOutcome outcome);
  ScanOutcome take_serial_label(const ParsedCode& code);
  ScanOutcome judge_serial(ScanOutcome outcome, const std::string& serial);
  bool serial_counted(const std::string& gtin14, const std::string& serial) const;
  std::int32_t open_alert(Alert alert);
  void update_state();
  bool all_lines_done() const;

  // One accepted scan. Kept small: a session keeps one per scan, and an each (most scans) needs no
  // pack text, which lives apart in m_pack_texts.
  struct Unit {
    std::string gtin14;
    const Item* item = nullptr;
    std::string serial;
    std::int32_t units = 1;
    std::int32_t pack_text = -1; // index into m_pack_texts ("a case of 12"); -1 for an each
  };
  void add_unit(const std::string& gtin14, const Item* item, const std::string& serial, std::int32_t units,
                const std::string& pack);
  // A serial-label item was scanned; its serial label comes next.
  struct AwaitingSerial {
    std::string gtin14;
    const Item* item = nullptr;
    std::size_t line_index = 0;
  };
  struct LastScan {
    std::string raw;
    std::chrono::steady_clock::time_point at;
  };

  Order m_order;
  const Catalog* m_catalog;
  Policy m_policy;
  std::vector<LineProgress> m_lines;
  std::vector<Alert> m_alerts;
  std::vector<Unit> m_units;             // accepted units, in scan order
  std::vector<std::string> m_pack_texts; // what the units that are packs were
  std::vector<std::pair<std::string, LastScan>> m_last_scan_by_source;
  std::set<std::string> m_offline_devices;
  std::optional<AwaitingSerial> m_awaiting_serial;
  SerialWhereabouts m_serial_whereabouts;
  SessionState m_state = SessionState::idle;
  bool m_needs_image_check = false;
  bool m_image_check_passed = false;
};

} // namespace pickverify
