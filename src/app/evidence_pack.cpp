#include "evidence_pack.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <pickverify/evidence.hpp>
#include <pickverify/expected.hpp>
#include <pickverify/journal_export.hpp>
#include <pickverify/sha256.hpp>
#include <pickverify/text.hpp>
#include <pickverify/weight.hpp>

#include "evidence_summary.hpp"
#include "terminal.hpp"
#include "utf8.hpp"

namespace pickverify::app {

namespace {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

constexpr const char* k_format = "pickverify-evidence-pack-v1";
constexpr const char* k_manifest = "manifest.json";
constexpr const char* k_signature = "manifest.sig";
constexpr const char* k_journal = "journal.jsonl";
constexpr const char* k_checkpoint = "checkpoint.json";

Result<std::string> read_file(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorType::not_found, fmt::format("{}: missing", path.filename().string()));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Result<void> write_file(const fs::path& path, std::string_view bytes)
{
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) {
    return make_error(ErrorType::io, fmt::format("{}: cannot be written", path.string()));
  }
  return {};
}

// --- Journal rows, exactly ----------------------------------------------------------------------

// Text fields go as JSON strings; one that is not UTF-8 (pickverify never writes such) as
// {"hex": …}, so every byte survives and the row hashes as it did in the database.
void put_text(Json& row, const char* name, const std::string& value)
{
  if (invalid_utf8_at(value)) {
    row[name] = Json{{"hex", text::to_hex(value)}};
  } else {
    row[name] = value;
  }
}

Json row_to_json(const JournalEntry& entry)
{
  Json row;
  row["seq"] = entry.seq;
  row["utc_ms"] = entry.utc_ms;
  put_text(row, "type", entry.type);
  put_text(row, "station", entry.station);
  put_text(row, "operator_id", entry.operator_id);
  put_text(row, "order_id", entry.order_id);
  put_text(row, "session_id", entry.session_id);
  row["raw_hex"] = text::to_hex(entry.raw);
  put_text(row, "aim", entry.aim);
  put_text(row, "source", entry.source);
  put_text(row, "gtin", entry.gtin);
  put_text(row, "ais", entry.ais);
  put_text(row, "verdict", entry.verdict);
  put_text(row, "reason", entry.reason);
  put_text(row, "evidence_hash", entry.evidence_hash);
  put_text(row, "detail", entry.detail);
  row["prev_hash"] = entry.prev_hash;
  row["hash"] = entry.hash;
  return row;
}

Result<JournalEntry> row_from_json(std::string_view line)
{
  const Json row = Json::parse(line.begin(), line.end(), nullptr, false);
  if (!row.is_object()) {
    return make_error(ErrorType::corrupt, "not a JSON object");
  }
  JournalEntry entry;
  auto field = [&](const char* name, std::string& into) -> bool {
    const auto it = row.find(name);
    if (it == row.end()) {
      return false;
    }
    if (it->is_string()) {
      into = it->get<std::string>();
      return true;
    }
    if (it->is_object() && it->contains("hex") && (*it)["hex"].is_string()) {
      auto bytes = text::from_hex((*it)["hex"].get<std::string>());
      if (bytes) {
        into = *bytes;
        return true;
      }
    }
    return false;
  };
  std::string raw_hex;
  const bool ok = row.contains("seq") && row["seq"].is_number_integer() && row.contains("utc_ms") &&
                  row["utc_ms"].is_number_integer() && field("type", entry.type) && field("station", entry.station) &&
                  field("operator_id", entry.operator_id) && field("order_id", entry.order_id) &&
                  field("session_id", entry.session_id) && field("raw_hex", raw_hex) && field("aim", entry.aim) &&
                  field("source", entry.source) && field("gtin", entry.gtin) && field("ais", entry.ais) &&
                  field("verdict", entry.verdict) && field("reason", entry.reason) &&
                  field("evidence_hash", entry.evidence_hash) && field("detail", entry.detail) &&
                  field("prev_hash", entry.prev_hash) && field("hash", entry.hash);
  if (!ok) {
    return make_error(ErrorType::corrupt, "a field is missing or has the wrong type");
  }
  auto raw = text::from_hex(raw_hex);
  if (!raw) {
    return make_error(ErrorType::corrupt, "raw_hex is not hex");
  }
  entry.raw = *raw;
  entry.seq = row["seq"].get<std::int64_t>();
  entry.utc_ms = row["utc_ms"].get<std::int64_t>();
  return entry;
}

nlohmann::json detail_of(const JournalEntry& entry)
{
  auto detail = nlohmann::json::parse(entry.detail.empty() ? "{}" : entry.detail, nullptr, false);
  return detail.is_object() ? detail : nlohmann::json::object();
}

std::string detail_text(const nlohmann::json& detail, const char* key)
{
  return detail.contains(key) && detail[key].is_string() ? detail[key].get<std::string>() : std::string{};
}

// --- JPEG size, for the PDF ---------------------------------------------------------------------

std::pair<int, int> jpeg_size(std::string_view jpeg)
{
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(jpeg[i]); };
  if (jpeg.size() < 4 || byte(0) != 0xFF || byte(1) != 0xD8) {
    return {0, 0};
  }
  std::size_t pos = 2;
  while (pos + 9 < jpeg.size()) {
    if (byte(pos) != 0xFF) {
      return {0, 0};
    }
    const unsigned char marker = byte(pos + 1);
    if (marker == 0xFF) {
      ++pos;
      continue;
    }
    const std::size_t length = static_cast<std::size_t>(byte(pos + 2)) << 8 | byte(pos + 3);
    const bool start_of_frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (start_of_frame) {
      const int height = byte(pos + 5) << 8 | byte(pos + 6);
      const int width = byte(pos + 7) << 8 | byte(pos + 8);
      return {width, height};
    }
    pos += 2 + length;
  }
  return {0, 0};
}

