#include "zbar_reader.hpp"

#include "zxing_reader.hpp" // k_min_zxing_side

#include <zbar.h>

#include <algorithm>
#include <memory>

namespace pickverify::vision {

namespace {

struct SymbologyPair {
  BarcodeFormat ours;
  zbar::zbar_symbol_type_t theirs;
};

constexpr SymbologyPair k_symbologies[] = {
    {BarcodeFormat::ean13, zbar::ZBAR_EAN13},     {BarcodeFormat::ean8, zbar::ZBAR_EAN8},
    {BarcodeFormat::upca, zbar::ZBAR_UPCA},       {BarcodeFormat::upce, zbar::ZBAR_UPCE},
    {BarcodeFormat::code128, zbar::ZBAR_CODE128},
};

struct ScannerDeleter {
  void operator()(zbar::zbar_image_scanner_t* s) const { zbar::zbar_image_scanner_destroy(s); }
};
struct ImageDeleter {
  void operator()(zbar::zbar_image_t* i) const { zbar::zbar_image_destroy(i); }
};

// UPC-E's 12-digit UPC-A expansion (S MMMMM PPPPP C) of its 8 digits (S dddddd C).
std::string expand_upce(const std::string& upce)
{
  const std::string d = upce.substr(1, 6);
  std::string body;
  switch (d[5]) {
  case '0':
  case '1':
  case '2':
    body = d.substr(0, 2) + d[5] + "0000" + d.substr(2, 3);
    break;
  case '3':
    body = d.substr(0, 3) + "00000" + d.substr(3, 2);
    break;
  case '4':
    body = d.substr(0, 4) + "00000" + d[4];
    break;
  default:
    body = d.substr(0, 5) + "0000" + d[5];
    break;
  }
  return upce.substr(0, 1) + body + upce.substr(7, 1);
}

// zbar may give UPC-E as the 13-digit EAN form of its expansion; this turns it back into ZXing's 8
// digits. Empty when the number is not one a UPC-E can hold.
std::string compress_upce(const std::string& text)
{
  if (text.size() == 8) {
    return text;
  }
  const std::string upca = text.size() == 13 && text[0] == '0' ? text.substr(1) : text;
  if (upca.size() != 12 || (upca[0] != '0' && upca[0] != '1')) {
    return {};
  }
  // Every candidate shape; exactly one UPC-E expands to a given UPC-A.
  const std::string m = upca.substr(1, 5);
  const std::string p = upca.substr(6, 5);
  const std::string candidates[] = {
      m.substr(0, 2) + p.substr(2, 3) + m[2], // d6 0-2
      m.substr(0, 3) + p.substr(3, 2) + "3",  // d6 3
      m.substr(0, 4) + p[4] + "4",            // d6 4
      m + p[4],                               // d6 5-9
  };
  for (const auto& six : candidates) {
    const std::string upce = upca.substr(0, 1) + six + upca.substr(11, 1);
    if (expand_upce(upce) == upca) {
      return upce;
    }
  }
  return {};
}

} // namespace

std::vector<ZbarRead> read_zbar(const cv::Mat& grey, std::uint32_t formats)
{
  std::vector<ZbarRead> reads;
  if (grey.type() != CV_8UC1 || grey.cols < k_min_zxing_side || grey.rows < k_min_zxing_side) {
    return reads;
  }
  std::unique_ptr<zbar::zbar_image_scanner_t, ScannerDeleter> scanner(zbar::zbar_image_scanner_create());
  zbar::zbar_image_scanner_set_config(scanner.get(), zbar::ZBAR_NONE, zbar::ZBAR_CFG_ENABLE, 0);
  bool any = false;
  for (const auto& pair : k_symbologies) {
    if ((formats & static_cast<std::uint32_t>(pair.ours)) != 0) {
      zbar::zbar_image_scanner_set_config(scanner.get(), pair.theirs, zbar::ZBAR_CFG_ENABLE, 1);
      any = true;
    }
  }
  if (!any) {
    return reads;
  }
  const cv::Mat continuous = grey.isContinuous() ? grey : grey.clone();
  std::unique_ptr<zbar::zbar_image_t, ImageDeleter> image(zbar::zbar_image_create());
  zbar::zbar_image_set_format(image.get(), zbar_fourcc('Y', '8', '0', '0'));
  zbar::zbar_image_set_size(image.get(), static_cast<unsigned>(continuous.cols),
                            static_cast<unsigned>(continuous.rows));
  zbar::zbar_image_set_data(image.get(), continuous.data, continuous.total(), nullptr);
  if (zbar::zbar_scan_image(scanner.get(), image.get()) <= 0) {
    return reads;
  }
  for (const auto* symbol = zbar::zbar_image_first_symbol(image.get()); symbol != nullptr;
       symbol = zbar::zbar_symbol_next(symbol)) {
    ZbarRead read;
    const auto type = zbar::zbar_symbol_get_type(symbol);
    for (const auto& pair : k_symbologies) {
      if (pair.theirs == type) {
        read.format = pair.ours;
      }
    }
    if (read.format == BarcodeFormat::none) {
      continue;
    }
    const char* data = zbar::zbar_symbol_get_data(symbol);
    read.text.assign(data, zbar::zbar_symbol_get_data_length(symbol));
    switch (read.format) {
    case BarcodeFormat::upce:
      read.text = compress_upce(read.text);
      read.aim = "]E0";
      break;
    case BarcodeFormat::upca:
      if (read.text.size() == 13 && read.text[0] == '0') {
        read.text.erase(0, 1);
      }
      read.aim = "]E0";
      break;
    case BarcodeFormat::ean13:
      read.aim = "]E0";
      break;
    case BarcodeFormat::ean8:
      read.aim = "]E4";
      break;
    case BarcodeFormat::code128:
      // zbar keeps GS1-128's leading FNC1 as GS; ZXing drops it and says so in the AIM id.
      read.aim = !read.text.empty() && read.text[0] == '\x1d' ? "]C1" : "]C0";
      if (read.aim == "]C1") {
        read.text.erase(0, 1);
      }
      break;
    default:
      break;
    }
    if (read.text.empty()) {
      continue;
    }
    read.quality = zbar::zbar_symbol_get_quality(symbol);
    const unsigned points = zbar::zbar_symbol_get_loc_size(symbol);
    if (points == 0) {
      continue;
    }
    float min_x = 1e9F;
    float min_y = 1e9F;
    float max_x = -1e9F;
    float max_y = -1e9F;
    for (unsigned i = 0; i < points; ++i) {
      const auto x = static_cast<float>(zbar::zbar_symbol_get_loc_x(symbol, i));
      const auto y = static_cast<float>(zbar::zbar_symbol_get_loc_y(symbol, i));
      min_x = std::min(min_x, x);
      min_y = std::min(min_y, y);
      max_x = std::max(max_x, x);
      max_y = std::max(max_y, y);
    }
    read.corners = {cv::Point2f(min_x, min_y), cv::Point2f(max_x, min_y), cv::Point2f(max_x, max_y),
                    cv::Point2f(min_x, max_y)};
    reads.push_back(std::move(read));
  }
  return reads;
}

} // namespace pickverify::vision
