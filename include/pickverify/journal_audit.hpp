// `audit verify`: the journal checked against itself and against what is kept outside it (signed
// checkpoints, anchors, evidence files). docs/JOURNAL.md says what each check catches.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <pickverify/error.hpp>
#include <pickverify/journal_anchor.hpp>
#include <pickverify/store.hpp>

namespace pickverify {

// What `audit verify` checks besides the chain.
struct AuditOptions {
  std::vector<Checkpoint> anchors;       // kept elsewhere, taken earlier
  std::vector<std::string> trusted_keys; // public keys (hex); with anchors, their keys are trusted too
  // Checks one evidence file named in the journal by its SHA-256; empty: evidence is not checked.
  std::function<Result<void>(const std::string& sha256_hex)> check_evidence;
};

struct AuditReport {
  ChainReport chain;
  std::int64_t checkpoints = 0;         // checkpoint rows whose signature verified
  std::int64_t last_checkpoint_seq = 0; // the row the newest checkpoint covers
  std::int64_t evidence_checked = 0;    // evidence files found with their hash
  std::vector<std::string> keys_seen;   // key ids that signed checkpoints
  std::vector<std::string> problems;    // each names a seq or a file and what is wrong
  bool ok() const { return chain.intact() && problems.empty(); }
};

// The chain, every checkpoint's signature (and key, when keys are trusted), every anchor's seq and
// hash, the append-only guard triggers, and every evidence file.
Result<AuditReport> audit_journal(Store& store, const AuditOptions& options);

} // namespace pickverify