// --- The session ----------------------------------------------------------------------------------

// The session's last weighing as the manifest names it (the release's, when it was released):
// {seq, outcome, measured_mg, expected_mg, tolerance_mg}, the numbers as the weight_check row holds them.
std::optional<Json> last_weight(const std::vector<JournalEntry>& session_rows)
{
  for (auto row = session_rows.rbegin(); row != session_rows.rend(); ++row) {
    if (row->type != "weight_check") {
      continue;
    }
    const auto detail = detail_of(*row);
    Json weight;
    weight["seq"] = row->seq;
    weight["outcome"] = detail_text(detail, "outcome");
    for (const char* key : {"measured_mg", "expected_mg", "tolerance_mg"}) {
      if (detail.contains(key) && detail[key].is_number_integer()) {
        weight[key] = detail[key].get<std::int64_t>();
      }
    }
    return weight;
  }
  return std::nullopt;
}

struct Collected {
  std::string session_id;
  std::vector<JournalEntry> session_rows;
};

// The order's session that packed it; else its latest one.
Result<Collected> collect_session(Store& store, const std::string& order_id)
{
  JournalFilter filter;
  filter.order_id = order_id;
  std::vector<JournalEntry> rows;
  std::string packed_session;
  std::string last_session;
  auto read = store.read_journal(filter, [&](const JournalEntry& entry) {
    rows.push_back(entry);
    if (entry.type == "packed" && packed_session.empty()) {
      packed_session = entry.session_id;
    }
    if ((entry.type == "session_started" || entry.type == "session_resumed") && !entry.session_id.empty()) {
      last_session = entry.session_id;
    }
    return true;
  });
  if (!read) {
    return tl::unexpected(read.error().with_context("journal"));
  }
  Collected collected;
  collected.session_id = packed_session.empty() ? last_session : packed_session;
  if (collected.session_id.empty()) {
    return make_error(
        ErrorType::not_found,
        fmt::format("order {} has no session in the journal: nothing to put in an evidence pack", order_id));
  }
  for (auto& entry : rows) {
    if (entry.session_id == collected.session_id) {
      collected.session_rows.push_back(std::move(entry));
    }
  }
  return collected;
}

