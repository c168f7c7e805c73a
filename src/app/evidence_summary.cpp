// The evidence pack's printable summary: HTML (a browser prints it) and PDF drawn with cairo, the
// photos embedded as the JPEG bytes the journal's hashes name.
#include "evidence_summary.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>

#include <cairo-pdf.h>
#include <cairo.h>
#include <fmt/format.h>

#include "terminal.hpp"

namespace pickverify::app {

namespace {

// Text from the journal, safe for HTML: control characters as \xHH (terminal_safe), then the five
// HTML metacharacters as entities.
std::string html(std::string_view text)
{
  std::string out;
  for (const char c : terminal_safe(text)) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

} // namespace

std::string render_summary_html(const EvidenceSummary& s)
{
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += fmt::format("<title>Evidence: order {}</title>\n", html(s.order_id));
  out += "<style>\nbody{font-family:sans-serif;font-size:10pt;margin:1.5cm}\n"
         "table{border-collapse:collapse;width:100%;margin-bottom:1em}\n"
         "th,td{border:1px solid #999;padding:2px 4px;text-align:left;vertical-align:top}\n"
         "th{background:#eee}.hash{font-family:monospace;font-size:8pt;word-break:break-all}\n"
         "img{max-width:100%;max-height:12cm;border:1px solid #999}\n"
         "@media print{figure{page-break-inside:avoid}}\n</style>\n</head>\n<body>\n";
  out += fmt::format("<h1>Pack verification evidence — order {}</h1>\n", html(s.order_id));
  out += "<table>\n";
  out += fmt::format("<tr><th>Order</th><td>{}</td></tr>\n", html(s.order_id));
  out += fmt::format("<tr><th>Customer</th><td>{}</td></tr>\n", html(s.customer.empty() ? "-" : s.customer));
  out += fmt::format("<tr><th>Value</th><td>{}</td></tr>\n", html(s.value));
  out += fmt::format("<tr><th>Station</th><td>{}</td></tr>\n", html(s.station));
  out += fmt::format("<tr><th>Picker</th><td>{}</td></tr>\n", html(s.picker));
  out += fmt::format("<tr><th>Session</th><td>{} (started {})</td></tr>\n", html(s.session_id), html(s.started));
  out += fmt::format("<tr><th>Outcome</th><td>{}</td></tr>\n", html(s.outcome));
  out += "</table>\n<h2>Order lines</h2>\n<ul>\n";
  for (const auto& line : s.lines) {
    out += fmt::format("<li>{}</li>\n", html(line));
  }
  out += "</ul>\n<h2>Every scan</h2>\n<table>\n<tr><th>seq</th><th>time (UTC)</th><th>device</th><th>operator</th>"
         "<th>code</th><th>serial</th><th>verdict</th><th>what the station said</th></tr>\n";
  for (const auto& scan : s.scans) {
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                       "</tr>\n",
                       scan.seq, html(scan.time), html(scan.device), html(scan.operator_id), html(scan.code),
                       html(scan.serial), html(scan.verdict), html(scan.reason));
  }
  out += "</table>\n<h2>Alerts</h2>\n";
  if (s.alerts.empty()) {
    out += "<p>No alert was opened.</p>\n";
  } else {
    out += "<table>\n<tr><th>alert</th><th>opened</th><th>what was wrong</th><th>who cleared it, and why</th></tr>\n";
    for (const auto& alert : s.alerts) {
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", alert.id, html(alert.opened),
                         html(alert.what), html(alert.closed));
    }
    out += "</table>\n";
  }
  out += "<h2>Weight</h2>\n";
  if (s.weighings.empty()) {
    out += "<p>The pack was not weighed.</p>\n";
  } else {
    out += "<table>\n<tr><th>seq</th><th>time (UTC)</th><th>weighed</th><th>expected</th><th>outcome</th>"
           "<th>station said</th></tr>\n";
    for (const auto& w : s.weighings) {
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", w.seq,
                         html(w.time), html(w.measured), html(w.expected), html(w.outcome), html(w.message));
    }
    out += "</table>\n";
  }
  out += "<h2>Other events</h2>\n<ul>\n";
  for (const auto& event : s.events) {
    out += fmt::format("<li>{}</li>\n", html(event));
  }
  out += "</ul>\n<h2>Photos</h2>\n";
  if (s.photos.empty()) {
    out += "<p>No image check photo belongs to this session.</p>\n";
  }
  for (const auto& photo : s.photos) {
    out += fmt::format("<figure><img src=\"{}\" alt=\"{}\"><figcaption>{}<br>SHA-256 <span class=\"hash\">{}"
                       "</span></figcaption></figure>\n",
                       html(photo.file), html(photo.label), html(photo.label), html(photo.sha256));
  }
  out += "<h2>Integrity</h2>\n<p>";
  out += fmt::format("This pack holds journal rows {} to {} (<code>journal.jsonl</code>), hash-chained, and the "
                     "checkpoint of row {} signed at {} by station key {} (<code>checkpoint.json</code>). "
                     "Public key: <span class=\"hash\">{}</span>.</p>\n",
                     s.first_seq, s.last_seq, s.checkpoint_seq, html(s.checkpoint_time), html(s.key_id),
                     html(s.public_key));
  out += "<p>Check it without the database: <code>pickverify evidence verify FOLDER --public-key STATION.pub"
         "</code>. It recomputes every row's SHA-256 up to the signed checkpoint, checks every photo and every "
         "file of the pack against their hashes and the signed manifest, and names anything changed.</p>\n";
  out += "</body>\n</html>\n";
  return out;
}

