#define ZX_USE_UTF8 1
#include "zxing_reader.hpp"

#include <ZXing/ReadBarcode.h>

namespace pickverify::vision {

namespace {

struct FormatPair {
  BarcodeFormat ours;
  ZXing::BarcodeFormat theirs;
};

constexpr FormatPair k_formats[] = {
    {BarcodeFormat::ean13, ZXing::BarcodeFormat::EAN13},
    {BarcodeFormat::ean8, ZXing::BarcodeFormat::EAN8},
    {BarcodeFormat::upca, ZXing::BarcodeFormat::UPCA},
    {BarcodeFormat::upce, ZXing::BarcodeFormat::UPCE},
    {BarcodeFormat::code128, ZXing::BarcodeFormat::Code128},
    {BarcodeFormat::datamatrix, ZXing::BarcodeFormat::DataMatrix},
    {BarcodeFormat::qr, ZXing::BarcodeFormat::QRCode},
};

ZXing::BarcodeFormats to_zxing(std::uint32_t mask)
{
  ZXing::BarcodeFormats formats;
  for (const auto& pair : k_formats) {
    if ((mask & static_cast<std::uint32_t>(pair.ours)) != 0) {
      formats |= pair.theirs;
    }
  }
  return formats;
}

BarcodeFormat from_zxing(ZXing::BarcodeFormat format)
{
  for (const auto& pair : k_formats) {
    if (pair.theirs == format) {
      return pair.ours;
    }
  }
  return BarcodeFormat::none;
}

cv::Point2f to_cv(const ZXing::PointI& p)
{
  return {static_cast<float>(p.x), static_cast<float>(p.y)};
}

} // namespace

std::optional<ZxingRead> read_one(const cv::Mat& grey, std::uint32_t formats, bool try_harder, Binarizer binarizer)
{
  const auto zx_formats = to_zxing(formats);
  if (zx_formats.empty() || grey.type() != CV_8UC1 || grey.cols < k_min_zxing_side || grey.rows < k_min_zxing_side) {
    return std::nullopt;
  }
  const ZXing::ImageView image(grey.data, grey.cols, grey.rows, ZXing::ImageFormat::Lum,
                               static_cast<int>(grey.step[0]));
  ZXing::DecodeHints hints;
  hints.setFormats(zx_formats);
  hints.setTryHarder(try_harder);
  hints.setTryRotate(try_harder);
  hints.setTryDownscale(false);   // scales are ours; the internal pyramid merges results and can abort
  hints.setMaxNumberOfSymbols(1); // the single-result path never merges, so never asserts
  hints.setReturnErrors(false);
  hints.setBinarizer(binarizer == Binarizer::global_histogram ? ZXing::Binarizer::GlobalHistogram
                                                              : ZXing::Binarizer::LocalAverage);
  hints.setEanAddOnSymbol(ZXing::EanAddOnSymbol::Ignore);

  const auto result = ZXing::ReadBarcode(image, hints);
  if (!result.isValid()) {
    return std::nullopt;
  }
  ZxingRead read;
  read.format = from_zxing(result.format());
  if (read.format == BarcodeFormat::none) {
    return std::nullopt;
  }
  read.text = result.text();
  const auto& bytes = result.bytes();
  read.raw.assign(bytes.begin(), bytes.end());
  read.aim = result.symbologyIdentifier();
  const auto& position = result.position();
  read.corners = {to_cv(position.topLeft()), to_cv(position.topRight()), to_cv(position.bottomRight()),
                  to_cv(position.bottomLeft())};
  read.is_linear = read.format != BarcodeFormat::datamatrix && read.format != BarcodeFormat::qr;
  return read;
}

} // namespace pickverify::vision