// Every row from `from` on, up to and including the first checkpoint row that covers `last`.
Result<std::vector<JournalEntry>> rows_to_checkpoint(Store& store, std::int64_t from, std::int64_t last,
                                                     std::optional<Checkpoint>& checkpoint)
{
  JournalFilter filter;
  filter.from_seq = from;
  std::vector<JournalEntry> rows;
  checkpoint.reset();
  auto read = store.read_journal(filter, [&](const JournalEntry& entry) {
    rows.push_back(entry);
    if (entry.type == "checkpoint" && entry.seq > last) {
      auto parsed = Checkpoint::from_json(entry.detail);
      if (parsed && parsed->seq >= last && parsed->seq == entry.seq - 1 && parsed->signature_valid()) {
        checkpoint = *parsed;
        return false;
      }
    }
    return true;
  });
  if (!read) {
    return tl::unexpected(read.error().with_context("journal"));
  }
  return rows;
}

std::string order_line_text(const OrderLine& line)
{
  std::string what = line.description;
  if (what.empty()) {
    what = line.sku.empty() ? line.style : line.sku;
    for (const auto& [name, value] : line.required_attributes) {
      what += fmt::format(" {}={}", name, value);
    }
  }
  return fmt::format("line {}: {} × {}", line.line_no, what, line.quantity);
}

EvidenceSummary summarise(const Order& order, const std::vector<JournalEntry>& session_rows)
{
  EvidenceSummary summary;
  summary.order_id = order.id;
  summary.customer = order.customer;
  summary.value = format_money(order.value);
  for (const auto& line : order.lines) {
    summary.lines.push_back(order_line_text(line));
  }
  summary.outcome = "not packed";
  std::map<std::int64_t, std::size_t> alert_index;
  for (const auto& row : session_rows) {
    const std::string time = format_utc_ms(row.utc_ms);
    const auto detail = detail_of(row);
    if (summary.session_id.empty()) {
      summary.session_id = row.session_id;
    }
    if (row.type == "session_started" || row.type == "session_resumed") {
      if (summary.started.empty()) {
        summary.started = time;
        summary.station = row.station;
        summary.picker = row.operator_id;
      }
      summary.events.push_back(fmt::format("{}  {} at station {}, picker {}", time,
                                           row.type == "session_started" ? "session started" : "session resumed",
                                           row.station, row.operator_id));
    } else if (row.type == "scan") {
      EvidenceSummary::Scan scan;
      scan.seq = row.seq;
      scan.time = time;
      scan.device = row.source;
      scan.operator_id = row.operator_id;
      scan.code = row.gtin.empty() ? escape_raw(row.raw) : row.gtin;
      scan.serial = detail_text(detail, "serial");
      scan.verdict = row.verdict.empty() ? "-" : row.verdict;
      scan.reason = row.reason;
      summary.scans.push_back(std::move(scan));
    } else if (row.type == "alert_opened") {
      EvidenceSummary::Alert alert;
      alert.id = detail.contains("alert_id") && detail["alert_id"].is_number_integer()
                     ? detail["alert_id"].get<std::int64_t>()
                     : static_cast<std::int64_t>(summary.alerts.size() + 1);
      alert.opened = time;
      alert.what = row.reason;
      alert.closed = "still open";
      alert_index[alert.id] = summary.alerts.size();
      summary.alerts.push_back(std::move(alert));
    } else if (row.type == "alert_cleared" || row.type == "override") {
      const std::int64_t id = detail.contains("alert_id") && detail["alert_id"].is_number_integer()
                                  ? detail["alert_id"].get<std::int64_t>()
                                  : 0;
      const std::string note = detail_text(detail, "note");
      const std::string closed =
          fmt::format("{} by {} {} at {}: {}{}", row.type == "override" ? "overridden (counted)" : "cleared",
                      detail_text(detail, "role"), row.operator_id, time, detail_text(detail, "reason_code"),
                      note.empty() ? "" : " — " + note);
      if (auto found = alert_index.find(id); found != alert_index.end()) {
        summary.alerts[found->second].closed = closed;
      } else {
        summary.events.push_back(fmt::format("{}  alert {} {}", time, id, closed));
      }
    } else if (row.type == "image_check") {
      summary.events.push_back(fmt::format("{}  image check {}: {}", time, row.verdict, row.reason));
      if (!row.evidence_hash.empty()) {
        summary.photos.push_back({fmt::format("original photo, image check at {}", time),
                                  "photos/" + row.evidence_hash + ".jpg", row.evidence_hash, 0, 0});
      }
      if (const std::string annotated = detail_text(detail, "annotated_hash"); !annotated.empty()) {
        summary.photos.push_back(
            {fmt::format("annotated photo, image check at {}", time), "photos/" + annotated + ".jpg", annotated, 0, 0});
      }
    } else if (row.type == "weight_check") {
      auto grams = [&](const char* key) {
        return detail.contains(key) && detail[key].is_number_integer() ? format_grams(detail[key].get<std::int64_t>())
                                                                       : std::string("-");
      };
      summary.weighings.push_back({row.seq, time, detail_text(detail, "outcome"),
                                   detail.contains("measured_mg") ? grams("measured_mg") : std::string("-"),
                                   fmt::format("{} ± {}", grams("expected_mg"), grams("tolerance_mg")), row.reason});
    } else if (row.type == "packed") {
      summary.outcome = fmt::format("packed at {} at station {} by {}", time, row.station, row.operator_id);
      summary.events.push_back(fmt::format("{}  packed: {}", time, row.reason));
    } else {
      summary.events.push_back(fmt::format("{}  {}{}{}", time, row.type,
                                           row.operator_id.empty() ? "" : " by " + row.operator_id,
                                           row.reason.empty() ? "" : ": " + row.reason));
      if (row.type == "pack_released" && summary.outcome == "not packed") {
        summary.outcome = fmt::format("released at {}, not yet closed", time);
      } else if (row.type == "session_abandoned") {
        summary.outcome = fmt::format("abandoned at {}", time);
      }
    }
  }
  return summary;
}

} // namespace

