#include <pickverify/expected.hpp>
#include <pickverify/session.hpp>

#include <algorithm>
#include <limits>

#include <fmt/format.h>

namespace pickverify {

std::string_view to_string(Verdict verdict)
{
  switch (verdict) {
  case Verdict::accepted:
    return "accepted";
  case Verdict::wrong_variant:
    return "wrong_variant";
  case Verdict::wrong_item:
    return "wrong_item";
  case Verdict::over_quantity:
    return "over_quantity";
  case Verdict::unknown_code:
    return "unknown_code";
  case Verdict::malformed:
    return "malformed";
  case Verdict::duplicate:
    return "duplicate";
  case Verdict::serial_missing:
    return "serial_missing";
  case Verdict::serial_packed:
    return "serial_packed";
  case Verdict::sealed_pack:
    return "sealed_pack";
  }
  return "unknown";
}

std::string_view to_string(Role role)
{
  return role == Role::picker ? "picker" : "supervisor";
}

std::string_view to_string(SessionState state)
{
  switch (state) {
  case SessionState::idle:
    return "idle";
  case SessionState::active:
    return "active";
  case SessionState::blocked:
    return "blocked";
  case SessionState::complete:
    return "complete";
  case SessionState::awaiting_image_check:
    return "awaiting_image_check";
  case SessionState::released:
    return "released";
  case SessionState::packed:
    return "packed";
  case SessionState::abandoned:
    return "abandoned";
  }
  return "unknown";
}

std::string_view to_string(ImageCheckOutcome outcome)
{
  switch (outcome) {
  case ImageCheckOutcome::passed:
    return "passed";
  case ImageCheckOutcome::failed:
    return "failed";
  case ImageCheckOutcome::retake:
    return "retake";
  case ImageCheckOutcome::offline:
    return "offline";
  }
  return "unknown";
}

namespace {

bool is_final(SessionState state)
{
  return state == SessionState::packed || state == SessionState::abandoned;
}

// "size: scanned 10, order needs 9; width: scanned E, order needs D"; who needs it is "order" or,
// for a kit's part, "kit KIT-RUN".
// `only` becomes the name of the one attribute that differs ("size"), empty when several do.
std::string describe_differences(const Attributes& scanned, const Attributes& needed, const std::string& who,
                                 std::string& only)
{
  std::string text;
  std::size_t count = 0;
  for (const auto& [name, value] : needed) {
    auto it = scanned.find(name);
    const std::string have = it == scanned.end() ? "none" : it->second;
    if (have != value) {
      text += fmt::format("{}{}: scanned {}, {} needs {}", text.empty() ? "" : "; ", name, have, who, value);
      if (++count == 1) {
        only = name;
      }
    }
  }
  if (count != 1) {
    only.clear();
  }
  return text;
}

std::string line_label(const LineProgress& progress)
{
  return fmt::format("line {} {}", progress.line.line_no, progress.line.description);
}

bool needs_serial(const Item* item)
{
  return item && (item->serial_tracked || item->serial_label);
}

std::string serial_field(const ParsedCode& code)
{
  for (const auto& field : code.fields) {
    if (field.ai == "21") {
      return field.value;
    }
  }
  return {};
}

// A serial as AI 21 allows it (X..20: printable ASCII, no spaces), read from a label of its own.
bool is_serial_text(std::string_view text)
{
  return !text.empty() && text.size() <= 20 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

// What may follow a serial-label item's product barcode: its serial alone, as text (Code 128) or as
// GS1 with only AI 21.
bool is_serial_label(const ParsedCode& code)
{
  if (code.kind == CodeKind::text) {
    return true;
  }
  return code.kind == CodeKind::gs1_other && code.fields.size() == 1 && code.fields[0].ai == "21";
}

} // namespace

PackSession::PackSession(Order order, std::vector<ExpectedLine> lines, const Catalog& catalog, Policy policy)
    : m_order(std::move(order)), m_catalog(&catalog), m_policy(std::move(policy))
{
  for (auto& line : lines) {
    m_lines.push_back(LineProgress{std::move(line), 0});
  }
  m_needs_image_check = m_order.image_check_flagged || m_order.value.minor >= m_policy.high_value_threshold_minor;
  for (const auto& progress : m_lines) {
    if (!progress.line.sku.empty()) {
      const Item* item = m_catalog->find_item(progress.line.sku);
      m_needs_image_check = m_needs_image_check || (item && item->image_check_required);
    } else {
      for (const Item* item : m_catalog->items_of_style(progress.line.style)) {
        if (attributes_satisfy(item->attributes, progress.line.required_attributes)) {
          m_needs_image_check = m_needs_image_check || item->image_check_required;
        }
      }
    }
  }
}

Result<PackSession> PackSession::start(const Order& order, const Catalog& catalog, const Policy& policy)
{
  PV_TRY_ASSIGN(auto lines, expand_order(order, catalog));
  PackSession session(order, std::move(lines), catalog, policy);
  session.m_state = SessionState::active;
  return session;
}

ScanOutcome PackSession::apply(const ScanEvent& scan)
{
  return apply(scan, parse_code(scan.raw, scan.aim ? std::optional<std::string_view>(*scan.aim) : std::nullopt,
                                ParseOptions{m_policy.gs1_requisite_ais}));
}

ScanOutcome PackSession::apply(const ScanEvent& scan, const ParsedCode& code)
{
  // The bounce window: a scanner that reports one label twice must not count it twice.
  auto last = std::find_if(m_last_scan_by_source.begin(), m_last_scan_by_source.end(),
                           [&](const auto& entry) { return entry.first == scan.source; });
  const bool bounced = last != m_last_scan_by_source.end() && last->second.raw == scan.raw &&
                       scan.monotonic - last->second.at < m_policy.bounce_window && scan.monotonic >= last->second.at;
  if (last == m_last_scan_by_source.end()) {
    m_last_scan_by_source.emplace_back(scan.source, LastScan{scan.raw, scan.monotonic});
  } else {
    last->second = LastScan{scan.raw, scan.monotonic};
  }

  ScanOutcome outcome;
  if (is_final(m_state) || m_state == SessionState::released) {
    outcome.code = code;
    outcome.verdict = Verdict::over_quantity;
    outcome.message =
        fmt::format("order {} is already {}: nothing more goes in this box", m_order.id, to_string(m_state));
    outcome.state = m_state;
    return outcome;
  }
  if (bounced) {
    outcome.code = code;
    outcome.verdict = Verdict::duplicate;
    outcome.message =
        fmt::format("same code again within {} ms from {}: not counted", m_policy.bounce_window.count(), scan.source);
  } else if (m_awaiting_serial && is_serial_label(code)) {
    outcome = take_serial_label(code);
  } else {
    m_awaiting_serial.reset();
    outcome = check_serial(classify(code));
  }

  if (outcome.verdict == Verdict::accepted) {
    auto& progress = m_lines[*outcome.line_index];
    progress.verified += outcome.units;
    add_unit(outcome.code.gtin14, outcome.item, outcome.serial, outcome.units, outcome.pack);
    outcome.message = fmt::format("{}: now {}/{}{}", line_label(progress), progress.verified, progress.line.quantity,
                                  outcome.serial.empty() ? "" : fmt::format(" (serial {})", outcome.serial));
    if (!outcome.pack.empty()) {
      outcome.message += fmt::format(" ({} counted as {})", outcome.pack, outcome.units);
    }
  } else if (m_policy.alert_on.count(outcome.verdict)) {
    Alert alert;
    alert.verdict = outcome.verdict;
    alert.message = outcome.message;
    alert.gtin14 = outcome.code.gtin14;
    alert.serial = outcome.serial;
    alert.sku = outcome.item ? outcome.item->sku : std::string{};
    alert.line_index = outcome.line_index;
    alert.units = outcome.units;
    alert.pack = outcome.pack;
    outcome.alert_id = open_alert(std::move(alert));
  }
  update_state();
  outcome.state = m_state;
  return outcome;
}

void PackSession::add_unit(const std::string& gtin14, const Item* item, const std::string& serial, std::int32_t units,
                           const std::string& pack)
{
  std::int32_t pack_text = -1;
  if (!pack.empty()) {
    pack_text = static_cast<std::int32_t>(m_pack_texts.size());
    m_pack_texts.push_back(pack);
  }
  m_units.push_back(Unit{gtin14, item, serial, units, pack_text});
}

bool PackSession::serial_counted(const std::string& gtin14, const std::string& serial) const
{
  return std::any_of(m_units.begin(), m_units.end(),
                     [&](const Unit& unit) { return unit.serial == serial && unit.gtin14 == gtin14; });
}

// An accepted serial-tracked unit counts only with a serial of its own.
ScanOutcome PackSession::check_serial(ScanOutcome outcome)
{
  if (outcome.serial.empty()) {
    outcome.serial = serial_field(outcome.code);
  }
  if (outcome.verdict != Verdict::accepted || !needs_serial(outcome.item)) {
    return outcome;
  }
  if (!outcome.serial.empty()) {
    const std::string serial = outcome.serial;
    return judge_serial(std::move(outcome), serial);
  }
  outcome.verdict = Verdict::serial_missing;
  if (outcome.item->serial_label) {
    m_awaiting_serial = AwaitingSerial{outcome.code.gtin14, outcome.item, *outcome.line_index};
    outcome.message = fmt::format("{} ({}) is serial-tracked: scan its serial label now (not counted until you do)",
                                  outcome.item->description, outcome.item->sku);
  } else {
    outcome.message = fmt::format("{} ({}) is serial-tracked and this barcode carries no serial: scan the serial "
                                  "label (the GS1 barcode with (21) on the item); not counted",
                                  outcome.item->description, outcome.item->sku);
  }
  return outcome;
}

ScanOutcome PackSession::take_serial_label(const ParsedCode& code)
{
  const AwaitingSerial awaiting = *m_awaiting_serial;
  ScanOutcome outcome;
  outcome.code = code;
  outcome.code.gtin14 = awaiting.gtin14; // the row names the unit the serial belongs to
  outcome.item = awaiting.item;
  outcome.line_index = awaiting.line_index;
  const std::string serial = code.kind == CodeKind::text ? code.data : code.fields[0].value;
  if (!is_serial_text(serial)) {
    outcome.verdict = Verdict::serial_missing;
    outcome.message = fmt::format("'{}' is not a serial (1 to 20 characters, no spaces): scan the serial label of {}",
                                  serial.substr(0, 40), awaiting.item->description);
    return outcome;
  }
  m_awaiting_serial.reset();
  if (m_lines[awaiting.line_index].done()) {
    const auto& progress = m_lines[awaiting.line_index];
    outcome.verdict = Verdict::over_quantity;
    outcome.serial = serial;
    outcome.message =
        fmt::format("{} is already complete ({}/{}): this {} is one too many — take it out", line_label(progress),
                    progress.verified, progress.line.quantity, awaiting.item->description);
    return outcome;
  }
  outcome.verdict = Verdict::accepted;
  return judge_serial(std::move(outcome), serial);
}

ScanOutcome PackSession::judge_serial(ScanOutcome outcome, const std::string& serial)
{
  outcome.serial = serial;
  if (serial_counted(outcome.code.gtin14, serial)) {
    outcome.verdict = Verdict::duplicate;
    outcome.message = fmt::format("serial {} of {} is already counted on order {}: the same unit again — not counted",
                                  serial, outcome.item->description, m_order.id);
    return outcome;
  }
  if (m_serial_whereabouts) {
    if (auto where = m_serial_whereabouts(outcome.code.gtin14, serial)) {
      outcome.verdict = Verdict::serial_packed;
      outcome.line_index.reset(); // nothing to count it on: this unit cannot ship twice
      outcome.message = fmt::format("serial {} of {} was already packed in {}: set it aside and call a supervisor",
                                    serial, outcome.item->description, *where);
      return outcome;
    }
  }
  outcome.verdict = Verdict::accepted;
  return outcome;
}

ScanOutcome PackSession::classify(const ParsedCode& code)
{
  ScanOutcome outcome;
  outcome.code = code;
  switch (code.kind) {
  case CodeKind::malformed:
    outcome.verdict = Verdict::malformed;
    outcome.message =
        code.breaks_association
            ? fmt::format("this label breaks a GS1 rule ({}): nothing counted — set the item aside and scan its "
                          "product label",
                          code.reason)
            : fmt::format("could not use this read ({}): scan the item again", code.reason);
    return outcome;
  case CodeKind::text:
    outcome.verdict = Verdict::unknown_code;
    outcome.message = "not a product barcode: set the item aside and scan the product label";
    return outcome;
  case CodeKind::gs1_other:
    outcome.verdict = Verdict::unknown_code;
    outcome.message = "a GS1 label without a GTIN (a shipping label?): scan the product label";
    return outcome;
  case CodeKind::gtin:
  case CodeKind::variable_measure:
    break;
  }

  Identified found = m_catalog->identify(code.gtin14);
  for (std::size_t i = 0; !found && i < code.alternates.size(); ++i) {
    found = m_catalog->identify(code.alternates[i]);
    if (found) {
      outcome.code.gtin14 = code.alternates[i];
    }
  }
  const Item* item = found.item;
  if (!item) {
    outcome.verdict = Verdict::unknown_code;
    outcome.message =
        code.kind == CodeKind::variable_measure
            ? fmt::format("{} is a variable-measure (in-store) number, not in the catalog: set it aside", code.gtin14)
            : fmt::format("GTIN {} is not in the catalog: set the item aside and call a supervisor", code.gtin14);
    return outcome;
  }
  outcome.item = item;

  // How many eaches the scan stands for: one, a pack's quantity, or (37) times the GTIN of a (02) label.
  std::int64_t units = found.units();
  if (found.pack) {
    outcome.pack = describe_pack(*found.pack);
  }
  if (code.contained) {
    if (code.contained_count < 1) {
      outcome.verdict = Verdict::sealed_pack;
      outcome.message = fmt::format("a logistic label of {} without a count of items (37): nothing counted — open it "
                                    "and scan the items",
                                    item->description);
      return outcome;
    }
    units *= code.contained_count;
    outcome.pack = found.pack
                       ? fmt::format("a logistic unit of {} ({} {} of {})", units, code.contained_count,
                                     found.pack->level == "inner" ? "inner packs" : "cases", found.pack->quantity)
                       : fmt::format("a logistic unit of {}", units);
  }
  outcome.units = static_cast<std::int32_t>(std::min<std::int64_t>(units, std::numeric_limits<std::int32_t>::max()));
  const bool several = outcome.units > 1 || !outcome.pack.empty();
  // Sets the refusal without returning it: every return below names `outcome`, so the compiler
  // builds it in place (returning a copy from a lambda here cost a ScanOutcome move per scan).
  const auto refuse_sealed = [&](std::size_t line_index) {
    outcome.verdict = Verdict::sealed_pack;
    outcome.line_index = line_index;
    outcome.message = fmt::format("{} ({}): sealed packs are not counted here — open it and scan the items",
                                  outcome.pack, item->description);
  };

  // Lines this item fulfils: an exact SKU, or the style with every required attribute. A pack counts
  // on one line only, the first with room for all its units.
  std::optional<std::size_t> full_match;
  std::optional<std::size_t> short_match; // room for some of the units, not all
  for (std::size_t i = 0; i < m_lines.size(); ++i) {
    const auto& line = m_lines[i].line;
    const bool matches =
        line.sku.empty() ? line.style == item->style && attributes_satisfy(item->attributes, line.required_attributes)
                         : line.sku == item->sku;
    if (!matches) {
      continue;
    }
    const std::int32_t room = line.quantity - m_lines[i].verified;
    if (room >= outcome.units) {
      if (several && !m_policy.sealed_packs) {
        refuse_sealed(i);
        return outcome;
      }
      outcome.verdict = Verdict::accepted;
      outcome.line_index = i;
      return outcome;
    }
    if (room > 0) {
      short_match = short_match.value_or(i);
    } else {
      full_match = full_match.value_or(i);
    }
  }
  if (short_match && !m_policy.sealed_packs) {
    refuse_sealed(*short_match);
    return outcome;
  }
  if (short_match) {
    const auto& progress = m_lines[*short_match];
    const std::int32_t room = progress.line.quantity - progress.verified;
    outcome.verdict = Verdict::over_quantity;
    outcome.line_index = short_match;
    outcome.message = fmt::format("{} needs {} more ({}/{}): {} ({}) is {} too many — take it out, open it and scan "
                                  "the items",
                                  line_label(progress), room, progress.verified, progress.line.quantity, outcome.pack,
                                  item->description, outcome.units - room);
    return outcome;
  }
  if (full_match) {
    const auto& progress = m_lines[*full_match];
    outcome.verdict = Verdict::over_quantity;
    outcome.line_index = full_match;
    outcome.message =
        several
            ? fmt::format("{} is already complete ({}/{}): {} ({}) is {} too many — take it out", line_label(progress),
                          progress.verified, progress.line.quantity, outcome.pack, item->description, outcome.units)
            : fmt::format("{} is already complete ({}/{}): this {} is one too many — take it out", line_label(progress),
                          progress.verified, progress.line.quantity, item->description);
    return outcome;
  }

  // Same style, other attributes: name every difference against the first line still short.
  std::optional<std::size_t> style_match;
  for (std::size_t i = 0; i < m_lines.size(); ++i) {
    if (m_lines[i].line.style == item->style &&
        (!style_match || (m_lines[*style_match].done() && !m_lines[i].done()))) {
      style_match = i;
    }
  }
  if (style_match) {
    const auto& line = m_lines[*style_match].line;
    Attributes needed = line.required_attributes;
    if (!line.sku.empty()) {
      if (const Item* ordered = m_catalog->find_item(line.sku)) {
        needed = ordered->attributes;
      }
    }
    const std::string who = line.kit_sku.empty() ? std::string("order") : "kit " + line.kit_sku;
    std::string differences = describe_differences(item->attributes, needed, who, outcome.differing_attribute);
    if (differences.empty()) {
      differences = fmt::format("scanned {}, {} needs {}", item->sku, who, line.sku.empty() ? line.style : line.sku);
    }
    outcome.verdict = Verdict::wrong_variant;
    outcome.line_index = style_match;
    outcome.message = fmt::format("wrong variant for line {}: {}", line.line_no, differences);
    return outcome;
  }

  outcome.verdict = Verdict::wrong_item;
  outcome.message = fmt::format("{} ({}) is not on order {}: take it out", item->description, item->sku, m_order.id);
  return outcome;
}

std::int32_t PackSession::open_alert(Alert alert)
{
  alert.id = static_cast<std::int32_t>(m_alerts.size()) + 1;
  alert.open = true;
  m_alerts.push_back(std::move(alert));
  return m_alerts.back().id;
}

std::vector<const Alert*> PackSession::open_alerts() const
{
  std::vector<const Alert*> open;
  for (const auto& alert : m_alerts) {
    if (alert.open) {
      open.push_back(&alert);
    }
  }
  return open;
}

bool PackSession::all_lines_done() const
{
  return std::all_of(m_lines.begin(), m_lines.end(), [](const auto& line) { return line.done(); });
}

void PackSession::update_state()
{
  if (is_final(m_state) || m_state == SessionState::released || m_state == SessionState::idle) {
    return;
  }
  if (!open_alerts().empty()) {
    m_state = SessionState::blocked;
  } else if (!all_lines_done()) {
    m_state = SessionState::active;
  } else if (m_needs_image_check && !m_image_check_passed) {
    m_state = SessionState::awaiting_image_check;
  } else {
    m_state = SessionState::complete;
  }
}

std::vector<std::string> PackSession::missing() const
{
  std::vector<std::string> missing;
  for (const auto& progress : m_lines) {
    if (!progress.done()) {
      missing.push_back(fmt::format("{} — {} of {} scanned, {} missing", line_label(progress), progress.verified,
                                    progress.line.quantity, progress.line.quantity - progress.verified));
    }
  }
  return missing;
}

PackDecision PackSession::request_pack()
{
  PackDecision decision;
  if (m_state == SessionState::released || m_state == SessionState::packed) {
    decision.released = true;
    decision.state = m_state;
    return decision;
  }
  if (m_state == SessionState::abandoned) {
    decision.reasons.push_back(fmt::format("order {} was abandoned: start it again", m_order.id));
    decision.state = m_state;
    return decision;
  }
  for (const auto& missing_line : missing()) {
    decision.reasons.push_back("missing: " + missing_line);
  }
  for (const Alert* alert : open_alerts()) {
    decision.reasons.push_back(
        fmt::format("alert {} open: {} — a supervisor must clear it", alert->id, alert->message));
  }
  if (m_needs_image_check && !m_image_check_passed) {
    decision.reasons.push_back(fmt::format("image check required (order value {}): take the photo of the packed items",
                                           format_money(m_order.value)));
  }
  for (const auto& device : m_offline_devices) {
    decision.reasons.push_back(fmt::format("device {} is offline: reconnect it", device));
  }
  if (decision.reasons.empty()) {
    m_state = SessionState::released;
    decision.released = true;
  }
  decision.state = m_state;
  return decision;
}

ImageCheckRequest PackSession::image_check_request() const
{
  ImageCheckRequest request;
  for (const auto& unit : m_units) {
    ExpectedUnit expected{unit.gtin14, unit.item ? unit.item->sku : std::string{},
                          unit.item ? unit.item->description : std::string{}, unit.units};
    if (unit.pack_text >= 0) {
      expected.description += fmt::format(" ({})", m_pack_texts[static_cast<std::size_t>(unit.pack_text)]);
    }
    if (unit.item && unit.item->no_visible_barcode) {
      request.not_visible.push_back(std::move(expected));
    } else {
      request.expected.push_back(std::move(expected));
    }
  }
  return request;
}

Result<PackDecision> PackSession::apply_image_check(const ImageCheckResult& result)
{
  if (m_state != SessionState::awaiting_image_check) {
    return make_error(ErrorType::conflict,
                      fmt::format("order {} is {}, not waiting for an image check", m_order.id, to_string(m_state)));
  }
  if (result.outcome == ImageCheckOutcome::passed) {
    m_image_check_passed = true;
    update_state();
    return request_pack();
  }
  if (result.outcome == ImageCheckOutcome::failed) {
    Alert alert;
    alert.kind = AlertKind::image_check;
    alert.message = "image check failed: " + result.reason;
    open_alert(std::move(alert));
    update_state();
  }
  PackDecision decision;
  decision.state = m_state;
  decision.reasons.push_back(fmt::format("image check {}: {}", to_string(result.outcome), result.reason));
  return decision;
}

Result<void> PackSession::resolve_alert(std::int32_t alert_id, const AlertResolution& resolution)
{
  if (alert_id < 1 || alert_id > static_cast<std::int32_t>(m_alerts.size())) {
    return make_error(ErrorType::not_found, fmt::format("there is no alert {} on order {}", alert_id, m_order.id));
  }
  Alert& alert = m_alerts[static_cast<std::size_t>(alert_id - 1)];
  if (!alert.open) {
    return make_error(ErrorType::conflict, fmt::format("alert {} is already cleared", alert_id));
  }
  if (resolution.reason_code.empty()) {
    return make_error(ErrorType::invalid_input, "clearing an alert needs a reason code");
  }
  if (resolution.role == Role::picker) {
    if (resolution.override_mismatch || alert.kind != AlertKind::scan ||
        !m_policy.picker_may_clear.count(alert.verdict)) {
      return make_error(ErrorType::conflict,
                        fmt::format("a picker may not clear this alert ({}): call a supervisor", alert.message));
    }
  }
  if (resolution.override_mismatch) {
    // The supervisor accepts the scanned item in place of what the line asked for.
    if (alert.kind == AlertKind::scan) {
      if (!alert.line_index) {
        return make_error(ErrorType::conflict, "this item matches no order line: it can only be cleared, not counted");
      }
      auto& progress = m_lines[*alert.line_index];
      if (progress.done()) {
        return make_error(ErrorType::conflict,
                          fmt::format("{} is already complete: nothing to count it on", line_label(progress)));
      }
      const Item* item = m_catalog->find_item(alert.sku);
      if (needs_serial(item)) {
        if (alert.serial.empty()) {
          return make_error(ErrorType::conflict,
                            fmt::format("{} is serial-tracked and this scan carried no serial: clear the alert and "
                                        "scan the unit with its serial label",
                                        item->description));
        }
        if (serial_counted(alert.gtin14, alert.serial)) {
          return make_error(ErrorType::conflict,
                            fmt::format("serial {} is already counted on this order: nothing to count", alert.serial));
        }
        if (m_serial_whereabouts) {
          if (auto where = m_serial_whereabouts(alert.gtin14, alert.serial)) {
            return make_error(
                ErrorType::conflict,
                fmt::format("serial {} was already packed in {}: it cannot be counted", alert.serial, *where));
          }
        }
      }
      if (progress.verified + alert.units > progress.line.quantity) {
        return make_error(ErrorType::conflict,
                          fmt::format("{} needs {} more, this scan stands for {}: open it and scan the items instead",
                                      line_label(progress), progress.line.quantity - progress.verified, alert.units));
      }
      progress.verified += alert.units;
      add_unit(alert.gtin14, item, alert.serial, alert.units, alert.pack);
    } else {
      m_image_check_passed = true;
    }
  }
  alert.open = false;
  alert.overridden = resolution.override_mismatch;
  alert.resolved_by = resolution.role;
  alert.operator_id = resolution.operator_id;
  alert.reason_code = resolution.reason_code;
  alert.note = resolution.note;
  update_state();
  return {};
}

Result<void> PackSession::mark_packed()
{
  if (m_state != SessionState::released) {
    return make_error(ErrorType::conflict, fmt::format("order {} is {}: only a released pack can be closed", m_order.id,
                                                       to_string(m_state)));
  }
  m_state = SessionState::packed;
  return {};
}

Result<void> PackSession::abandon(const std::string& reason)
{
  if (is_final(m_state)) {
    return make_error(ErrorType::conflict, fmt::format("order {} is already {}", m_order.id, to_string(m_state)));
  }
  if (reason.empty()) {
    return make_error(ErrorType::invalid_input, "abandoning a session needs a reason");
  }
  m_state = SessionState::abandoned;
  return {};
}

void PackSession::set_device_online(const std::string& device_id, bool online)
{
  if (online) {
    m_offline_devices.erase(device_id);
  } else {
    m_offline_devices.insert(device_id);
  }
}

} // namespace pickverify
