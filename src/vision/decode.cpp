// The decode pipeline on Debian's ZXing 1.4, safe by construction: only the single-result reader is
// called (zxing_reader.hpp), so the asserting merge code of ReadBarcodes never runs. Each symbol found
// is painted over and the image asked again, which also counts two identical labels as two.
//   1. Whole frame, 1D formats, then matrix formats (separately: a 1D pass is cheap, a matrix pass
//      binarizes the frame; each repeats once per symbol found).
//   2. Regions that look like barcodes (dense edges) in what is left, each cut out centred on its
//      edge energy, because ZXing's DataMatrix detector only looks along the image's centre lines,
//      and looked at several ways (tight and stretched, other binarizer, magnified, turned upright)
//      until one reads: our own multi-scale for small codes in large frames.
//   3. Every read passes the GTIN/GS1 rules (parse_code), EAN-8/UPC-E need quiet zones, and two texts
//      from one 1D symbol cancel each other: a miss is better than a misread.
//   4. Still effort only (a photo, not a video frame): what is left after 1-3 is looked at through
//      several image preparations, each read by ZXing and most by zbar too. Those reads are votes,
//      not results: a place where votes disagree gives nothing, a 1D text counts when two
//      preparations or readers agree on it, a matrix symbol (its own error correction) when one reads it.
//   5. Small square regions still unread go to read_fine_datamatrix (matrix_grid.hpp): DataMatrix
//      at 1.2-2 px per module, too fine for ZXing's detector. Still effort: up to k_fine_matrix_tries
//      regions, outline turned upright and a fitted module grid; hands-free: a few regions, the
//      upright outline only.
#include <pickverify/codes.hpp>
#include <pickverify/decode.hpp>

#include "decode_geometry.hpp"
#include "frame_mat.hpp"
#include "matrix_grid.hpp"
#include "zbar_reader.hpp"
#include "zxing_reader.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <exception>
#include <numeric>

