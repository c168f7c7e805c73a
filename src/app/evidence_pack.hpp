// The evidence pack a merchant sends in a chargeback dispute (docs/EVIDENCE.md): one folder with a
// printable summary (HTML and PDF), the journal rows of the order's session and every row after them
// up to the signed checkpoint that covers them, the photos, and a signed manifest of every file.
// `verify_evidence_pack` checks a pack with no database: the rows hash to the signed checkpoint,
// the photos to their hashes, every file to the manifest, the signatures hold.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <pickverify/error.hpp>
#include <pickverify/journal_anchor.hpp>
#include <pickverify/store.hpp>

namespace pickverify::app {

struct EvidencePackOptions {
  std::string order_id;
  std::filesystem::path output;   // the pack's folder: created; must not exist or be empty
  std::filesystem::path data_dir; // where <data_dir>/evidence/ holds the photos
  // Signs the manifest, and a checkpoint when none covers the session yet.
  const StationKey* key = nullptr;
  std::string station;
};

struct EvidencePackWritten {
  std::string session_id;
  std::size_t session_rows = 0; // rows of the order's session
  std::size_t rows = 0;         // rows in journal.jsonl (the session's first to the checkpoint)
  std::size_t photos = 0;
  std::int64_t checkpoint_seq = 0;
  bool checkpoint_added = false; // none covered the session: one was journaled now
  std::string key_id;
};

Result<EvidencePackWritten> write_evidence_pack(Store& store, const EvidencePackOptions& options);

struct EvidencePackCheck {
  std::string order_id;
  std::string key_id;
  bool key_trusted = false; // the signing key is one of the trusted keys given
  std::int64_t checkpoint_seq = 0;
  std::size_t rows_checked = 0;
  std::size_t photos_checked = 0;
  std::size_t files_checked = 0;
  std::vector<std::string> problems; // each names the file (and the row) at fault
  bool ok() const { return problems.empty(); }
};

// trusted_keys: public keys (64 hex digits); when given, the pack must be signed by one of them.
// Fails only when the folder cannot be read at all; everything else is a problem in the report.
Result<EvidencePackCheck> verify_evidence_pack(const std::filesystem::path& folder,
                                               const std::vector<std::string>& trusted_keys);

} // namespace pickverify::app