// --- Writing --------------------------------------------------------------------------------------

Result<EvidencePackWritten> write_evidence_pack(Store& store, const EvidencePackOptions& options)
{
  PV_TRY_ASSIGN(auto order, store.find_order(options.order_id), fmt::format("order {}", options.order_id));
  if (!order) {
    return make_error(ErrorType::not_found, fmt::format("order {} is not known", options.order_id));
  }
  std::error_code ec;
  if (fs::exists(options.output, ec) && !fs::is_empty(options.output, ec)) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("{}: exists and is not empty; give a new folder", options.output.string()));
  }
  PV_TRY_ASSIGN(auto collected, collect_session(store, options.order_id));
  const auto& session_rows = collected.session_rows;
  const std::int64_t first = session_rows.front().seq;
  const std::int64_t last = session_rows.back().seq;

  EvidencePackWritten written;
  written.session_id = collected.session_id;
  written.session_rows = session_rows.size();
  std::optional<Checkpoint> checkpoint;
  PV_TRY_ASSIGN(auto rows, rows_to_checkpoint(store, first, last, checkpoint));
  if (!checkpoint) {
    // Nothing signed covers the session yet (it ended after the last checkpoint): sign the head now.
    if (!options.key) {
      return make_error(ErrorType::conflict, "no checkpoint covers this session and no station key was given");
    }
    store.set_checkpoint_signer(options.key, options.station, CheckpointPolicy{});
    PV_TRY(store.append_checkpoint(), "checkpoint");
    written.checkpoint_added = true;
    PV_TRY_ASSIGN(rows, rows_to_checkpoint(store, first, last, checkpoint));
    if (!checkpoint) {
      return make_error(ErrorType::internal, "the checkpoint just journaled was not found");
    }
  }
  written.rows = rows.size();
  written.checkpoint_seq = checkpoint->seq;
  written.key_id = checkpoint->key_id;

  fs::create_directories(options.output / "photos", ec);
  if (ec) {
    return make_error(ErrorType::io, fmt::format("{}: cannot be created: {}", options.output.string(), ec.message()));
  }

  EvidenceSummary summary = summarise(*order, session_rows);
  summary.first_seq = rows.front().seq;
  summary.last_seq = rows.back().seq;
  summary.checkpoint_seq = checkpoint->seq;
  summary.checkpoint_time = format_utc_ms(checkpoint->utc_ms);
  summary.key_id = checkpoint->key_id;
  summary.public_key = checkpoint->public_key;

  // Photos: copied from the evidence store, checked against the hash the journal holds.
  std::set<std::string> copied;
  for (auto& photo : summary.photos) {
    if (!is_sha256_hex(photo.sha256)) {
      return make_error(ErrorType::corrupt,
                        fmt::format("evidence hash '{}' in the journal is not a SHA-256", terminal_safe(photo.sha256)));
    }
    const fs::path source = evidence_path(options.data_dir, photo.sha256);
    auto bytes = read_file(source);
    if (!bytes) {
      return make_error(ErrorType::not_found, fmt::format("evidence photo {}: missing", source.string()));
    }
    const std::string actual = sha256_hex(*bytes);
    if (actual != photo.sha256) {
      return make_error(ErrorType::corrupt, fmt::format("evidence photo {}: altered (its SHA-256 is now {}): not "
                                                        "put in a pack",
                                                        source.string(), actual));
    }
    const auto [width, height] = jpeg_size(*bytes);
    photo.width = width;
    photo.height = height;
    if (copied.insert(photo.sha256).second) {
      PV_TRY(write_file(options.output / photo.file, *bytes));
    }
  }
  written.photos = copied.size();

  std::string journal;
  for (const auto& row : rows) {
    journal += row_to_json(row).dump() + "\n";
  }
  const std::string checkpoint_json = checkpoint->to_json() + "\n";
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {k_journal, journal}, {k_checkpoint, checkpoint_json}, {"summary.html", render_summary_html(summary)}}) {
    PV_TRY(write_file(options.output / name, bytes));
  }
  PV_TRY(write_summary_pdf(summary, options.output, options.output / "summary.pdf"));

  // The manifest names every file with its SHA-256 and is signed by the station key: a byte
  // changed anywhere, a file swapped, added or removed is found.
  Json manifest;
  manifest["format"] = k_format;
  manifest["order_id"] = options.order_id;
  manifest["session_id"] = collected.session_id;
  manifest["first_seq"] = rows.front().seq;
  manifest["checkpoint_seq"] = checkpoint->seq;
  if (auto weight = last_weight(session_rows)) {
    manifest["weight"] = *weight;
  }
  Json files = Json::array();
  std::vector<std::string> names{k_checkpoint, k_journal, "summary.html", "summary.pdf"};
  for (const auto& hash : copied) {
    names.push_back("photos/" + hash + ".jpg");
  }
  for (const auto& name : names) {
    PV_TRY_ASSIGN(auto bytes, read_file(options.output / name));
    files.push_back({{"path", name}, {"sha256", sha256_hex(bytes)}, {"bytes", bytes.size()}});
  }
  manifest["files"] = files;
  const StationKey* signer = options.key;
  if (!signer) {
    return make_error(ErrorType::conflict, "signing the manifest needs the station key");
  }
  manifest["key_id"] = signer->key_id();
  manifest["public_key"] = signer->public_key_hex();
  const std::string manifest_text = manifest.dump(2) + "\n";
  PV_TRY(write_file(options.output / k_manifest, manifest_text));
  PV_TRY(write_file(options.output / k_signature, signer->sign(manifest_text) + "\n"));
  return written;
}