namespace pickverify {

std::string_view to_string(BarcodeFormat format)
{
  switch (format) {
  case BarcodeFormat::none:
    return "none";
  case BarcodeFormat::ean13:
    return "EAN-13";
  case BarcodeFormat::ean8:
    return "EAN-8";
  case BarcodeFormat::upca:
    return "UPC-A";
  case BarcodeFormat::upce:
    return "UPC-E";
  case BarcodeFormat::code128:
    return "Code 128";
  case BarcodeFormat::datamatrix:
    return "DataMatrix";
  case BarcodeFormat::qr:
    return "QR Code";
  case BarcodeFormat::station:
    return "station";
  }
  return "unknown";
}

namespace vision {

namespace {

// Candidate regions looked at per round, and reads per region before moving on.
constexpr int k_max_candidates = 12;
constexpr int k_max_reads_per_region = 6;
constexpr int k_candidate_rounds = 2;
// Regions smaller than these (pixels) are also tried magnified 3x / 2x; larger than the last, halved.
constexpr int k_tiny_region = 72;
constexpr int k_small_region = 200;
constexpr int k_large_region = 1000;
// Regions smaller than this are magnified at least 2x when turned upright.
constexpr int k_turn_magnify_region = 700;
// Pixels around a region in its tight crop.
constexpr int k_tight_margin = 10;
// Looks at candidate regions per frame: a frame of texture (a patterned box, a noisy dark shot) has
// many regions that read nothing; this bounds what it costs.
constexpr int k_max_looks_per_frame = 24;
// Still effort: frames up to this side are prepared at full and double size, larger ones at full and
// half; each preparation reads at most this many symbols.
constexpr int k_still_small_frame = 1100;
constexpr int k_still_reads_per_pass = 8;
// Still effort: a 1D text only zbar read counts when this many preparations gave it.
constexpr long k_zbar_alone_preparations = 3;
// Still effort: regions that look like barcodes given their own preparations.
constexpr int k_still_regions = 6;
// Regions looked at for DataMatrix too fine for ZXing's detector (read_fine_datamatrix), the most
// of them tried per frame (still, hands-free: about 5-15 and 2-4 ms each), and the largest side
// (pixels) such a region has.
constexpr int k_fine_matrix_regions = 40;
constexpr int k_fine_matrix_tries = 16;
constexpr int k_fine_matrix_tries_hands_free = 4;
constexpr int k_fine_matrix_max_region = 96;
// Bars turned less than this from upright or from lying are ZXing's own business (rows and tryRotate).
constexpr double k_min_turn_degrees = 8.0;

constexpr std::uint32_t k_matrix_formats =
    static_cast<std::uint32_t>(BarcodeFormat::datamatrix) | static_cast<std::uint32_t>(BarcodeFormat::qr);

bool is_ean_upc(BarcodeFormat format)
{
  return format == BarcodeFormat::ean13 || format == BarcodeFormat::ean8 || format == BarcodeFormat::upca ||
         format == BarcodeFormat::upce;
}

float size_of(const Quad& quad)
{
  float size = 0;
  for (int i = 0; i < 4; ++i) {
    const auto d = quad[static_cast<std::size_t>(i)] - quad[static_cast<std::size_t>((i + 1) % 4)];
    size = std::max(size, std::hypot(d.x, d.y));
  }
  return size;
}

// Modules from the first bar to the last, guards included.
constexpr int k_ean8_modules = 67;
constexpr int k_upce_modules = 51;
// Light modules an EAN/UPC symbol needs on each side (GS1: EAN-8 7, UPC-E 9 on the right; 7 is the
// least of them): no bar may start within them.
constexpr int k_quiet_zone_modules = 7;
// Beyond the quiet zone, how far a dark run is followed to tell a bar (at most 4 modules wide in any
// station symbology) from the label's edge or the background (wider, or running on).
constexpr float k_widest_bar_modules = 4.5F;
constexpr float k_bar_search_modules = 11.0F;
// A quiet zone the image's edge cuts off counts when this much of it is visible and clean.
constexpr float k_cut_quiet_zone_modules = 2.0F;
// EAN/UPC symbols whose modules are narrower than this (pixels, in the image read) are read again
// before they count (confirm_small_ean): at 1.2-1.6 px a blurred, compressed edge lands a module off
// in many rows at once, and the rows agree on a wrong text whose check still holds.
constexpr float k_confirm_module_px = 2.5F;
constexpr int k_ean13_modules = 95;

float sample_across(const cv::Mat& grey, cv::Point2f at, cv::Point2f across)
{
  float sum = 0;
  for (int k = -1; k <= 1; ++k) {
    const cv::Point2f p = at + across * static_cast<float>(k);
    sum += grey.at<std::uint8_t>(static_cast<int>(p.y), static_cast<int>(p.x));
  }
  return sum / 3.0F;
}

// Whether a bar starts within the quiet zone beyond one end of a scan line: samples from one module
// out (blur smears the last bar's edge) along dir, dark meaning under threshold. A dark run wider
// than any bar, or one running past the search, is the label's edge or what lies beyond it (a
// tightly cut label on a darker pack), not a bar. Leaving the image ends the search: clean so far
// over k_cut_quiet_zone_modules passes (a photo cropped close to the symbol).
bool bar_in_quiet_zone(const cv::Mat& grey, cv::Point2f end, cv::Point2f dir, cv::Point2f across, float module,
                       float threshold)
{
  const cv::Rect inside(1, 1, grey.cols - 2, grey.rows - 2);
  const float step = std::max(0.5F, module * 0.25F);
  float run_start = -1;
  for (float t = module; t <= module * k_bar_search_modules; t += step) {
    const cv::Point2f p = end + dir * t;
    const cv::Point2f a = p - dir * (step * 0.5F);
    const cv::Point2f b = p + dir * (step * 0.5F);
    bool visible = true;
    for (const cv::Point2f& q : {a, p, b}) {
      visible = visible && inside.contains(cv::Point(static_cast<int>(q.x), static_cast<int>(q.y)));
    }
    if (!visible) {
      // The image ends here: a run still open is the edge's business, a clean stretch must be long enough.
      const float clean = run_start < 0 ? t : run_start;
      return clean < module * k_cut_quiet_zone_modules;
    }
    const float v =
        (sample_across(grey, a, across) + sample_across(grey, p, across) + sample_across(grey, b, across)) / 3.0F;
    if (v < threshold) {
      if (run_start < 0) {
        run_start = t;
      }
    } else if (run_start >= 0) {
      const float width = t - run_start;
      if (run_start <= module * k_quiet_zone_modules && width <= module * k_widest_bar_modules) {
        return true; // a bar: light, dark, light again
      }
      if (run_start > module * k_quiet_zone_modules) {
        return false;
      }
      run_start = -1; // too wide for a bar: an edge or a shadow, and light again after it
    }
  }
  return false;
}

// An EAN-8 or UPC-E read can be the middle of something longer (an EAN-13, a Code 128, a fence): its
// few digits and one check digit prove little. A real one has quiet zones on both sides with no bar
// in them. Each side is tested along lines at several heights of the bars (traced from the scan
// line), and one clean line per side is enough: the digits printed beside a UPC-E's lower bars, or a
// fold, spoil some lines, while a longer symbol's bars cross them all.
bool has_quiet_zones(const cv::Mat& grey, const Quad& scan_line, int modules)
{
  if (grey.cols < 4 || grey.rows < 4) {
    return false;
  }
  const Quad bars = trace_linear_symbol(grey, scan_line);
  bool left_clean = false;
  bool right_clean = false;
  for (const float f : {0.5F, 0.3F, 0.7F, 0.15F, 0.85F}) {
    const cv::Point2f left = bars[0] + (bars[3] - bars[0]) * f;
    const cv::Point2f right = bars[1] + (bars[2] - bars[1]) * f;
    const cv::Point2f span = right - left;
    const float length = std::hypot(span.x, span.y);
    if (length < static_cast<float>(modules)) {
      return false;
    }
    const cv::Point2f u = span * (1.0F / length);
    const cv::Point2f across(-u.y, u.x);
    const float module = length / static_cast<float>(modules);
    const cv::Rect inside(1, 1, grey.cols - 2, grey.rows - 2);
    std::vector<float> inner;
    for (float t = 0; t <= length; t += 0.5F) {
      const cv::Point2f p = left + u * t;
      if (!inside.contains(cv::Point(static_cast<int>(p.x), static_cast<int>(p.y)))) {
        inner.clear();
        break;
      }
      inner.push_back(sample_across(grey, p, across));
    }
    if (inner.empty()) {
      continue;
    }
    // Percentiles rather than extremes: noise would stretch min and max.
    std::sort(inner.begin(), inner.end());
    const float dark = inner[inner.size() / 10];
    const float light = inner[inner.size() * 9 / 10];
    const float threshold = (dark + light) / 2.0F;
    left_clean = left_clean || !bar_in_quiet_zone(grey, left, -u, across, module, threshold);
    right_clean = right_clean || !bar_in_quiet_zone(grey, right, u, across, module, threshold);
    if (left_clean && right_clean) {
      return true;
    }
  }
  return false;
}

// Two 1D reads that lie along the same bars (one above the other, same span, little gap between)
// are one printed symbol read twice: a scratch or a fold across its bars can give rows that agree
// with each other on a wrong text.
bool same_linear_symbol(const Quad& a, const Quad& b)
{
  const cv::Point2f span = (a[1] - a[0]) + (a[2] - a[3]);
  const float length = std::hypot(span.x, span.y);
  if (length < 1.0F) {
    return false;
  }
  const cv::Point2f u = span * (1.0F / length);
  const cv::Point2f v(-u.y, u.x);
  auto extent = [](const Quad& q, cv::Point2f axis) {
    float lo = 1e9F;
    float hi = -1e9F;
    for (const auto& p : q) {
      const float d = p.dot(axis);
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    return std::make_pair(lo, hi);
  };
  const auto [a_lo, a_hi] = extent(a, u);
  const auto [b_lo, b_hi] = extent(b, u);
  const float overlap = std::min(a_hi, b_hi) - std::max(a_lo, b_lo);
  const float shorter = std::min(a_hi - a_lo, b_hi - b_lo);
  if (shorter <= 0 || overlap < 0.8F * shorter) {
    return false;
  }
  const auto [a_top, a_bottom] = extent(a, v);
  const auto [b_top, b_bottom] = extent(b, v);
  const float gap = std::max(a_top, b_top) - std::min(a_bottom, b_bottom);
  const float height = std::max(a_bottom - a_top, b_bottom - b_top);
  return gap <= 0.5F * height;
}

// The bar area of a 1D symbol grown across the bars by a quarter of its height on both sides.
Quad with_text_band(const Quad& bars)
{
  const cv::Point2f down_left = (bars[3] - bars[0]) * 0.25F;
  const cv::Point2f down_right = (bars[2] - bars[1]) * 0.25F;
  return {bars[0] - down_left, bars[1] - down_right, bars[2] + down_right, bars[3] + down_left};
}

// Whether two EAN/UPC texts are one number: the same text, or UPC-A and its EAN-13 form.
bool same_number(const std::string& a, BarcodeFormat a_format, const std::string& b, BarcodeFormat b_format)
{
  if (a == b) {
    return a_format == b_format || (a_format != BarcodeFormat::upce && b_format != BarcodeFormat::upce &&
                                    a_format != BarcodeFormat::ean8 && b_format != BarcodeFormat::ean8);
  }
  const auto long_form = [](BarcodeFormat f) { return f == BarcodeFormat::upca || f == BarcodeFormat::ean13; };
  if (!long_form(a_format) || !long_form(b_format)) {
    return false;
  }
  const auto na = normalize_gtin(a);
  const auto nb = normalize_gtin(b);
  return na && nb && *na == *nb;
}

enum class Confirmation { confirmed, contradicted, unconfirmed };

// A small-module EAN/UPC read, read again: the symbol cut out with its quiet zones, magnified so
// its modules are about 3-4 px wide, read by ZXing and by zbar, then at its own size by zbar and by
// ZXing's other binarizer. The first read of the same number confirms it; an EAN/UPC read of another
// number before that contradicts it (a digit off on one side or the other: neither is trusted), and
// nothing read leaves it unconfirmed. The whole-frame read this checks cannot confirm itself: the
// rows that agree on a wrong text share its binarization.
Confirmation confirm_small_ean(const cv::Mat& pixels, const Quad& bars, const ZxingRead& read, float module)
{
  constexpr std::uint32_t ean_upc =
      static_cast<std::uint32_t>(BarcodeFormat::ean13) | static_cast<std::uint32_t>(BarcodeFormat::ean8) |
      static_cast<std::uint32_t>(BarcodeFormat::upca) | static_cast<std::uint32_t>(BarcodeFormat::upce);
  float x0 = 1e9F;
  float y0 = 1e9F;
  float x1 = -1e9F;
  float y1 = -1e9F;
  for (const auto& p : with_text_band(bars)) {
    x0 = std::min(x0, p.x);
    y0 = std::min(y0, p.y);
    x1 = std::max(x1, p.x);
    y1 = std::max(y1, p.y);
  }
  const float margin = std::max(16.0F, 12.0F * module);
  const cv::Rect box = cv::Rect(static_cast<int>(x0 - margin), static_cast<int>(y0 - margin),
                                static_cast<int>(x1 - x0 + 2 * margin), static_cast<int>(y1 - y0 + 2 * margin)) &
                       cv::Rect(0, 0, pixels.cols, pixels.rows);
  if (box.width < k_min_zxing_side || box.height < k_min_zxing_side) {
    return Confirmation::unconfirmed;
  }
  const cv::Mat crop = pixels(box);
  const double magnify = std::clamp(3.5 / static_cast<double>(std::max(module, 0.5F)), 2.0, 4.0);
  cv::Mat big;
  cv::resize(crop, big, cv::Size(), magnify, magnify, cv::INTER_CUBIC);
  bool contradicted = false;
  // Returns true when the verdict is in.
  const auto judge_read = [&](const std::string& text, BarcodeFormat format) {
    if (same_number(text, format, read.text, read.format)) {
      return true;
    }
    contradicted = true;
    return false;
  };
  const auto zxing = [&](const cv::Mat& image, Binarizer binarizer) {
    const auto again = read_one(image, ean_upc, true, binarizer);
    return again && judge_read(again->text, again->format);
  };
  const auto zbar = [&](const cv::Mat& image) {
    bool same = false;
    for (const auto& z : read_zbar(image, ean_upc)) {
      same = judge_read(z.text, z.format) || same;
    }
    return same;
  };
  const bool confirmed = zxing(big, Binarizer::local_average) || zbar(big) || zbar(crop) ||
                         zxing(big, Binarizer::global_histogram) || zxing(crop, Binarizer::global_histogram);
  if (contradicted) {
    return Confirmation::contradicted;
  }
  return confirmed ? Confirmation::confirmed : Confirmation::unconfirmed;
}

// Modules from the first bar to the last of an EAN/UPC symbol, guards included.
int ean_upc_modules(BarcodeFormat format)
{
  return format == BarcodeFormat::ean8   ? k_ean8_modules
         : format == BarcodeFormat::upce ? k_upce_modules
                                         : k_ean13_modules;
}

// confirm_small_ean for an EAN/UPC read whose modules (bars: its traced bar area in pixels) are
// under k_confirm_module_px; every other read stands as it is.
Confirmation confirm_if_small(const cv::Mat& pixels, const Quad& bars, const ZxingRead& read)
{
  if (!is_ean_upc(read.format)) {
    return Confirmation::confirmed;
  }
  const cv::Point2f span = bars[1] - bars[0];
  const float module = std::hypot(span.x, span.y) / static_cast<float>(ean_upc_modules(read.format));
  return module < k_confirm_module_px ? confirm_small_ean(pixels, bars, read, module) : Confirmation::confirmed;
}

// The GTIN/GS1 rules a read must keep: an EAN/UPC holds a GTIN, a GS1 symbol (]C1, ]d2, ]Q3) holds a
// valid element string. A symbol without FNC1 (]C0, ]d1, ]Q1) is not GS1 whatever its digits look
// like: parse_code's guess that "01..." or "00..." is GS1 with a lost FNC1 is for keyboard wedges,
// not for a reader that saw the symbol (real Code 128 labels hold such numbers); its own check
// character or error correction protects it.
bool passes_code_rules(const ZxingRead& read)
{
  const bool gs1_symbol = read.aim == "]C1" || read.aim == "]d2" || read.aim == "]Q3";
  if (!is_ean_upc(read.format) && !gs1_symbol) {
    return true;
  }
  const auto parsed = parse_code(read.text, read.aim);
  if (parsed.kind == CodeKind::malformed) {
    return false;
  }
  return !is_ean_upc(read.format) || parsed.kind == CodeKind::gtin || parsed.kind == CodeKind::variable_measure;
}

struct Found {
  Symbol symbol;
  Quad quad;
  bool is_linear = false;
};

// One way of looking at a part of the frame: a crop, magnified or shrunk, possibly turned.
struct Look {
  double scale = 1.0;
  double turn_degrees = 0.0; // counter-clockwise, about the crop's centre
  Binarizer binarizer = Binarizer::local_average;
  bool stretch = false; // contrast stretched to the full grey range first
};

// The pixels of one look, and the way from them back to the frame's pixels.
struct View {
  cv::Mat pixels;
  cv::Matx23d to_frame;
  bool shares_frame = false; // painting the view paints the frame
};

class Pipeline {
public:
  Pipeline(cv::Mat grey, const DecodeOptions& options)
      : m_work(std::move(grey)), m_options(options), m_formats(static_cast<std::uint32_t>(options.formats()))
  {
  }

  std::vector<Symbol> run()
  {
    // 1D and matrix symbols in separate passes over the whole frame: a 1D pass is row scanning
    // (about 1-2 ms on 1080p), a matrix pass binarizes the frame (5-8 ms). Each pass repeats once per
    // symbol found, so keeping the cheap one apart keeps a frame full of labels cheap.
    const cv::Rect whole(0, 0, m_work.cols, m_work.rows);
    scan(whole, Look{}, m_formats & ~k_matrix_formats, m_options.max_symbols());
    scan(whole, Look{}, m_formats & k_matrix_formats, m_options.max_symbols());
    if (m_options.multi_scale()) {
      for (int round = 0; round < k_candidate_rounds && !full(); ++round) {
        const auto found_before = m_found.size();
        for (const auto& region : find_candidate_regions(m_work, k_max_candidates)) {
          if (full()) {
            break;
          }
          scan_region(region);
        }
        if (m_found.size() == found_before) {
          break;
        }
      }
    }
    if (m_options.effort() == DecodeEffort::still && !full()) {
      still_passes();
    } else if (m_options.multi_scale() && !full() &&
               (m_formats & static_cast<std::uint32_t>(BarcodeFormat::datamatrix)) != 0) {
      fine_datamatrix(m_work, k_fine_matrix_tries_hands_free, true);
    }
    std::sort(m_found.begin(), m_found.end(), [](const Found& a, const Found& b) {
      const auto ca = centre_of(a.quad);
      const auto cb = centre_of(b.quad);
      return std::make_pair(ca.y, ca.x) < std::make_pair(cb.y, cb.x);
    });
    std::vector<Symbol> symbols;
    symbols.reserve(m_found.size());
    for (auto& found : m_found) {
      symbols.push_back(std::move(found.symbol));
    }
    return symbols;
  }

private:
  bool full() const { return static_cast<int>(m_found.size()) >= m_options.max_symbols(); }

  // A region that looks like a barcode, cut out centred on itself so a DataMatrix in it crosses the
  // crop's centre lines, then looked at in several ways until one reads something: as it is, with
  // the other binarizer, magnified when small, shrunk when large, and turned upright when its
  // edges run one way (a 1D symbol at an angle no row crosses completely).
  void scan_region(const Candidate& candidate)
  {
    const cv::Rect& region = candidate.box;
    for (const auto& found : m_found) {
      if (contains(found.quad, candidate.centre, size_of(found.quad) * 0.25F)) {
        return; // what is left of a symbol already read: its text, its label's edge
      }
    }
    const int size = std::max(region.width, region.height);
    const int margin = std::max(16, size / 3);
    // Centred on the energy, padded past the frame's edge if need be: the crop's centre lines must
    // run through the symbol.
    const auto cx = static_cast<int>(candidate.centre.x);
    const auto cy = static_cast<int>(candidate.centre.y);
    const int half_width = std::max(cx - region.x, region.x + region.width - cx) + margin;
    const int half_height = std::max(cy - region.y, region.y + region.height - cy) + margin;
    const cv::Rect crop(cx - half_width, cy - half_height, 2 * half_width, 2 * half_height);
    // Tight around the region, so a 1D row threshold is not pulled by what lies beside the label
    // (a bright box next to a label in shadow), and stretched to the full grey range.
    const cv::Rect tight = cv::Rect(region.x - k_tight_margin, region.y - k_tight_margin,
                                    region.width + 2 * k_tight_margin, region.height + 2 * k_tight_margin) &
                           cv::Rect(0, 0, m_work.cols, m_work.rows);
    const double magnify = size < k_tiny_region ? 3.0 : size < k_small_region ? 2.0 : 1.0;
    std::vector<std::pair<cv::Rect, Look>> looks = {
        {crop, Look{}},
        {tight, Look{1.0, 0.0, Binarizer::local_average, true}},
        {crop, Look{1.0, 0.0, Binarizer::global_histogram}},
    };
    if (magnify > 1.0) {
      looks.push_back({crop, Look{magnify, 0.0, Binarizer::local_average}});
    }
    if (size > k_large_region) {
      looks.push_back({crop, Look{0.5, 0.0, Binarizer::local_average}});
    }
    if (const auto angle = dominant_bar_angle(m_work(region))) {
      const double from_upright = std::abs(*angle);
      if (from_upright > k_min_turn_degrees && from_upright < 90.0 - k_min_turn_degrees) {
        // Turning interpolates once more: give the modules room.
        const double turned_scale = size < k_turn_magnify_region ? std::max(2.0, magnify) : 1.0;
        looks.push_back({tight, Look{turned_scale, -*angle, Binarizer::local_average, true}});
      }
    }
    for (const auto& [rect, look] : looks) {
      if (full() || m_looks >= k_max_looks_per_frame) {
        break;
      }
      ++m_looks;
      if (scan(rect, look, m_formats, k_max_reads_per_region) > 0) {
        break;
      }
    }
  }

  // --- Still effort -------------------------------------------------------------------------------

  enum class Reader { zxing, zbar };

  // One read from one preparation, in frame pixels.
  struct Vote {
    ZxingRead read;
    Quad quad;
    int preparation = 0; // which pixels it was read in
    Reader reader = Reader::zxing;
    bool mild = false; // read in pixels only scaled or cut out, not filtered
    bool quiet = true; // false: an EAN-8/UPC-E without quiet zones, which can only disagree
  };

  enum class Filter { none, clahe, sharpen, smooth, invert };

  // A way of preparing the whole frame: scaled, then filtered, then read by ZXing (with the given
  // binarizer) and/or zbar.
  struct Preparation {
    double scale = 1.0;
    Filter filter = Filter::none;
    Binarizer binarizer = Binarizer::local_average;
    bool zxing = true;
    bool zbar = true;
  };

  // Pixels to read, and the way back to the frame's.
  struct Prepared {
    cv::Mat pixels;
    cv::Matx23d to_frame;
  };

  static std::vector<Preparation> frame_preparations(cv::Size size)
  {
    using B = Binarizer;
    const int longest = std::max(size.width, size.height);
    if (longest <= k_still_small_frame) {
      // A phone photo or a crop: modules are a few pixels wide, blur and light are the problem.
      return {
          {1.0, Filter::none, B::global_histogram, true, true}, {1.0, Filter::clahe, B::local_average, true, true},
          {2.0, Filter::none, B::local_average, true, true},    {1.0, Filter::sharpen, B::local_average, true, true},
          {1.0, Filter::smooth, B::local_average, true, true},  {2.0, Filter::clahe, B::global_histogram, true, false},
          {0.75, Filter::none, B::local_average, true, true},   {1.5, Filter::sharpen, B::local_average, true, true},
          {1.0, Filter::invert, B::local_average, true, false},
      };
    }
    // A 1080p station photo: passes over the whole frame cost more, and modules are smaller.
    return {
        {1.0, Filter::none, B::global_histogram, true, true},   {1.0, Filter::clahe, B::local_average, true, false},
        {1.0, Filter::sharpen, B::local_average, true, false},  {0.5, Filter::none, B::local_average, true, true},
        {0.5, Filter::clahe, B::global_histogram, true, false},
    };
  }

  static void apply(cv::Mat& pixels, Filter filter, double scale)
  {
    switch (filter) {
    case Filter::none:
      break;
    case Filter::clahe: {
      const auto clahe = cv::createCLAHE(2.0, cv::Size(8, 8));
      clahe->apply(pixels, pixels);
      break;
    }
    case Filter::sharpen: {
      cv::Mat blurred;
      cv::GaussianBlur(pixels, blurred, cv::Size(), 1.5 * std::max(1.0, scale));
      cv::addWeighted(pixels, 1.8, blurred, -0.8, 0, pixels);
      break;
    }
    case Filter::smooth:
      cv::GaussianBlur(pixels, pixels, cv::Size(3, 3), 0);
      break;
    case Filter::invert:
      cv::bitwise_not(pixels, pixels);
      break;
    }
  }

  static Prepared prepare_frame(const cv::Mat& grey, const Preparation& prep)
  {
    Prepared out;
    if (prep.scale == 1.0) {
      out.pixels = grey.clone();
    } else {
      cv::resize(grey, out.pixels, cv::Size(), prep.scale, prep.scale,
                 prep.scale > 1.0 ? cv::INTER_CUBIC : cv::INTER_AREA);
    }
    apply(out.pixels, prep.filter, prep.scale);
    const double inverse = 1.0 / prep.scale;
    out.to_frame = cv::Matx23d(inverse, 0, 0, 0, inverse, 0);
    return out;
  }

  static int short_ean_modules(BarcodeFormat format)
  {
    return format == BarcodeFormat::ean8 ? k_ean8_modules : format == BarcodeFormat::upce ? k_upce_modules : 0;
  }

  static Quad map_quad(const Quad& quad, const cv::Matx23d& to_frame)
  {
    Quad out;
    for (std::size_t k = 0; k < 4; ++k) {
      const cv::Vec2d q = to_frame * cv::Vec3d(quad[k].x, quad[k].y, 1.0);
      out[k] = cv::Point2f(static_cast<float>(q[0]), static_cast<float>(q[1]));
    }
    return out;
  }

  // Every symbol ZXing reads in the prepared pixels (each painted over before the next) and every
  // symbol zbar reads in them. EAN-8/UPC-E without quiet zones are no votes.
  void read_votes(Prepared prepared, Binarizer binarizer, bool zxing, bool zbar, int preparation, bool mild,
                  std::vector<Vote>& votes) const
  {
    if (prepared.pixels.cols < k_min_zxing_side || prepared.pixels.rows < k_min_zxing_side) {
      return;
    }
    if (zbar) {
      for (auto& zread : read_zbar(prepared.pixels, m_formats & ~k_matrix_formats)) {
        // zbar's box holds its scan lines; the quiet-zone test wants the line along the bars' normal.
        Quad line = zread.corners;
        if (line[3].y - line[0].y > line[1].x - line[0].x) {
          line = {line[3], line[0], line[1], line[2]}; // bars lie horizontally: left is the bottom side
        }
        const int modules = short_ean_modules(zread.format);
        Vote vote;
        vote.quiet = modules == 0 || has_quiet_zones(prepared.pixels, line, modules);
        vote.read.text = zread.text;
        vote.read.raw = zread.text;
        vote.read.format = zread.format;
        vote.read.aim = zread.aim;
        vote.read.corners = zread.corners;
        vote.read.is_linear = true;
        vote.quad = map_quad(zread.corners, prepared.to_frame);
        vote.preparation = preparation;
        vote.reader = Reader::zbar;
        vote.mild = mild;
        votes.push_back(std::move(vote));
      }
    }
    if (!zxing) {
      return;
    }
    cv::Mat& pixels = prepared.pixels;
    for (int reads = 0; reads < k_still_reads_per_pass; ++reads) {
      auto read = read_one(pixels, m_formats, true, binarizer);
      if (!read) {
        break;
      }
      const int modules = short_ean_modules(read->format);
      const bool quiet = modules == 0 || has_quiet_zones(pixels, read->corners, modules);
      const Quad local = read->is_linear ? trace_linear_symbol(pixels, read->corners) : read->corners;
      paint_over(pixels, read->is_linear ? with_text_band(local) : local, std::max(2.0F, size_of(local) * 0.06F));
      votes.push_back({std::move(*read), map_quad(local, prepared.to_frame), preparation, Reader::zxing, mild, quiet});
    }
  }

  static bool same_place(const Vote& a, const Vote& b)
  {
    const float tolerance = std::max(4.0F, std::min(size_of(a.quad), size_of(b.quad)) * 0.1F);
    return contains(a.quad, centre_of(b.quad), tolerance) || contains(b.quad, centre_of(a.quad), tolerance) ||
           (a.read.is_linear && b.read.is_linear && same_linear_symbol(a.quad, b.quad));
  }

  // Regions that look like barcodes in what is left, each cut out, turned upright when its bars
  // lean (a tilted label no row crosses completely), magnified when small, and prepared two ways.
  void region_votes(const cv::Mat& base, int& preparation, std::vector<Vote>& votes) const
  {
    for (const auto& candidate : find_candidate_regions(base, k_still_regions)) {
      const cv::Rect& region = candidate.box;
      const int size = std::max(region.width, region.height);
      const int margin = std::max(16, size / 4);
      const cv::Rect rect(region.x - margin, region.y - margin, region.width + 2 * margin, region.height + 2 * margin);
      const auto angle = dominant_bar_angle(base(region));
      Look look;
      // In a station frame a region up to k_turn_magnify_region is still a symbol of small modules (a
      // Code 128 at 1.5 px is 250 px long); in a photo only a small region is.
      const bool station_frame = std::max(base.cols, base.rows) > k_still_small_frame;
      look.scale = size < (station_frame ? k_turn_magnify_region : k_small_region) ? 2.0 : 1.0;
      if (angle && std::abs(*angle) > k_min_turn_degrees && std::abs(*angle) < 90.0 - k_min_turn_degrees) {
        look.turn_degrees = -*angle;
        look.scale = size < k_turn_magnify_region ? 2.0 : 1.0;
      }
      const View view = make_view_of(base, rect, look);
      for (const Filter filter : {Filter::none, Filter::clahe, Filter::sharpen}) {
        Prepared prepared{view.pixels.clone(), view.to_frame};
        apply(prepared.pixels, filter, look.scale);
        read_votes(std::move(prepared), Binarizer::local_average, true, true, preparation++, filter == Filter::none,
                   votes);
      }
    }
  }

  void still_passes()
  {
    // m_work has every symbol found so far painted over: the passes look for the others.
    const cv::Mat base = m_work.clone();
    std::vector<Vote> votes;
    int preparation = 0;
    for (const auto& prep : frame_preparations(base.size())) {
      const bool mild = prep.filter == Filter::none && prep.scale >= 0.75 && prep.scale <= 1.0;
      read_votes(prepare_frame(base, prep), prep.binarizer, prep.zxing, prep.zbar, preparation++, mild, votes);
    }
    region_votes(base, preparation, votes);
    judge(std::move(votes));
    if ((m_formats & static_cast<std::uint32_t>(BarcodeFormat::datamatrix)) != 0) {
      fine_datamatrix(base, k_fine_matrix_tries, false);
    }
  }

  // Small square regions left unread, each given to read_fine_datamatrix: DataMatrix symbols whose
  // modules (1.2-2 px) are too fine for ZXing's detector. A read counts on its own (Reed-Solomon
  // judged the samples) and keeps the GS1 rules. quick: the upright outline only (hands-free).
  void fine_datamatrix(const cv::Mat& base, int max_tries, bool quick)
  {
    int tried = 0;
    for (const auto& candidate : find_candidate_regions(base, k_fine_matrix_regions)) {
      if (full() || tried >= max_tries) {
        break;
      }
      const cv::Rect& region = candidate.box;
      const int size = std::max(region.width, region.height);
      if (size > k_fine_matrix_max_region || 2 * std::min(region.width, region.height) < size) {
        continue;
      }
      bool done = false;
      for (const auto& found : m_found) {
        done = done || contains(found.quad, candidate.centre, 4.0F);
      }
      if (done) {
        continue;
      }
      ++tried;
      const int margin = std::max(8, size / 3);
      const cv::Rect crop =
          cv::Rect(region.x - margin, region.y - margin, region.width + 2 * margin, region.height + 2 * margin) &
          cv::Rect(0, 0, base.cols, base.rows);
      auto read = read_fine_datamatrix(base(crop), quick);
      if (!read) {
        continue;
      }
      Quad quad;
      for (std::size_t k = 0; k < 4; ++k) {
        quad[k] = read->corners[k] + cv::Point2f(static_cast<float>(crop.x), static_cast<float>(crop.y));
      }
      accept(std::move(*read), quad);
    }
  }

  // The agreement rules. Votes that break their symbology's rules are no votes at all. Then, per
  // place (votes lying on one another): two texts there give nothing; a matrix symbol counts on one
  // read (its error correction); a 1D text counts when ZXing read it and zbar agrees, or ZXing read it
  // in two different preparations, or zbar alone read it in k_zbar_alone_preparations of them, one
  // of them unfiltered (PLATFORM.md: zbar misreads EAN/UPC with valid check digits more often than
  // ZXing, and a strong filter can make it misread the same way at every scale).
  void judge(std::vector<Vote> votes)
  {
    votes.erase(std::remove_if(votes.begin(), votes.end(), [](const Vote& v) { return !passes_code_rules(v.read); }),
                votes.end());
    std::vector<std::size_t> place(votes.size());
    std::iota(place.begin(), place.end(), 0);
    const auto root = [&place](std::size_t i) {
      while (place[i] != i) {
        i = place[i] = place[place[i]];
      }
      return i;
    };
    for (std::size_t i = 0; i < votes.size(); ++i) {
      for (std::size_t j = i + 1; j < votes.size(); ++j) {
        if (same_place(votes[i], votes[j])) {
          place[root(i)] = root(j);
        }
      }
    }
    for (std::size_t i = 0; i < votes.size(); ++i) {
      if (root(i) != i) {
        continue;
      }
      std::vector<const Vote*> here;
      for (std::size_t j = 0; j < votes.size(); ++j) {
        if (root(j) == i) {
          here.push_back(&votes[j]);
        }
      }
      // Votes turned down for their quiet zones only disagree, and only with their own symbology (an
      // EAN-8 inside an EAN-13 says nothing against the EAN-13).
      std::vector<const Vote*> dissent;
      for (const auto* v : here) {
        if (!v->quiet) {
          dissent.push_back(v);
        }
      }
      here.erase(std::remove_if(here.begin(), here.end(), [](const Vote* v) { return !v->quiet; }), here.end());
      if (here.empty()) {
        continue;
      }
      const Vote& first = *here.front();
      const bool agree = std::all_of(here.begin(), here.end(), [&](const Vote* v) {
        return v->read.text == first.read.text && v->read.format == first.read.format;
      });
      const bool disputed = std::any_of(dissent.begin(), dissent.end(), [&](const Vote* v) {
        return v->read.format == first.read.format && v->read.text != first.read.text;
      });
      if (!agree || disputed) {
        continue; // two texts in one place: neither is trusted
      }
      // Preparations each reader read the text in.
      std::vector<int> zxing_preparations;
      std::vector<int> zbar_preparations;
      bool zbar_mild = false;
      const Vote* best = here.front();
      for (const auto* v : here) {
        if (v->reader == Reader::zxing) {
          zxing_preparations.push_back(v->preparation);
          if (best->reader != Reader::zxing) {
            best = v; // ZXing's read carries the raw bytes and its own AIM id
          }
        } else {
          zbar_preparations.push_back(v->preparation);
          zbar_mild = zbar_mild || v->mild;
        }
      }
      const auto distinct = [](std::vector<int>& ids) {
        std::sort(ids.begin(), ids.end());
        return std::unique(ids.begin(), ids.end()) - ids.begin();
      };
      const auto by_zxing = distinct(zxing_preparations);
      const auto by_zbar = distinct(zbar_preparations);
      const bool confirmed = (by_zxing > 0 && !best->read.is_linear) || (by_zxing > 0 && by_zbar > 0) ||
                             by_zxing >= 2 || (by_zbar >= k_zbar_alone_preparations && zbar_mild);
      if (confirmed && !full()) {
        accept(best->read, best->quad);
      }
    }
  }

  View make_view(const cv::Rect& rect, const Look& look) const
  {
    const cv::Rect inside = rect & cv::Rect(0, 0, m_work.cols, m_work.rows);
    if (look.stretch) {
      // A copy of the crop, stretched, then looked at like a frame of its own.
      cv::Mat stretched;
      cv::normalize(m_work(inside), stretched, 0, 255, cv::NORM_MINMAX);
      Look plain = look;
      plain.stretch = false;
      View inner = make_view_of(stretched, cv::Rect(0, 0, inside.width, inside.height), plain);
      inner.shares_frame = false;
      inner.to_frame = cv::Matx23d(inner.to_frame(0, 0), inner.to_frame(0, 1), inner.to_frame(0, 2) + inside.x,
                                   inner.to_frame(1, 0), inner.to_frame(1, 1), inner.to_frame(1, 2) + inside.y);
      return inner;
    }
    return make_view_of(m_work, rect, look);
  }

  // The look at rect of image (which is the frame or a copy of a part of it).
  static View make_view_of(const cv::Mat& image, const cv::Rect& rect, const Look& look)
  {
    View view;
    const cv::Rect inside = rect & cv::Rect(0, 0, image.cols, image.rows);
    if (look.turn_degrees == 0.0 && look.scale == 1.0 && inside == rect) {
      view.pixels = image(rect);
      view.to_frame = cv::Matx23d(1, 0, rect.x, 0, 1, rect.y);
      view.shares_frame = true;
      return view;
    }
    cv::Mat source = image(inside);
    if (inside != rect) {
      cv::copyMakeBorder(source, source, inside.y - rect.y, rect.br().y - inside.br().y, inside.x - rect.x,
                         rect.br().x - inside.br().x, cv::BORDER_REPLICATE);
    }
    if (look.turn_degrees == 0.0 && look.scale == 1.0) {
      view.pixels = source;
      view.to_frame = cv::Matx23d(1, 0, rect.x, 0, 1, rect.y);
      return view;
    }
    if (look.turn_degrees == 0.0) {
      cv::resize(source, view.pixels, cv::Size(), look.scale, look.scale,
                 look.scale > 1.0 ? cv::INTER_CUBIC : cv::INTER_AREA);
      const double inverse = 1.0 / look.scale;
      view.to_frame = cv::Matx23d(inverse, 0, rect.x, 0, inverse, rect.y);
      return view;
    }
    // Turned: the output holds the whole turned crop.
    const cv::Point2f centre(static_cast<float>(rect.x) + static_cast<float>(rect.width) / 2.0F,
                             static_cast<float>(rect.y) + static_cast<float>(rect.height) / 2.0F);
    const double radians = look.turn_degrees * CV_PI / 180.0;
    const double c = std::abs(std::cos(radians));
    const double s = std::abs(std::sin(radians));
    const cv::Size size(static_cast<int>((rect.width * c + rect.height * s) * look.scale),
                        static_cast<int>((rect.width * s + rect.height * c) * look.scale));
    cv::Mat to_view = cv::getRotationMatrix2D(centre, look.turn_degrees, look.scale);
    to_view.at<double>(0, 2) += size.width / 2.0 - centre.x;
    to_view.at<double>(1, 2) += size.height / 2.0 - centre.y;
    cv::warpAffine(image, view.pixels, to_view, size, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    cv::Mat back;
    cv::invertAffineTransform(to_view, back);
    view.to_frame = cv::Matx23d(back);
    return view;
  }

  // Reads symbols from one look at rect until none is left, painting each over; returns how many it
  // read (accepted or not).
  int scan(const cv::Rect& rect, const Look& look, std::uint32_t formats, int max_reads)
  {
    const cv::Rect inside = rect & cv::Rect(0, 0, m_work.cols, m_work.rows);
    if (formats == 0 || inside.width < k_min_zxing_side || inside.height < k_min_zxing_side) {
      return 0;
    }
    View view = make_view(rect, look);
    const double frame_per_view =
        std::sqrt(std::abs(view.to_frame(0, 0) * view.to_frame(1, 1) - view.to_frame(0, 1) * view.to_frame(1, 0)));
    int reads = 0;
    for (; reads < max_reads && !full(); ++reads) {
      auto read = read_one(view.pixels, formats, m_options.try_harder(), look.binarizer);
      if (!read) {
        break;
      }
      const int short_ean_modules = read->format == BarcodeFormat::ean8   ? k_ean8_modules
                                    : read->format == BarcodeFormat::upce ? k_upce_modules
                                                                          : 0;
      const bool quiet = short_ean_modules == 0 || has_quiet_zones(view.pixels, read->corners, short_ean_modules);
      const Quad local = read->is_linear ? trace_linear_symbol(view.pixels, read->corners) : read->corners;
      // Before painting: a small-module EAN/UPC is read again from these pixels.
      const auto confirmation = quiet ? confirm_if_small(view.pixels, local, *read) : Confirmation::confirmed;
      const float margin = std::max(2.0F, size_of(local) * 0.06F);
      // A 1D label's human-readable digits sit just above or below the bars: paint them too, or
      // they come back as a region that looks like a barcode.
      const Quad painted = read->is_linear ? with_text_band(local) : local;
      paint_over(view.pixels, painted, margin);
      Quad in_frame;
      for (std::size_t k = 0; k < 4; ++k) {
        const cv::Vec3d p(local[k].x, local[k].y, 1.0);
        const cv::Vec2d q = view.to_frame * p;
        in_frame[k] = cv::Point2f(static_cast<float>(q[0]), static_cast<float>(q[1]));
      }
      if (!view.shares_frame) {
        Quad painted_in_frame;
        for (std::size_t k = 0; k < 4; ++k) {
          const cv::Vec3d p(painted[k].x, painted[k].y, 1.0);
          const cv::Vec2d q = view.to_frame * p;
          painted_in_frame[k] = cv::Point2f(static_cast<float>(q[0]), static_cast<float>(q[1]));
        }
        paint_over(m_work, painted_in_frame, margin * static_cast<float>(frame_per_view));
      }
      if (quiet && confirmation == Confirmation::confirmed) {
        accept(std::move(*read), in_frame);
      } else if (read->is_linear) {
        dissent(*read, in_frame);
        if (confirmation == Confirmation::contradicted) {
          m_conflicts.push_back(in_frame);
        }
      }
    }
    return reads;
  }

  // A read turned down (no quiet zones) still says what the symbol may be: a text of the same
  // symbology along the same bars, read before or after, is not trusted either (the scribbled UPC-E
  // in tests/samples/regressions gives its true text from rows with a spoilt quiet zone).
  void dissent(const ZxingRead& read, const Quad& quad)
  {
    m_dissent.push_back({read.text, read.format, quad});
    for (auto it = m_found.begin(); it != m_found.end(); ++it) {
      if (it->is_linear && it->symbol.format == read.format && it->symbol.text != read.text &&
          same_linear_symbol(it->quad, quad)) {
        m_conflicts.push_back(it->quad);
        m_conflicts.push_back(quad);
        m_found.erase(it);
        return;
      }
    }
  }

  // Zero misreads first: a read that breaks its symbology's rules, or that lands on a symbol already
  // read (the same one again, or a remnant of it), is dropped.
  void accept(ZxingRead read, const Quad& quad)
  {
    if (!passes_code_rules(read)) {
      return;
    }
    const auto centre = centre_of(quad);
    const float tolerance = std::max(4.0F, size_of(quad) * 0.1F);
    for (const auto& rejected : m_conflicts) {
      if (contains(rejected, centre, tolerance)) {
        return;
      }
    }
    if (read.is_linear) {
      for (const auto& other : m_dissent) {
        if (other.format == read.format && other.text != read.text && same_linear_symbol(other.quad, quad)) {
          m_conflicts.push_back(quad);
          return;
        }
      }
    }
    for (auto it = m_found.begin(); it != m_found.end(); ++it) {
      if (contains(it->quad, centre, tolerance) || contains(quad, centre_of(it->quad), tolerance)) {
        return; // the same symbol again, or a remnant of it
      }
      if (read.is_linear && it->is_linear && it->symbol.text != read.text && same_linear_symbol(it->quad, quad)) {
        // One symbol, two texts: neither is trusted.
        m_conflicts.push_back(it->quad);
        m_conflicts.push_back(quad);
        m_found.erase(it);
        return;
      }
    }
    Found found;
    found.quad = quad;
    found.is_linear = read.is_linear;
    found.symbol.text = std::move(read.text);
    found.symbol.raw = std::move(read.raw);
    found.symbol.format = read.format;
    found.symbol.aim = std::move(read.aim);
    // Bars followed into a crop's replicated border would reach past the frame: corners stay in it.
    const float max_x = static_cast<float>(m_work.cols - 1);
    const float max_y = static_cast<float>(m_work.rows - 1);
    for (std::size_t k = 0; k < 4; ++k) {
      found.symbol.corners[k] = Point{static_cast<int>(std::lround(std::clamp(quad[k].x, 0.0F, max_x))),
                                      static_cast<int>(std::lround(std::clamp(quad[k].y, 0.0F, max_y)))};
    }
    m_found.push_back(std::move(found));
  }

  cv::Mat m_work;
  DecodeOptions m_options;
  std::uint32_t m_formats;
  std::vector<Found> m_found;
  std::vector<Quad> m_conflicts; // places where reads disagreed: nothing there is returned
  struct Dissent {
    std::string text;
    BarcodeFormat format = BarcodeFormat::none;
    Quad quad;
  };
  std::vector<Dissent> m_dissent; // 1D reads turned down for their quiet zones
  int m_looks = 0;
};

} // namespace

} // namespace vision

Result<std::vector<Symbol>> decode(const FrameView& frame, const DecodeOptions& options)
{
  if (auto valid = vision::validate(frame); !valid) {
    return tl::unexpected(valid.error().with_context("decode"));
  }
  if (options.max_symbols() <= 0 || static_cast<std::uint32_t>(options.formats()) == 0) {
    return std::vector<Symbol>{};
  }
  try {
    cv::Mat grey = vision::to_grey(frame);
    if (grey.cols < vision::k_min_zxing_side || grey.rows < vision::k_min_zxing_side) {
      return std::vector<Symbol>{}; // too small to hold a symbol, and too small to hand to ZXing
    }
    return vision::Pipeline(std::move(grey), options).run();
  } catch (const std::exception& e) {
    return make_error(ErrorType::internal, std::string("decode: decoder failed: ") + e.what());
  } catch (...) {
    return make_error(ErrorType::internal, "decode: decoder failed with an unknown exception");
  }
}

} // namespace pickverify