namespace {

constexpr double k_page_width = 595.0; // A4 in points
constexpr double k_page_height = 842.0;
constexpr double k_margin = 42.0;
constexpr double k_text_size = 8.5;

struct CairoDeleter {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
  void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};

// A page-filling writer: lines of text wrapped to the width, headings, images; a new page when full.
class PdfWriter {
public:
  explicit PdfWriter(const std::filesystem::path& path)
      : m_surface(cairo_pdf_surface_create(path.c_str(), k_page_width, k_page_height)),
        m_cr(cairo_create(m_surface.get()))
  {
    cairo_pdf_surface_set_metadata(m_surface.get(), CAIRO_PDF_METADATA_CREATOR, "pickverify evidence");
  }

  void title(const std::string& text) { write(text, 15.0, true, 0); }
  void heading(const std::string& text)
  {
    m_y += 6;
    write(text, 11.0, true, 0);
  }
  void text(const std::string& text, double indent = 0, bool bold = false) { write(text, k_text_size, bold, indent); }
  void mono(const std::string& text, double indent = 0) { write(text, 7.0, false, indent, true); }
  void gap(double points) { m_y += points; }
  // Starts a new page unless `points` more fit on this one (a photo stays with its caption).
  void keep_together(double points)
  {
    if (m_y + points > k_page_height - k_margin) {
      new_page();
    }
  }
  static double drawn_height(int width, int height)
  {
    return width > 0 && height > 0 ? std::min((k_page_width - 2 * k_margin) / width, 300.0 / height) * height : 20.0;
  }

  // The JPEG bytes themselves go into the PDF (cairo's MIME data): what is printed is the photo
  // whose hash is in the journal, not a re-encoding.
  void jpeg(const std::string& bytes, int width, int height)
  {
    if (width <= 0 || height <= 0 || width > 20000 || height > 20000) {
      text("(photo could not be embedded: not a baseline JPEG)");
      return;
    }
    const double scale = std::min((k_page_width - 2 * k_margin) / width, 300.0 / height);
    const double drawn = height * scale;
    keep_together(drawn);
    std::unique_ptr<cairo_surface_t, CairoDeleter> image(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height));
    auto* copy = new std::string(bytes);
    cairo_surface_set_mime_data(
        image.get(), CAIRO_MIME_TYPE_JPEG, reinterpret_cast<const unsigned char*>(copy->data()), copy->size(),
        [](void* data) { delete static_cast<std::string*>(data); }, copy);
    cairo_save(m_cr.get());
    cairo_translate(m_cr.get(), k_margin, m_y);
    cairo_scale(m_cr.get(), scale, scale);
    cairo_set_source_surface(m_cr.get(), image.get(), 0, 0);
    cairo_paint(m_cr.get());
    cairo_restore(m_cr.get());
    m_y += drawn + 4;
  }

  Result<void> finish()
  {
    cairo_show_page(m_cr.get());
    m_cr.reset();
    cairo_surface_finish(m_surface.get());
    const cairo_status_t status = cairo_surface_status(m_surface.get());
    if (status != CAIRO_STATUS_SUCCESS) {
      return make_error(ErrorType::io, fmt::format("summary.pdf: {}", cairo_status_to_string(status)));
    }
    return {};
  }

private:
  void new_page()
  {
    cairo_show_page(m_cr.get());
    m_y = k_margin;
  }

