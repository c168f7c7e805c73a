// The decode pipeline. Safe by construction on Debian's ZXing 1.4: only the single-result reader is
// called (zxing_reader.hpp), so the asserting merge code never runs; every symbol found is painted
// over and the region asked again, which also counts two identical labels as two. Its DataMatrix
// detector only looks along the image's centre lines, so regions that look like barcodes are cut
// out centred on themselves and asked again, magnified when small (our own multi-scale). Every read
// passes the GTIN/GS1 rules before it is returned: a miss is better than a misread.
#include <pickverify/codes.hpp>
#include <pickverify/decode.hpp>

#include "decode_geometry.hpp"
#include "frame_mat.hpp"
#include "zxing_reader.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <exception>

namespace pickverify {

std::string_view to_string(BarcodeFormat format)
{
  switch (format) {
  case BarcodeFormat::none: return "none";
  case BarcodeFormat::ean13: return "EAN-13";
  case BarcodeFormat::ean8: return "EAN-8";
  case BarcodeFormat::upca: return "UPC-A";
  case BarcodeFormat::upce: return "UPC-E";
  case BarcodeFormat::code128: return "Code 128";
  case BarcodeFormat::datamatrix: return "DataMatrix";
  case BarcodeFormat::qr: return "QR Code";
  case BarcodeFormat::station: return "station";
  }
  return "unknown";
}

namespace vision {

namespace {

// Candidate regions looked at per round, and reads per region before moving on.
constexpr int k_max_candidates = 12;
constexpr int k_max_reads_per_region = 6;
constexpr int k_candidate_rounds = 2;
// Regions smaller than these (pixels) are magnified 3x / 2x; larger than the last, halved.
constexpr int k_tiny_region = 72;
constexpr int k_small_region = 200;
constexpr int k_large_region = 1000;

constexpr std::uint32_t k_matrix_formats =
  static_cast<std::uint32_t>(BarcodeFormat::datamatrix) | static_cast<std::uint32_t>(BarcodeFormat::qr);

bool is_ean_upc(BarcodeFormat format)
{
  return format == BarcodeFormat::ean13 || format == BarcodeFormat::ean8 || format == BarcodeFormat::upca
         || format == BarcodeFormat::upce;
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

struct Found {
  Symbol symbol;
  Quad quad;
};

class Pipeline {
public:
  Pipeline(cv::Mat grey, const DecodeOptions& options)
    : m_work(std::move(grey)), m_options(options), m_formats(static_cast<std::uint32_t>(options.formats()))
  {
  }

  std::vector<Symbol> run()
  {
    const cv::Rect whole(0, 0, m_work.cols, m_work.rows);
    scan(whole, 1.0, m_formats, m_options.max_symbols());
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
  // crop's centre lines, at a scale where its modules are a few pixels wide.
  void scan_region(const cv::Rect& region)
  {
    const int size = std::max(region.width, region.height);
    const double scale = size < k_tiny_region ? 3.0 : size < k_small_region ? 2.0 : size > k_large_region ? 0.5 : 1.0;
    const int margin = std::max(16, size / 3);
    const cv::Rect crop = cv::Rect(region.x - margin, region.y - margin, region.width + 2 * margin,
                                   region.height + 2 * margin)
                          & cv::Rect(0, 0, m_work.cols, m_work.rows);
    // At full scale the whole-frame pass has already read every 1D symbol and QR code it could.
    const std::uint32_t formats = scale == 1.0 ? (m_formats & k_matrix_formats) : m_formats;
    scan(crop, scale, formats, k_max_reads_per_region);
  }

  void scan(const cv::Rect& rect, double scale, std::uint32_t formats, int max_reads)
  {
    if (formats == 0 || rect.width < k_min_zxing_side || rect.height < k_min_zxing_side) {
      return;
    }
    cv::Mat view;
    if (scale == 1.0) {
      view = m_work(rect);  // shares pixels: painting the view paints the frame
    } else {
      cv::resize(m_work(rect), view, cv::Size(), scale, scale, scale > 1.0 ? cv::INTER_CUBIC : cv::INTER_AREA);
    }
    const cv::Point2f origin(static_cast<float>(rect.x), static_cast<float>(rect.y));
    const auto inverse = static_cast<float>(1.0 / scale);
    for (int i = 0; i < max_reads && !full(); ++i) {
      auto read = read_one(view, formats, m_options.try_harder());
      if (!read) {
        break;
      }
      const Quad local = read->is_linear ? trace_linear_symbol(view, read->corners) : read->corners;
      const float margin = std::max(2.0F, size_of(local) * 0.06F);
      paint_over(view, local, margin);
      Quad in_frame;
      for (std::size_t k = 0; k < 4; ++k) {
        in_frame[k] = local[k] * inverse + origin;
      }
      if (scale != 1.0) {
        paint_over(m_work, in_frame, margin * inverse);
      }
      accept(std::move(*read), in_frame);
    }
  }

  // Zero misreads first: a read that breaks its symbology's rules, or that lands on a symbol already
  // read (the same one again, or a remnant of it), is dropped.
  void accept(ZxingRead read, const Quad& quad)
  {
    const auto parsed = parse_code(read.text, read.aim);
    if (parsed.kind == CodeKind::malformed) {
      return;
    }
    if (is_ean_upc(read.format) && parsed.kind != CodeKind::gtin && parsed.kind != CodeKind::variable_measure) {
      return;
    }
    const auto centre = centre_of(quad);
    const float tolerance = std::max(4.0F, size_of(quad) * 0.1F);
    for (const auto& found : m_found) {
      if (contains(found.quad, centre, tolerance) || contains(quad, centre_of(found.quad), tolerance)) {
        return;
      }
    }
    Found found;
    found.quad = quad;
    found.symbol.text = std::move(read.text);
    found.symbol.raw = std::move(read.raw);
    found.symbol.format = read.format;
    found.symbol.aim = std::move(read.aim);
    for (std::size_t k = 0; k < 4; ++k) {
      found.symbol.corners[k] = Point{static_cast<int>(std::lround(quad[k].x)), static_cast<int>(std::lround(quad[k].y))};
    }
    m_found.push_back(std::move(found));
  }

  cv::Mat m_work;
  DecodeOptions m_options;
  std::uint32_t m_formats;
  std::vector<Found> m_found;
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
      return std::vector<Symbol>{};  // too small to hold a symbol, and too small to hand to ZXing
    }
    return vision::Pipeline(std::move(grey), options).run();
  } catch (const std::exception& e) {
    return make_error(ErrorType::internal, std::string("decode: decoder failed: ") + e.what());
  } catch (...) {
    return make_error(ErrorType::internal, "decode: decoder failed with an unknown exception");
  }
}

} // namespace pickverify
