// `audit verify` beyond the chain: checkpoints, anchors, guards, evidence.
#include <pickverify/expected.hpp>
#include <pickverify/journal_audit.hpp>

#include <algorithm>
#include <set>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <pickverify/journal_export.hpp>

namespace pickverify {

Result<AuditReport> audit_journal(Store& store, const AuditOptions& options)
{
  AuditReport report;
  auto chain = store.verify_chain();
  if (!chain) {
    return tl::unexpected(chain.error());
  }
  report.chain = *chain;

  std::set<std::string> trusted(options.trusted_keys.begin(), options.trusted_keys.end());
  for (const Checkpoint& anchor : options.anchors) {
    trusted.insert(anchor.public_key);
  }
  std::set<std::string> keys_seen;
  std::vector<std::string> hashes{""}; // hashes[seq], seq from 1
  std::set<std::string> evidence;
  auto read = store.read_journal({}, [&](const JournalEntry& row) {
    if (row.seq != static_cast<std::int64_t>(hashes.size())) {
      return true; // a gap: the chain check names it; keep positions honest below
    }
    hashes.push_back(row.hash);
    if (!row.evidence_hash.empty()) {
      evidence.insert(row.evidence_hash);
    }
    const auto detail = nlohmann::json::parse(row.detail.empty() ? "{}" : row.detail, nullptr, false);
    if (row.type == "image_check" && detail.is_object() && detail.contains("annotated_hash") &&
        detail["annotated_hash"].is_string() && !detail["annotated_hash"].get<std::string>().empty()) {
      evidence.insert(detail["annotated_hash"].get<std::string>());
    }
    if (row.type != "checkpoint") {
      return true;
    }
    auto checkpoint = Checkpoint::from_json(row.detail);
    if (!checkpoint) {
      report.problems.push_back(
          fmt::format("seq {}: checkpoint row is not readable: {}", row.seq, checkpoint.error().message));
      return true;
    }
    if (!checkpoint->signature_valid()) {
      report.problems.push_back(
          fmt::format("seq {}: checkpoint signature does not verify (key {})", row.seq, checkpoint->key_id));
      return true;
    }
    if (checkpoint->seq != row.seq - 1 || checkpoint->head_hash != row.prev_hash ||
        checkpoint->station != row.station) {
      report.problems.push_back(fmt::format("seq {}: checkpoint covers seq {} with hash {}, but the row before it "
                                            "has hash {}",
                                            row.seq, checkpoint->seq, checkpoint->head_hash, row.prev_hash));
      return true;
    }
    if (!trusted.empty() && !trusted.count(checkpoint->public_key)) {
      report.problems.push_back(fmt::format("seq {}: checkpoint signed by key {}, which is not a trusted station "
                                            "key (pass its .pub with --public-key if it is one)",
                                            row.seq, checkpoint->key_id));
      return true;
    }
    keys_seen.insert(checkpoint->key_id);
    ++report.checkpoints;
    report.last_checkpoint_seq = checkpoint->seq;
    return true;
  });
  if (!read) {
    return tl::unexpected(read.error());
  }
  report.keys_seen.assign(keys_seen.begin(), keys_seen.end());
  const auto last_seq = static_cast<std::int64_t>(hashes.size()) - 1;

  for (const Checkpoint& anchor : options.anchors) {
    const std::string when = format_utc_ms(anchor.utc_ms);
    if (!anchor.signature_valid()) {
      report.problems.push_back(fmt::format(
          "anchor of seq {} ({}): its signature does not verify; the anchor file was altered", anchor.seq, when));
      continue;
    }
    if (anchor.seq > last_seq) {
      report.problems.push_back(fmt::format("anchor of seq {} ({}): the journal ends at seq {}: rows were cut from "
                                            "the end, or the data folder was rolled back to an older copy",
                                            anchor.seq, when, last_seq));
    } else if (anchor.seq >= 1 && hashes[static_cast<std::size_t>(anchor.seq)] != anchor.head_hash) {
      report.problems.push_back(fmt::format("anchor of seq {} ({}): the journal's row {} has hash {}, the anchor "
                                            "says {}: the journal was rewritten",
                                            anchor.seq, when, anchor.seq, hashes[static_cast<std::size_t>(anchor.seq)],
                                            anchor.head_hash));
    }
  }

  PV_TRY_ASSIGN(auto guards, store.missing_guards());
  for (const std::string& guard : guards) {
    report.problems.push_back(
        fmt::format("guard trigger {} is missing: someone dropped it to change the journal", guard));
  }

  if (options.check_evidence) {
    for (const std::string& hash : evidence) {
      if (auto checked = options.check_evidence(hash); !checked) {
        report.problems.push_back(checked.error().message);
      } else {
        ++report.evidence_checked;
      }
    }
  }
  return report;
}

} // namespace pickverify
