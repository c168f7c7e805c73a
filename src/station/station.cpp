#include <pickverify/expected.hpp>
#include <pickverify/station.hpp>

#include <pickverify/journal_export.hpp>

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pickverify {

namespace {

std::int64_t to_utc_ms(std::chrono::system_clock::time_point time)
{
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

std::int64_t now_utc_ms()
{
  return to_utc_ms(std::chrono::system_clock::now());
}

// "WRONG VARIANT", or "WRONG SIZE" when the size is all that differs: what a picker reads from a metre away.
std::string headline_for(const ScanOutcome& outcome)
{
  std::string text = outcome.verdict == Verdict::wrong_variant && !outcome.differing_attribute.empty()
                         ? "wrong " + outcome.differing_attribute
                         : std::string(to_string(outcome.verdict));
  std::replace(text.begin(), text.end(), '_', ' ');
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// The station's store answers where a serial went; an answer it cannot give refuses the unit.
SerialWhereabouts serial_whereabouts(Store& store, std::string order_id)
{
  return [&store, order_id = std::move(order_id)](const std::string& gtin14,
                                                  const std::string& serial) -> std::optional<std::string> {
    auto packed = store.find_packed_serials(serial);
    if (!packed) {
      return fmt::format("an order the store cannot name ({})", packed.error().message);
    }
    for (const auto& unit : *packed) {
      if (unit.gtin == gtin14 && unit.order_id != order_id) {
        return fmt::format("order {} at station {} on {}", unit.order_id, unit.station,
                           format_utc_ms(unit.packed_utc_ms));
      }
    }
    return std::nullopt;
  };
}

bool is_open(SessionState state)
{
  return state != SessionState::packed && state != SessionState::abandoned;
}

// The journal row of a scan, before its verdict: what was read, from where.
JournalEntry scan_entry(JournalEntry entry, const ScanEvent& scan, const ParsedCode& code, nlohmann::json& detail)
{
  entry.utc_ms = scan.utc.time_since_epoch().count() ? to_utc_ms(scan.utc) : entry.utc_ms;
  entry.raw = scan.raw;
  entry.aim = code.aim ? code.aim->to_string() : std::string{};
  entry.source = scan.source;
  entry.gtin = code.gtin14;
  entry.ais = code.fields.empty() ? std::string{} : to_hri(code.fields);
  detail["source_kind"] = std::string(to_string(scan.source_kind));
  detail["code_kind"] = std::string(to_string(code.kind));
  return entry;
}

} // namespace

Result<Station::UnfinishedSession> Station::find_unfinished_session(const std::string& order_id)
{
  UnfinishedSession found;
  JournalFilter filter;
  filter.order_id = order_id;
  auto read = m_store.read_journal(filter, [&](const JournalEntry& entry) {
    if (entry.type == "packed") {
      found.packed_at_ms = entry.utc_ms;
      found.packed_station = entry.station;
    }
    if (entry.station != m_id) {
      return true;
    }
    if (entry.type == "session_started") {
      found.session_id = entry.session_id;
      found.events.clear();
    } else if (!found.session_id.empty() && entry.session_id == found.session_id) {
      if (entry.type == "packed" || entry.type == "session_abandoned") {
        found.session_id.clear();
        found.events.clear();
      } else {
        found.events.push_back(entry);
      }
    }
    return true;
  });
  if (!read) {
    return tl::unexpected(read.error().with_context("journal"));
  }
  return found;
}

namespace {

// A weight_check row that refused the pack: its outcome is neither passed nor skipped.
bool weight_check_refused(const JournalEntry& row)
{
  const auto detail = nlohmann::json::parse(row.detail.empty() ? "{}" : row.detail, nullptr, false);
  const std::string outcome = detail.is_object() ? detail.value("outcome", "") : "";
  return outcome != "passed" && outcome != "skipped";
}

// The packaging last chosen in these rows ("" for none).
std::string packaging_in(const std::vector<JournalEntry>& events)
{
  std::string name;
  for (const auto& entry : events) {
    if (entry.type == "scan" && entry.verdict == "packaging") {
      const auto detail = nlohmann::json::parse(entry.detail.empty() ? "{}" : entry.detail, nullptr, false);
      name = detail.is_object() ? detail.value("packaging", "") : "";
    }
  }
  return name;
}

} // namespace

void Station::replay(PackSession& session, const std::vector<JournalEntry>& events)
{
  const auto epoch = std::chrono::steady_clock::time_point{};
  for (const auto& entry : events) {
    const auto detail = nlohmann::json::parse(entry.detail.empty() ? "{}" : entry.detail, nullptr, false);
    auto text = [&](const char* key) {
      return detail.is_object() && detail.contains(key) && detail[key].is_string() ? detail[key].get<std::string>()
                                                                                   : std::string{};
    };
    if (entry.type == "scan" && !entry.verdict.empty()) {
      if (entry.verdict == "duplicate" || entry.verdict == "packaging" ||
          (detail.is_object() && detail.value("manual_refused", false))) {
        continue;
      }
      ScanEvent scan;
      scan.raw = entry.raw;
      if (!entry.aim.empty()) {
        scan.aim = entry.aim;
      }
      scan.source = entry.source;
      scan.monotonic = epoch + std::chrono::milliseconds(entry.utc_ms);
      session.apply(scan);
    } else if (entry.type == "alert_cleared" || entry.type == "override") {
      AlertResolution resolution;
      resolution.role = text("role") == "picker" ? Role::picker : Role::supervisor;
      resolution.operator_id = entry.operator_id;
      resolution.reason_code = text("reason_code");
      resolution.note = text("note");
      resolution.override_mismatch = entry.type == "override";
      if (detail.is_object() && detail.contains("alert_id") && detail["alert_id"].is_number_integer()) {
        (void)session.resolve_alert(detail["alert_id"].get<std::int32_t>(), resolution);
      }
    } else if (entry.type == "image_check") {
      // A passed photo whose re-weighing refused the pack left the session awaiting the image check.
      const auto index = static_cast<std::size_t>(&entry - events.data());
      if (index + 1 < events.size() && events[index + 1].type == "weight_check" &&
          weight_check_refused(events[index + 1])) {
        continue;
      }
      ImageCheckResult result;
      result.outcome = entry.verdict == "passed"   ? ImageCheckOutcome::passed
                       : entry.verdict == "failed" ? ImageCheckOutcome::failed
                       : entry.verdict == "retake" ? ImageCheckOutcome::retake
                                                   : ImageCheckOutcome::offline;
      result.reason = entry.reason;
      result.evidence_hash = entry.evidence_hash;
      (void)session.apply_image_check(result);
    } else if (entry.type == "pack_released") {
      (void)session.request_pack();
    }
  }
}

std::vector<std::string> describe_progress(const PackSession& session)
{
  std::vector<std::string> lines;
  for (const auto& progress : session.lines()) {
    lines.push_back(fmt::format("[{}] line {} {}: {}/{}", progress.done() ? "x" : " ", progress.line.line_no,
                                progress.line.description, progress.verified, progress.line.quantity));
  }
  return lines;
}

Station::Station(std::string station_id, Store& store, Catalog catalog, Policy policy)
    : m_id(std::move(station_id)), m_store(store), m_catalog(std::move(catalog)), m_policy(std::move(policy))
{
}

void Station::set_operator(std::string operator_id)
{
  std::lock_guard lock(m_mutex);
  m_operator = std::move(operator_id);
}

void Station::add_listener(StationListener listener)
{
  std::lock_guard lock(m_mutex);
  m_listeners.push_back(std::move(listener));
}

JournalEntry Station::make_entry(std::string type) const
{
  JournalEntry entry;
  entry.utc_ms = now_utc_ms();
  entry.type = std::move(type);
  entry.station = m_id;
  entry.operator_id = m_operator;
  if (m_session) {
    entry.order_id = m_session->order().id;
    entry.session_id = m_session_id;
  }
  return entry;
}

Result<std::int64_t> Station::journal(std::vector<JournalEntry> entries)
{
  auto written = m_store.append(std::move(entries));
  if (!written) {
    if (written.error().type == ErrorType::conflict && m_session && is_open(m_session->state())) {
      // Refused by the claim rules: if another station took the order over, this session is over.
      auto claim = m_store.find_claim(m_session->order().id);
      if (claim && (!*claim || (*claim)->session_id != m_session_id)) {
        m_session.reset();
        m_session_id.clear();
      }
    }
    return tl::unexpected(written.error());
  }
  return written->empty() ? 0 : written->back().seq;
}

StationReply Station::notify(StationReply reply)
{
  reply.state = m_session ? m_session->state() : SessionState::idle;
  for (const auto& listener : m_listeners) {
    listener(reply);
  }
  return reply;
}

// A session for the order, as start_order and take_over open one: refused while another order is open
// here; the order's packed serials known, this station's offline devices marked. m_mutex is held.
Result<PackSession> Station::new_session(const std::string& order_id)
{
  if (m_session && is_open(m_session->state())) {
    return make_error(
        ErrorType::conflict,
        fmt::format("order {} is still open at this station: pack it or abandon it first", m_session->order().id));
  }
  PV_TRY_ASSIGN(auto order, m_store.find_order(order_id), fmt::format("order {}", order_id));
  if (!order) {
    return make_error(ErrorType::not_found, fmt::format("order {} is not known: check the pick list", order_id));
  }
  PV_TRY_ASSIGN(auto session, PackSession::start(*order, m_catalog, m_policy));
  session.set_serial_whereabouts(serial_whereabouts(m_store, order_id));
  for (const auto& device : m_offline_devices) {
    session.set_device_online(device, false);
  }
  return session;
}

Result<StationReply> Station::start_order(const std::string& order_id)
{
  std::lock_guard lock(m_mutex);
  PV_TRY_ASSIGN(auto session, new_session(order_id));
  PV_TRY_ASSIGN(auto resumed, find_unfinished_session(order_id));
  if (resumed.packed_at_ms) {
    return make_error(
        ErrorType::conflict,
        fmt::format("order {} was already packed at station {} (journal time {} ms): do not pack it twice; "
                    "call a supervisor",
                    order_id, resumed.packed_station, *resumed.packed_at_ms));
  }
  if (!resumed.session_id.empty()) {
    // The station stopped (or was killed) with this order open: rebuild the session from its journal
    // rows so no verified scan, alert or decision is lost and nothing is counted twice.
    replay(session, resumed.events);
    m_packaging = packaging_in(resumed.events);
    m_session = std::move(session);
    m_session_id = resumed.session_id;
    JournalEntry entry = make_entry("session_resumed");
    entry.reason = fmt::format("order {} resumed from {} journal event(s)", order_id, resumed.events.size());
    auto seq = journal({entry});
    if (!seq) {
      m_session.reset();
      return tl::unexpected(seq.error());
    }
    StationReply reply;
    reply.headline = fmt::format("ORDER {} RESUMED", order_id);
    reply.details.push_back(entry.reason);
    for (auto& line : describe_progress(*m_session)) {
      reply.details.push_back(std::move(line));
    }
    for (const Alert* alert : m_session->open_alerts()) {
      reply.details.push_back(fmt::format("alert {} open: {}", alert->id, alert->message));
    }
    reply.journal_seq = *seq;
    return notify(std::move(reply));
  }
  m_session = std::move(session);
  m_session_id = fmt::format("{}-{}", m_id, now_utc_ms());
  m_packaging.clear();

  JournalEntry entry = make_entry("session_started");
  std::int32_t units = 0;
  for (const auto& progress : m_session->lines()) {
    units += progress.line.quantity;
  }
  entry.reason = fmt::format("order {} ({}), {} order line(s), {} unit(s) to verify{}", order_id,
                             format_money(m_session->order().value), m_session->order().lines.size(), units,
                             m_session->needs_image_check() ? ", image check required" : "");
  nlohmann::json detail;
  detail["needs_image_check"] = m_session->needs_image_check();
  detail["value_minor"] = m_session->order().value.minor;
  detail["currency"] = m_session->order().value.currency;
  entry.detail = detail.dump();
  auto seq = journal({entry});
  if (!seq) {
    m_session.reset();
    return tl::unexpected(seq.error());
  }
  StationReply reply;
  reply.headline = fmt::format("ORDER {}", order_id);
  reply.details.push_back(entry.reason);
  for (auto& line : describe_progress(*m_session)) {
    reply.details.push_back(std::move(line));
  }
  reply.journal_seq = *seq;
  return notify(std::move(reply));
}

ParsedCode Station::parse_scan(const ScanEvent& scan) const
{
  const auto device_aim = scan.aim ? std::optional<std::string_view>(*scan.aim) : std::nullopt;
  return parse_code(scan.raw, device_aim, ParseOptions{m_policy.gs1_requisite_ais});
}

bool Station::is_unit_scan(const ParsedCode& code) const
{
  if (!m_session || !is_open(m_session->state())) {
    return false;
  }
  if (code.kind == CodeKind::text && code.data == m_session->order().id) {
    return false;
  }
  return !(code.kind == CodeKind::text && m_policy.weighing.packaging_for_code(code.data));
}

Result<StationReply> Station::handle_scan(const ScanEvent& scan)
{
  std::lock_guard lock(m_mutex);
  const ParsedCode code = parse_scan(scan);
  if (!is_unit_scan(code)) {
    return handle_other_scan(scan, code);
  }
  PreparedScan prepared = prepare_unit_scan(scan, code, *m_session);
  PV_TRY_ASSIGN(auto seq, journal(std::move(prepared.entries)));
  return commit_unit_scan(std::move(prepared), seq);
}

std::vector<Result<StationReply>> Station::handle_scans(const std::vector<ScanEvent>& scans)
{
  std::lock_guard lock(m_mutex);
  std::vector<Result<StationReply>> results(scans.size());
  std::vector<PreparedScan> batch;
  std::vector<std::size_t> batch_index; // which scan each prepared one is
  auto flush = [&] {
    if (batch.size() == 1) {
      auto seq = journal(std::move(batch.front().entries));
      results[batch_index.front()] =
          seq ? commit_unit_scan(std::move(batch.front()), *seq) : Result<StationReply>(tl::unexpected(seq.error()));
    } else if (!batch.empty()) {
      std::vector<JournalEntry> rows;
      std::vector<std::size_t> last_row;
      for (auto& prepared : batch) {
        for (auto& row : prepared.entries) {
          rows.push_back(std::move(row));
        }
        last_row.push_back(rows.size() - 1);
      }
      // One append (one savepoint in the store's group commit): all of the batch's rows or none.
      if (auto written = m_store.append(std::move(rows))) {
        for (std::size_t i = 0; i < batch.size(); ++i) {
          results[batch_index[i]] = commit_unit_scan(std::move(batch[i]), (*written)[last_row[i]].seq);
        }
      } else {
        // Nothing of the batch was journaled: take its scans one at a time, as if they had never
        // been batched, so each gets the answer (and the error) it would have had alone.
        for (const std::size_t index : batch_index) {
          results[index] = handle_scan(scans[index]);
        }
      }
    }
    batch.clear();
    batch_index.clear();
  };
  for (std::size_t i = 0; i < scans.size(); ++i) {
    const ParsedCode code = parse_scan(scans[i]);
    if (!is_unit_scan(code)) {
      flush();
      results[i] = handle_other_scan(scans[i], code);
      continue;
    }
    // Verified on top of the scans before it in the batch, as it would be after they were journaled.
    const PackSession& base = batch.empty() ? *m_session : batch.back().next;
    batch.push_back(prepare_unit_scan(scans[i], code, base));
    batch_index.push_back(i);
  }
  flush();
  return results;
}

// A scan that is not a unit of the open session: no session (an order label starts one), the open
// order's own label, a packaging code. Each is journaled on its own.
Result<StationReply> Station::handle_other_scan(const ScanEvent& scan, const ParsedCode& code)
{
  const bool session_open = m_session && is_open(m_session->state());
  if (!session_open && code.kind == CodeKind::text) {
    auto order = m_store.find_order(code.data);
    if (order && *order) {
      return start_order(code.data);
    }
  }

  nlohmann::json detail;
  JournalEntry entry = scan_entry(make_entry("scan"), scan, code, detail);
  StationReply reply;
  if (!session_open) {
    // Nothing to verify against: journal the scan so no read is lost, and say what to do.
    entry.verdict = "";
    entry.reason = "no open order: scan the order barcode first";
    entry.detail = detail.dump();
    PV_TRY_ASSIGN(auto seq, journal({entry}));
    reply.tone = StationReply::Tone::warning;
    reply.headline = "NO ORDER";
    reply.details.push_back(entry.reason);
    reply.journal_seq = seq;
    return notify(std::move(reply));
  }

  if (code.kind == CodeKind::text && code.data == m_session->order().id) {
    // The open order's own label read again (a picker checking which order is open, a second copy of the
    // pick slip): journaled, not a unit and not an alert.
    entry.verdict = "";
    entry.reason = fmt::format("order {} is already open here: scan its items", code.data);
    entry.detail = detail.dump();
    PV_TRY_ASSIGN(auto seq, journal({entry}));
    reply.tone = StationReply::Tone::ok;
    reply.headline = "ORDER ALREADY OPEN";
    reply.details.push_back(entry.reason);
    for (auto& line : describe_progress(*m_session)) {
      reply.details.push_back(std::move(line));
    }
    reply.journal_seq = seq;
    return notify(std::move(reply));
  }

  // is_unit_scan sent nothing else here: with a session open, a text code that is not the order's
  // own label names a packaging.
  const Packaging* packaging = m_policy.weighing.packaging_for_code(code.data);
  if (!packaging) {
    return make_error(ErrorType::internal,
                      fmt::format("scan '{}' is neither a unit, the order nor a packaging", code.data));
  }
  entry.detail = detail.dump();
  return choose_packaging(*packaging, std::move(entry));
}

// A unit scan applied to a copy of `base`: the rows to journal and the answer, nothing changed yet.
Station::PreparedScan Station::prepare_unit_scan(const ScanEvent& scan, const ParsedCode& code,
                                                 const PackSession& base) const
{
  nlohmann::json detail;
  JournalEntry entry = scan_entry(make_entry("scan"), scan, code, detail);
  const bool manual_allowed = m_policy.manual_entry == ManualEntry::always ||
                              (m_policy.manual_entry == ManualEntry::low_value_only && !base.needs_image_check());
  // The session changes only once its journal rows are durable: a scan that could not be journaled
  // counts nowhere, and the picker scans it again.
  PreparedScan prepared{base, {}, {}};
  PackSession& next = prepared.next;
  ScanOutcome outcome;
  if (scan.source_kind == SourceKind::manual && !manual_allowed) {
    outcome.code = code;
    outcome.verdict = Verdict::unknown_code;
    outcome.message = "typed entry is not allowed for this order: scan the item's barcode";
    outcome.state = base.state();
    detail["manual_refused"] = true;
  } else {
    outcome = next.apply(scan, code);
  }

  entry.gtin = outcome.code.gtin14;
  entry.verdict = std::string(to_string(outcome.verdict));
  entry.reason = outcome.message;
  if (outcome.item) {
    detail["sku"] = outcome.item->sku;
  }
  if (outcome.units != 1 || !outcome.pack.empty()) {
    detail["units"] = outcome.units;
    detail["pack"] = outcome.pack;
  }
  if (outcome.line_index) {
    const auto& progress = next.lines()[*outcome.line_index];
    detail["line"] = progress.line.line_no;
    detail["verified"] = progress.verified;
    detail["quantity"] = progress.line.quantity;
  }
  if (!outcome.serial.empty()) {
    detail["serial"] = outcome.serial;
  }
  detail["state"] = std::string(to_string(outcome.state));
  entry.detail = detail.dump();

  prepared.entries.push_back(entry);
  if (outcome.alert_id) {
    JournalEntry alert = make_entry("alert_opened");
    alert.utc_ms = entry.utc_ms;
    alert.verdict = entry.verdict;
    alert.reason = outcome.message;
    alert.gtin = entry.gtin;
    alert.detail = nlohmann::json{{"alert_id", *outcome.alert_id}}.dump();
    prepared.entries.push_back(std::move(alert));
  }

  StationReply& reply = prepared.reply;
  reply.verdict = outcome.verdict;
  reply.headline = headline_for(outcome);
  reply.tone = outcome.verdict == Verdict::accepted    ? StationReply::Tone::ok
               : outcome.verdict == Verdict::duplicate ? StationReply::Tone::warning
               : outcome.alert_id                      ? StationReply::Tone::error
                                                       : StationReply::Tone::warning;
  reply.details.push_back(outcome.message);
  if (outcome.alert_id) {
    reply.details.push_back(fmt::format("alert {} opened: packing is blocked until it is cleared", *outcome.alert_id));
  }
  if (outcome.verdict == Verdict::accepted && next.state() == SessionState::awaiting_image_check) {
    reply.details.push_back("every line verified: take the photo of the packed items (image check)");
  } else if (outcome.verdict == Verdict::accepted && next.state() == SessionState::complete) {
    reply.details.push_back("every line verified: request the pack");
  }
  return prepared;
}

// The prepared scan's rows are durable (the last one is `seq`): the session becomes its `next`.
StationReply Station::commit_unit_scan(PreparedScan prepared, std::int64_t seq)
{
  *m_session = std::move(prepared.next);
  prepared.reply.journal_seq = seq;
  return notify(std::move(prepared.reply));
}

// A packaging code while an order is open: the box the order goes into, whose weight (and
// tolerance) the weight check uses from now on. Journaled as a scan with verdict "packaging".
Result<StationReply> Station::choose_packaging(const Packaging& packaging, JournalEntry entry)
{
  auto detail = nlohmann::json::parse(entry.detail, nullptr, false);
  StationReply reply;
  reply.headline = "PACKAGING";
  if (m_session->state() == SessionState::released) {
    entry.verdict = "";
    entry.reason = fmt::format("packaging {} not taken: the pack is already released; close the box", packaging.name);
    reply.tone = StationReply::Tone::warning;
  } else {
    entry.verdict = "packaging";
    entry.reason = describe(packaging, m_policy.weighing);
    detail["packaging"] = packaging.name;
  }
  entry.detail = detail.dump();
  reply.details.push_back(entry.reason);
  PV_TRY_ASSIGN(auto seq, journal({entry}));
  if (!entry.verdict.empty()) {
    m_packaging = packaging.name;
  }
  reply.journal_seq = seq;
  return notify(std::move(reply));
}

StationReply Station::pack_reply(const PackDecision& decision) const
{
  StationReply reply;
  reply.tone = decision.released ? StationReply::Tone::ok : StationReply::Tone::error;
  reply.headline = decision.released ? "PACK RELEASED" : "PACK REFUSED";
  reply.details = decision.reasons;
  return reply;
}

Result<StationReply> Station::request_pack()
{
  std::lock_guard lock(m_mutex);
  if (!m_session || !is_open(m_session->state())) {
    return make_error(ErrorType::conflict, "no open order at this station: scan an order first");
  }
  const bool was_released = m_session->state() == SessionState::released;
  PackSession next = *m_session;
  PackDecision decision = next.request_pack();
  std::vector<JournalEntry> entries;
  if (!was_released && (decision.released || decision.state == SessionState::awaiting_image_check)) {
    if (auto refused = weigh_before_release(entries)) {
      next = *m_session; // nothing changes but the journal: the picker fixes the box and packs again
      decision = PackDecision{false, m_session->state(), {*refused}};
    }
  }
  JournalEntry entry = make_entry(decision.released ? "pack_released" : "pack_refused");
  std::string reasons;
  for (const auto& reason : decision.reasons) {
    reasons += (reasons.empty() ? "" : "; ") + reason;
  }
  entry.reason = decision.released ? "every line verified, no alert open" : reasons;
  entry.detail =
      nlohmann::json{{"state", std::string(to_string(decision.state))}, {"reasons", decision.reasons}}.dump();
  StationReply reply = pack_reply(decision);
  if (decision.released && !entries.empty()) {
    reply.details.push_back(entries.front().reason); // the weight check: "the box weighs 220 g, … within tolerance"
  }
  if (was_released) {
    reply.details.push_back("already released: close the box");
    return notify(std::move(reply));
  }
  entries.push_back(entry);
  PV_TRY_ASSIGN(auto seq, journal(std::move(entries)));
  *m_session = std::move(next);
  reply.journal_seq = seq;
  return notify(std::move(reply));
}

void Station::set_scale(WeighFunction weigh)
{
  std::lock_guard lock(m_mutex);
  m_weigh = std::move(weigh);
}

// The weight check when policy requires it: journals a weight_check row and returns the refusal,
// if any. Fail closed: no scale, a scale offline or never stable refuses the pack.
std::optional<std::string> Station::weigh_before_release(std::vector<JournalEntry>& entries)
{
  const auto& policy = m_policy.weighing;
  if (!policy.required) {
    return std::nullopt;
  }
  const Packaging* packaging = m_packaging.empty() ? nullptr : policy.packaging_named(m_packaging);
  const auto expectation = expect_weight(m_session->accepted_items(), policy, packaging);
  JournalEntry row = make_entry("weight_check");
  nlohmann::json detail{{"expected_mg", expectation.expected_mg}, {"tolerance_mg", expectation.tolerance_mg}};
  if (packaging) {
    detail["packaging"] = packaging->name;
  }
  std::optional<WeightCheck> check = check_weight_possible(expectation, policy);
  std::optional<std::string> refusal;
  if (!check) {
    if (!m_weigh) {
      refusal = "weighing is required but no scale is configured: the pack stays locked";
    } else if (auto weight = m_weigh(); !weight) {
      refusal = fmt::format("weighing is required and the scale gave no weight ({}): the pack stays locked",
                            weight.error().message);
    } else {
      check = check_weight(expectation, *weight, policy);
      detail["measured_mg"] = check->measured_mg;
      detail["measured"] = weight->as_reported();
      detail["difference_mg"] = check->difference_mg;
    }
  }
  if (check) {
    detail["outcome"] = std::string(to_string(check->outcome));
    if (!check->releases()) {
      refusal = check->message;
    }
  } else {
    detail["outcome"] = "no_reading";
  }
  row.reason = refusal ? *refusal : (check ? check->message : std::string{});
  row.detail = detail.dump();
  entries.push_back(std::move(row));
  return refusal;
}

Result<StationReply> Station::resolve_alert(std::int32_t alert_id, const AlertResolution& resolution)
{
  std::lock_guard lock(m_mutex);
  if (!m_session) {
    return make_error(ErrorType::conflict, "no open order at this station");
  }
  PackSession next = *m_session;
  auto resolved = next.resolve_alert(alert_id, resolution);
  if (!resolved) {
    // A refused clear is evidence too: who tried to clear what, and why it was refused.
    JournalEntry refused = make_entry("clear_refused");
    refused.operator_id = resolution.operator_id.empty() ? m_operator : resolution.operator_id;
    refused.reason = resolved.error().message;
    refused.detail = nlohmann::json{{"alert_id", alert_id},
                                    {"role", std::string(to_string(resolution.role))},
                                    {"picker", m_operator},
                                    {"override", resolution.override_mismatch},
                                    {"reason_code", resolution.reason_code}}
                         .dump();
    PV_TRY(journal({refused}));
    return tl::unexpected(resolved.error());
  }
  const Alert& alert = next.alerts()[static_cast<std::size_t>(alert_id - 1)];
  JournalEntry entry = make_entry(resolution.override_mismatch ? "override" : "alert_cleared");
  entry.operator_id = resolution.operator_id.empty() ? m_operator : resolution.operator_id;
  entry.verdict = alert.kind == AlertKind::scan ? std::string(to_string(alert.verdict)) : "image_check";
  entry.gtin = alert.gtin14;
  entry.reason = fmt::format("{} by {} {}: {}{}", resolution.override_mismatch ? "overridden" : "cleared",
                             to_string(resolution.role), entry.operator_id, resolution.reason_code,
                             resolution.note.empty() ? "" : " — " + resolution.note);
  entry.detail =
      nlohmann::json{
          {"alert_id", alert_id},          {"role", std::string(to_string(resolution.role))}, {"picker", m_operator},
          {"approver", entry.operator_id}, {"reason_code", resolution.reason_code},           {"note", resolution.note},
          {"alert", alert.message},        {"state", std::string(to_string(next.state()))}}
          .dump();
  PV_TRY_ASSIGN(auto seq, journal({entry}));
  *m_session = std::move(next);
  StationReply reply;
  reply.headline = resolution.override_mismatch ? "ALERT OVERRIDDEN" : "ALERT CLEARED";
  reply.details.push_back(entry.reason);
  reply.journal_seq = seq;
  return notify(std::move(reply));
}

Result<Station::PendingImageCheck> Station::begin_image_check() const
{
  std::lock_guard lock(m_mutex);
  if (!m_session) {
    return make_error(ErrorType::conflict, "no open order at this station: scan an order first");
  }
  return PendingImageCheck{m_session_id, m_session->image_check_request()};
}

Result<StationReply> Station::apply_image_check(const ImageCheckResult& result, const std::string& session_id)
{
  std::lock_guard lock(m_mutex);
  if (!m_session) {
    return make_error(ErrorType::conflict, "no open order at this station");
  }
  if (!session_id.empty() && session_id != m_session_id) {
    return make_error(ErrorType::conflict,
                      fmt::format("the order at this station changed while the photo was taken (now {}): "
                                  "nothing was recorded; take the photo again",
                                  m_session->order().id));
  }
  PackSession next = *m_session;
  PV_TRY_ASSIGN(auto decision, next.apply_image_check(result));
  JournalEntry check = make_entry("image_check");
  check.verdict = std::string(to_string(result.outcome));
  check.reason = result.reason;
  check.evidence_hash = result.evidence_hash;
  nlohmann::json missing = nlohmann::json::array();
  for (const auto& unit : result.missing) {
    missing.push_back({{"gtin", unit.gtin14}, {"sku", unit.sku}, {"description", unit.description}});
  }
  check.detail = nlohmann::json{{"annotated_hash", result.annotated_hash},
                                {"found", result.found.size()},
                                {"missing", missing},
                                {"unexpected", result.unexpected}}
                     .dump();
  std::vector<JournalEntry> entries{check};
  if (decision.released) {
    // The box was weighed when the pack was asked for, before the photo; it is handled in between,
    // so it is weighed again: what is released is what the scale holds now.
    if (auto refused = weigh_before_release(entries)) {
      next = *m_session; // still awaiting the image check: the picker fixes the box and takes the photo again
      decision = PackDecision{false, m_session->state(), {*refused}};
      JournalEntry refusal = make_entry("pack_refused");
      refusal.reason = *refused;
      refusal.detail =
          nlohmann::json{{"state", std::string(to_string(decision.state))}, {"reasons", decision.reasons}}.dump();
      entries.push_back(std::move(refusal));
    }
  }
  if (decision.released) {
    JournalEntry released = make_entry("pack_released");
    released.reason = "every line verified, image check passed";
    released.evidence_hash = result.evidence_hash;
    entries.push_back(std::move(released));
  } else if (result.outcome == ImageCheckOutcome::failed) {
    JournalEntry alert = make_entry("alert_opened");
    alert.verdict = "image_check";
    alert.reason = next.alerts().back().message;
    alert.detail = nlohmann::json{{"alert_id", next.alerts().back().id}}.dump();
    entries.push_back(std::move(alert));
  }
  PV_TRY_ASSIGN(auto seq, journal(std::move(entries)));
  *m_session = std::move(next);
  StationReply reply = pack_reply(decision);
  reply.headline = fmt::format("IMAGE CHECK {}", result.outcome == ImageCheckOutcome::passed   ? "PASSED"
                                                 : result.outcome == ImageCheckOutcome::failed ? "FAILED"
                                                 : result.outcome == ImageCheckOutcome::retake ? "RETAKE"
                                                                                               : "CAMERA OFFLINE");
  if (decision.released) {
    reply.details.insert(reply.details.begin(), "pack released");
  }
  if (!result.evidence_hash.empty()) {
    reply.details.push_back(fmt::format("evidence photo {}", result.evidence_hash));
  }
  reply.journal_seq = seq;
  return notify(std::move(reply));
}

Result<StationReply> Station::finish_session(PackSession next, const std::string& type, const std::string& reason)
{
  JournalEntry entry = make_entry(type);
  entry.reason = reason;
  PV_TRY_ASSIGN(auto seq, journal({entry}));
  *m_session = std::move(next);
  StationReply reply;
  reply.headline = type == "packed" ? "PACKED" : "ABANDONED";
  reply.details.push_back(reason);
  reply.journal_seq = seq;
  return notify(std::move(reply));
}

Result<StationReply> Station::mark_packed()
{
  std::lock_guard lock(m_mutex);
  if (!m_session) {
    return make_error(ErrorType::conflict, "no open order at this station");
  }
  PackSession next = *m_session;
  PV_TRY(next.mark_packed());
  return finish_session(std::move(next), "packed", fmt::format("order {} packed", m_session->order().id));
}

Result<StationReply> Station::abandon(const std::string& reason)
{
  std::lock_guard lock(m_mutex);
  if (!m_session) {
    return make_error(ErrorType::conflict, "no open order at this station");
  }
  PackSession next = *m_session;
  PV_TRY(next.abandon(reason));
  return finish_session(std::move(next), "session_abandoned", reason);
}

Result<StationReply> Station::take_over(const std::string& order_id, const std::string& supervisor_id,
                                        const std::string& reason)
{
  std::lock_guard lock(m_mutex);
  PV_TRY_ASSIGN(auto session, new_session(order_id));
  PV_TRY_ASSIGN(auto claim, m_store.find_claim(order_id));
  m_session = std::move(session);
  m_session_id = fmt::format("{}-{}", m_id, now_utc_ms());

  JournalEntry takeover = make_entry("takeover");
  takeover.operator_id = supervisor_id;
  nlohmann::json detail{{"picker", m_operator}, {"approver", supervisor_id}, {"note", reason}};
  if (claim) {
    detail["from_station"] = claim->station;
    detail["from_session"] = claim->session_id;
    detail["from_picker"] = claim->operator_id;
    detail["from_since_utc_ms"] = claim->since_utc_ms;
    takeover.reason =
        fmt::format("supervisor {} took order {} over from station {} (picker {}) to station {}{}", supervisor_id,
                    order_id, claim->station, claim->operator_id, m_id, reason.empty() ? "" : ": " + reason);
  } else {
    takeover.reason = fmt::format("supervisor {} took order {} to station {} (it was open nowhere){}", supervisor_id,
                                  order_id, m_id, reason.empty() ? "" : ": " + reason);
  }
  takeover.detail = detail.dump();
  JournalEntry started = make_entry("session_started");
  started.reason = fmt::format("order {} ({}), taken over: every unit is verified again here", order_id,
                               format_money(m_session->order().value));
  started.detail = nlohmann::json{
      {"needs_image_check", m_session->needs_image_check()},
      {"value_minor", m_session->order().value.minor},
      {"currency", m_session->order().value.currency},
      {"takeover",
       true}}.dump();
  auto seq = journal({takeover, started});
  if (!seq) {
    m_session.reset();
    m_session_id.clear();
    return tl::unexpected(seq.error());
  }
  StationReply reply;
  reply.headline = fmt::format("ORDER {} TAKEN OVER", order_id);
  reply.details.push_back(takeover.reason);
  reply.details.push_back("scan every item of the order again at this station");
  for (auto& line : describe_progress(*m_session)) {
    reply.details.push_back(std::move(line));
  }
  reply.journal_seq = *seq;
  return notify(std::move(reply));
}

Result<StationReply> Station::record_refusal(const std::string& action, const std::string& claimed_id,
                                             const std::string& why)
{
  std::lock_guard lock(m_mutex);
  JournalEntry entry = make_entry("auth_refused");
  entry.operator_id = claimed_id;
  entry.reason = fmt::format("{} refused for {}: {}", action, claimed_id, why);
  entry.detail = nlohmann::json{{"action", action}, {"picker", m_operator}, {"claimed_id", claimed_id}}.dump();
  PV_TRY_ASSIGN(auto seq, journal({entry}));
  StationReply reply;
  reply.tone = StationReply::Tone::error;
  reply.headline = "REFUSED";
  reply.details.push_back(entry.reason);
  reply.journal_seq = seq;
  return notify(std::move(reply));
}

Result<StationReply> Station::set_device_online(const std::string& device_id, bool online, const std::string& message)
{
  std::lock_guard lock(m_mutex);
  auto known = std::find(m_offline_devices.begin(), m_offline_devices.end(), device_id);
  if (online && known != m_offline_devices.end()) {
    m_offline_devices.erase(known);
  } else if (!online && known == m_offline_devices.end()) {
    m_offline_devices.push_back(device_id);
  }
  if (m_session) {
    m_session->set_device_online(device_id, online);
  }
  JournalEntry entry = make_entry(online ? "device_online" : "device_offline");
  entry.source = device_id;
  entry.reason = message;
  PV_TRY_ASSIGN(auto seq, journal({entry}));
  StationReply reply;
  reply.tone = online ? StationReply::Tone::ok : StationReply::Tone::error;
  reply.headline = online ? "DEVICE ONLINE" : "DEVICE OFFLINE";
  reply.details.push_back(fmt::format("{}: {}", device_id, message));
  if (!online) {
    reply.details.push_back("packing stays blocked until it is back");
  }
  reply.journal_seq = seq;
  return notify(std::move(reply));
}

} // namespace pickverify