  void write(const std::string& raw, double size, bool bold, double indent, bool monospace = false)
  {
    cairo_t* cr = m_cr.get();
    cairo_select_font_face(cr, monospace ? "DejaVu Sans Mono" : "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_set_source_rgb(cr, 0, 0, 0);
    const double width = k_page_width - 2 * k_margin - indent;
    const double line_height = size * 1.3;
    for (const std::string& line : wrap(terminal_safe(raw), width)) {
      if (m_y + line_height > k_page_height - k_margin) {
        new_page();
        cairo_select_font_face(cr, monospace ? "DejaVu Sans Mono" : "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, size);
      }
      m_y += line_height;
      cairo_move_to(cr, k_margin + indent, m_y - size * 0.3);
      cairo_show_text(cr, line.c_str());
    }
  }

  double text_width(const std::string& text)
  {
    cairo_text_extents_t extents;
    cairo_text_extents(m_cr.get(), text.c_str(), &extents);
    return extents.x_advance;
  }

  // Greedy word wrap; a word longer than the line (a hash) is broken where it must be.
  std::vector<std::string> wrap(const std::string& text, double width)
  {
    std::vector<std::string> lines;
    std::string current;
    std::istringstream words(text);
    std::string word;
    while (words >> word) {
      const std::string candidate = current.empty() ? word : current + " " + word;
      if (text_width(candidate) <= width) {
        current = candidate;
        continue;
      }
      if (!current.empty()) {
        lines.push_back(current);
        current.clear();
      }
      while (text_width(word) > width && word.size() > 1) {
        std::size_t cut = word.size();
        while (cut > 1 && text_width(word.substr(0, cut)) > width) {
          --cut;
          while (cut > 1 && (static_cast<unsigned char>(word[cut]) & 0xC0) == 0x80) {
            --cut; // never inside a UTF-8 sequence
          }
        }
        lines.push_back(word.substr(0, cut));
        word = word.substr(cut);
      }
      current = word;
    }
    if (!current.empty() || lines.empty()) {
      lines.push_back(current);
    }
    return lines;
  }

  std::unique_ptr<cairo_surface_t, CairoDeleter> m_surface;
  std::unique_ptr<cairo_t, CairoDeleter> m_cr;
  double m_y = k_margin;
};

} // namespace

Result<void> write_summary_pdf(const EvidenceSummary& s, const std::filesystem::path& folder,
                               const std::filesystem::path& pdf)
{
  PdfWriter out(pdf);
  out.title(fmt::format("Pack verification evidence — order {}", s.order_id));
  out.gap(4);
  out.text(fmt::format("Customer: {}    Value: {}", s.customer.empty() ? "-" : s.customer, s.value));
  out.text(fmt::format("Station: {}    Picker: {}", s.station, s.picker));
  out.text(fmt::format("Session: {}, started {}", s.session_id, s.started));
  out.text(fmt::format("Outcome: {}", s.outcome), 0, true);

  out.heading("Order lines");
  for (const auto& line : s.lines) {
    out.text(line, 10);
  }
  out.heading("Every scan");
  for (const auto& scan : s.scans) {
    out.text(fmt::format("seq {}  {}  {}  operator {}  {}{}  → {}", scan.seq, scan.time, scan.device, scan.operator_id,
                         scan.code, scan.serial.empty() ? "" : "  serial " + scan.serial, scan.verdict),
             10, scan.verdict != "accepted");
    out.text(scan.reason, 24);
  }
  out.heading("Alerts");
  if (s.alerts.empty()) {
    out.text("No alert was opened.", 10);
  }
  for (const auto& alert : s.alerts) {
    out.text(fmt::format("alert {} opened {}: {}", alert.id, alert.opened, alert.what), 10, true);
    out.text(alert.closed, 24);
  }
  out.heading("Weight");
  if (s.weighings.empty()) {
    out.text("The pack was not weighed.", 10);
  }
  for (const auto& w : s.weighings) {
    out.text(fmt::format("seq {}  {}  weighed {}, expected {}  → {}", w.seq, w.time, w.measured, w.expected, w.outcome),
             10, w.outcome != "passed" && w.outcome != "skipped");
    out.text(w.message, 24);
  }
  out.heading("Other events");
  for (const auto& event : s.events) {
    out.text(event, 10);
  }
  out.heading("Photos");
  if (s.photos.empty()) {
    out.text("No image check photo belongs to this session.", 10);
  }
  for (const auto& photo : s.photos) {
    std::ifstream in(folder / photo.file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    out.keep_together(PdfWriter::drawn_height(photo.width, photo.height) + 40);
    out.text(photo.label, 0, true);
    out.jpeg(bytes.str(), photo.width, photo.height);
    out.mono("SHA-256 " + photo.sha256);
    out.gap(4);
  }
  out.heading("Integrity");
  out.text(fmt::format("This pack holds journal rows {} to {} (journal.jsonl), hash-chained, and the checkpoint of "
                       "row {} signed at {} by station key {} (checkpoint.json).",
                       s.first_seq, s.last_seq, s.checkpoint_seq, s.checkpoint_time, s.key_id));
  out.mono("public key " + s.public_key);
  out.text("Check it without the database: pickverify evidence verify FOLDER --public-key STATION.pub — it "
           "recomputes every row's SHA-256 up to the signed checkpoint, checks every photo and file against their "
           "hashes and the signed manifest, and names anything changed.");
  return out.finish();
}

} // namespace pickverify::app