// --- Verifying --------------------------------------------------------------------------------

Result<EvidencePackCheck> verify_evidence_pack(const fs::path& folder, const std::vector<std::string>& trusted_keys)
{
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    return make_error(ErrorType::invalid_input, fmt::format("{}: not a folder", folder.string()));
  }
  EvidencePackCheck check;
  auto problem = [&](std::string text) { check.problems.push_back(std::move(text)); };
  const std::set<std::string> trusted(trusted_keys.begin(), trusted_keys.end());

  // 1. The manifest and its signature.
  auto manifest_text = read_file(folder / k_manifest);
  if (!manifest_text) {
    problem("manifest.json: missing: this is not an evidence pack, or it was emptied");
    return check;
  }
  const Json manifest = Json::parse(*manifest_text, nullptr, false);
  if (!manifest.is_object() || manifest.value("format", "") != k_format || !manifest.contains("files") ||
      !manifest["files"].is_array() || !manifest.contains("public_key") || !manifest["public_key"].is_string()) {
    problem("manifest.json: not a pickverify evidence pack manifest (it was changed)");
    return check;
  }
  check.order_id = manifest.value("order_id", "");
  const std::string public_key = manifest["public_key"].get<std::string>();
  check.key_id = key_id_of(public_key);
  auto signature = read_file(folder / k_signature);
  std::string signature_hex = signature ? *signature : std::string{};
  while (!signature_hex.empty() && (signature_hex.back() == '\n' || signature_hex.back() == '\r')) {
    signature_hex.pop_back();
  }
  if (!signature) {
    problem("manifest.sig: missing");
  } else if (!verify_signature(public_key, *manifest_text, signature_hex)) {
    problem("manifest.json / manifest.sig: the signature does not verify: the manifest or its signature was "
            "changed");
  }
  check.key_trusted = trusted.count(public_key) > 0;
  if (!trusted.empty() && !check.key_trusted) {
    problem(fmt::format("manifest.json: signed by key {}, which is not one of the trusted station keys given",
                        check.key_id));
  }

  // 2. Every file against the manifest; nothing else in the folder.
  std::map<std::string, std::string> listed;
  for (const auto& file : manifest["files"]) {
    if (!file.is_object() || !file.contains("path") || !file["path"].is_string() || !file.contains("sha256") ||
        !file["sha256"].is_string()) {
      problem("manifest.json: a file entry is not {path, sha256}");
      continue;
    }
    const std::string path = file["path"].get<std::string>();
    if (path.find("..") != std::string::npos || (!path.empty() && path.front() == '/')) {
      problem(fmt::format("manifest.json: file '{}' points outside the pack", terminal_safe(path)));
      continue;
    }
    listed[path] = file["sha256"].get<std::string>();
  }
  std::map<std::string, std::string> content; // path → bytes, of the files that match
  for (const auto& [path, hash] : listed) {
    auto bytes = read_file(folder / path);
    if (!bytes) {
      problem(fmt::format("{}: missing", path));
      continue;
    }
    const std::string actual = sha256_hex(*bytes);
    ++check.files_checked;
    if (actual != hash) {
      problem(fmt::format("{}: changed (its SHA-256 is {}, the manifest says {})", path, actual, hash));
    }
    content[path] = std::move(*bytes);
  }
  for (auto it = fs::recursive_directory_iterator(folder, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) {
      continue;
    }
    const std::string relative = fs::relative(it->path(), folder).generic_string();
    if (relative != k_manifest && relative != k_signature && !listed.count(relative)) {
      problem(fmt::format("{}: not part of the pack (added afterwards)", terminal_safe(relative)));
    }
  }

  // 3. The journal rows: each hashes to its own hash, each follows the one before, and the last one
  // before the checkpoint row is what the checkpoint signs.
  auto checkpoint_text = content.find(k_checkpoint);
  std::optional<Checkpoint> checkpoint;
  if (checkpoint_text == content.end()) {
    problem("checkpoint.json: missing from the pack");
  } else if (auto parsed = Checkpoint::from_json(checkpoint_text->second); !parsed) {
    problem(fmt::format("checkpoint.json: not readable: {}", parsed.error().message));
  } else {
    checkpoint = *parsed;
    check.checkpoint_seq = checkpoint->seq;
    if (!checkpoint->signature_valid()) {
      problem(fmt::format("checkpoint.json: the signature of the checkpoint of seq {} does not verify: it was "
                          "changed",
                          checkpoint->seq));
    }
    if (checkpoint->public_key != public_key) {
      problem(
          fmt::format("checkpoint.json: signed by key {}, the manifest by key {}", checkpoint->key_id, check.key_id));
    }
  }
  auto journal = content.find(k_journal);
  if (journal == content.end()) {
    problem("journal.jsonl: missing from the pack");
    return check;
  }
  std::vector<JournalEntry> rows;
  std::istringstream lines(journal->second);
  std::string line;
  std::size_t line_no = 0;
  bool rows_readable = true;
  while (std::getline(lines, line)) {
    ++line_no;
    auto row = row_from_json(line);
    if (!row) {
      problem(fmt::format("journal.jsonl:{}: {}", line_no, row.error().message));
      rows_readable = false;
      continue;
    }
    rows.push_back(std::move(*row));
  }
  std::optional<std::size_t> checkpoint_row;
  for (std::size_t i = 0; rows_readable && i < rows.size(); ++i) {
    const JournalEntry& row = rows[i];
    ++check.rows_checked;
    if (journal_row_hash(row, row.prev_hash) != row.hash) {
      problem(
          fmt::format("journal.jsonl:{} (seq {}): the row does not hash to its hash: it was changed", i + 1, row.seq));
    }
    if (i > 0 && (row.seq != rows[i - 1].seq + 1 || row.prev_hash != rows[i - 1].hash)) {
      problem(fmt::format("journal.jsonl:{} (seq {}): does not follow the row before it (seq {}): rows were "
                          "removed, added or reordered",
                          i + 1, row.seq, rows[i - 1].seq));
    }
    if (checkpoint && row.type == "checkpoint" && row.seq == checkpoint->seq + 1) {
      checkpoint_row = i;
    }
  }
  if (rows_readable && checkpoint) {
    if (!checkpoint_row || *checkpoint_row == 0) {
      problem(fmt::format("journal.jsonl: holds no checkpoint row for seq {}: the rows do not reach the signed "
                          "checkpoint",
                          checkpoint->seq));
    } else {
      const JournalEntry& covered = rows[*checkpoint_row - 1];
      if (covered.hash != checkpoint->head_hash) {
        problem(fmt::format("journal.jsonl:{} (seq {}): its hash {} is not the one the checkpoint signs ({})",
                            *checkpoint_row, covered.seq, covered.hash, checkpoint->head_hash));
      }
      auto in_row = Checkpoint::from_json(rows[*checkpoint_row].detail);
      if (!in_row || in_row->signature != checkpoint->signature) {
        problem(fmt::format("journal.jsonl:{}: the checkpoint row differs from checkpoint.json", *checkpoint_row + 1));
      }
    }
  }

  // 4. The weight the manifest states is the one its journal row holds.
  if (manifest.contains("weight")) {
    const auto& stated = manifest["weight"];
    const std::int64_t seq = stated.is_object() ? stated.value("seq", std::int64_t{0}) : 0;
    const auto row = std::find_if(rows.begin(), rows.end(), [&](const JournalEntry& r) { return r.seq == seq; });
    if (row == rows.end() || row->type != "weight_check") {
      problem(
          fmt::format("manifest.json: the weight names journal row {}, which is not a weight check in the pack", seq));
    } else if (auto held = last_weight({*row}); !held || *held != stated) {
      problem(
          fmt::format("manifest.json: the weight differs from journal row {} ({})", seq, terminal_safe(row->reason)));
    }
  }

  // 5. The photos the session's rows name: in the pack, with the bytes those hashes say.
  std::set<std::string> photos;
  for (const auto& row : rows) {
    if (row.order_id != check.order_id || row.session_id != manifest.value("session_id", "")) {
      continue;
    }
    if (!row.evidence_hash.empty()) {
      photos.insert(row.evidence_hash);
    }
    if (row.type == "image_check") {
      if (const std::string annotated = detail_text(detail_of(row), "annotated_hash"); !annotated.empty()) {
        photos.insert(annotated);
      }
    }
  }
  for (const auto& hash : photos) {
    const std::string path = "photos/" + hash + ".jpg";
    auto bytes = content.find(path);
    if (bytes == content.end()) {
      if (!listed.count(path)) {
        problem(fmt::format("{}: the journal names this photo, the pack does not hold it", path));
      }
      continue;
    }
    ++check.photos_checked;
    const std::string actual = sha256_hex(bytes->second);
    if (actual != hash) {
      problem(fmt::format("{}: its SHA-256 is {}, the journal row says {}: the photo was changed", path, actual, hash));
    }
  }
  return check;
}

} // namespace pickverify::app
