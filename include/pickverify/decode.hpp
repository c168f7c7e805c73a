// The decode facade: one call from a grey or colour frame to every barcode in it. No ZXing or
// OpenCV type appears here. Decoding never takes the process down, whatever the image.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pickverify/error.hpp>

namespace pickverify {

enum class PixelFormat { lum8, bgr8, rgb8 };

// A borrowed view of pixels: the caller owns the memory for the duration of the call.
struct FrameView {
  const std::uint8_t* data = nullptr;
  int width = 0;
  int height = 0;
  int stride = 0; // bytes per row
  PixelFormat format = PixelFormat::lum8;
};

enum class BarcodeFormat : std::uint32_t {
  none = 0,
  ean13 = 1u << 0,
  ean8 = 1u << 1,
  upca = 1u << 2,
  upce = 1u << 3,
  code128 = 1u << 4, // GS1-128 is Code 128 with FNC1: the AIM id tells them apart
  datamatrix = 1u << 5,
  qr = 1u << 6,
  station = (1u << 7) - 1, // everything above
};

// "EAN-13", "EAN-8", "UPC-A", "UPC-E", "Code 128", "DataMatrix", "QR Code" (the `format` of decode --json).
std::string_view to_string(BarcodeFormat format);

struct Point {
  int x = 0;
  int y = 0;
};

struct Symbol {
  std::string text; // GS1 fields separated by GS (0x1D); no brackets
  std::string raw;  // the bytes the symbol encodes
  BarcodeFormat format = BarcodeFormat::none;
  std::string aim;  // "]E0", "]C1", "]d2", "]Q3" …
  Point corners[4]; // top-left, top-right, bottom-right, bottom-left in frame pixels
};

// How much work one frame is worth.
//   hands_free: real time, for camera frames scanned as they come (HandsFreeScanner): at most about
//               33 ms median per 1080p frame on one core. ZXing on the frame, then on regions that
//               look like barcodes.
//   still:      a single photo (the image check, `pickverify decode`, decode_image_file): the
//               hands-free pass first, then, for what it did not find, up to about 400 ms of further
//               image preparations (scale pyramid, local contrast, sharpening, smoothing, inversion,
//               the other binarizer) read by ZXing and by zbar. A 1D read from those passes counts only
//               when two of them agree on its text and none disagrees.
enum class DecodeEffort { hands_free, still };

// Options as a value type with chainable setters.
class DecodeOptions {
public:
  DecodeOptions& formats(BarcodeFormat value)
  {
    m_formats = value;
    return *this;
  }
  DecodeOptions& formats(std::uint32_t mask)
  {
    m_formats = static_cast<BarcodeFormat>(mask);
    return *this;
  }
  DecodeOptions& try_harder(bool value)
  {
    m_try_harder = value;
    return *this;
  }
  DecodeOptions& max_symbols(int value)
  {
    m_max_symbols = value;
    return *this;
  }
  DecodeOptions& multi_scale(bool value)
  {
    m_multi_scale = value;
    return *this;
  }
  DecodeOptions& effort(DecodeEffort value)
  {
    m_effort = value;
    return *this;
  }

  BarcodeFormat formats() const { return m_formats; }
  bool try_harder() const { return m_try_harder; }
  int max_symbols() const { return m_max_symbols; }
  bool multi_scale() const { return m_multi_scale; }
  DecodeEffort effort() const { return m_effort; }

private:
  BarcodeFormat m_formats = BarcodeFormat::station;
  bool m_try_harder = true;
  int m_max_symbols = 64;
  bool m_multi_scale = true;
  DecodeEffort m_effort = DecodeEffort::hands_free;
};

// Every symbol found, top to bottom; an empty vector when there is none. An error only when the frame
// itself is unusable (null data, bad dimensions, a stride shorter than a row, a side over 16384 px)
// or the decoder failed in a way that lost the frame. Reads that break GTIN/GS1 rules are dropped.
// Frames under 8 px on a side hold nothing. Thread-safe: no state is shared between calls.
Result<std::vector<Symbol>> decode(const FrameView& frame, const DecodeOptions& options = {});

// An image file (PNG, JPEG, BMP, TIFF, PGM ...) read as grey, then decode() with the still effort
// unless options say otherwise. not_found when there is no such file, invalid_input when it is not
// an image this build can read.
Result<std::vector<Symbol>>
decode_image_file(const std::string& path, const DecodeOptions& options = DecodeOptions{}.effort(DecodeEffort::still));

} // namespace pickverify
