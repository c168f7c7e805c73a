// What the printable summary of an evidence pack shows, taken from the session's journal rows; the
// HTML and the PDF (cairo, evidence_pdf.cpp) are two renderings of it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <pickverify/error.hpp>

namespace pickverify::app {

struct EvidenceSummary {
  struct Scan {
    std::int64_t seq = 0;
    std::string time;
    std::string device;
    std::string operator_id;
    std::string code; // the GTIN, else the scanned bytes (escaped)
    std::string serial;
    std::string verdict;
    std::string reason;
  };
  struct Alert {
    std::int64_t id = 0;
    std::string opened;
    std::string what;
    std::string closed; // "cleared by supervisor SUP-1 at …: item_set_aside — note", or "open"
  };
  // One weight_check row: the box on the scale against what its contents and packaging weigh.
  struct Weighing {
    std::int64_t seq = 0;
    std::string time;
    std::string outcome;  // passed, too_heavy, too_light, impossible, skipped, no_reading
    std::string measured; // "1,240 g", or "-" when the scale gave no reading
    std::string expected; // "1,010 g ± 40 g"
    std::string message;  // what the station said
  };
  struct Photo {
    std::string label; // "original" / "annotated"
    std::string file;  // relative to the pack: photos/<sha256>.jpg
    std::string sha256;
    int width = 0;
    int height = 0;
  };
  std::string order_id;
  std::string customer;
  std::string value;
  std::vector<std::string> lines; // "line 1: Trail runner, size 9, width D × 1"
  std::string station;
  std::string picker;
  std::string session_id;
  std::string started;
  std::string outcome; // "packed at … by …", "released", "open"
  std::vector<Scan> scans;
  std::vector<Alert> alerts;
  std::vector<Weighing> weighings;
  std::vector<std::string> events; // image checks, releases, takeovers, refusals
  std::vector<Photo> photos;
  std::int64_t first_seq = 0;
  std::int64_t last_seq = 0;
  std::int64_t checkpoint_seq = 0;
  std::string checkpoint_time;
  std::string key_id;
  std::string public_key;
};

std::string render_summary_html(const EvidenceSummary& summary);
// Photos are read from folder / photo.file and embedded as they are (JPEG).
Result<void> write_summary_pdf(const EvidenceSummary& summary, const std::filesystem::path& folder,
                               const std::filesystem::path& pdf);

} // namespace pickverify::app
