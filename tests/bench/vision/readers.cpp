// zbar first: ZXing 1.4 defines macros (UnsupportedError, ...) that break zbar's C++ headers.
#include <zbar.h>

#define ZX_USE_UTF8 1
#include "readers.hpp"

#include <ZXing/ReadBarcode.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>

namespace pickverify::bench {

namespace {

zbar::zbar_image_scanner_t* zbar_scanner()
{
  static zbar::zbar_image_scanner_t* scanner = [] {
    auto* s = zbar::zbar_image_scanner_create();
    zbar::zbar_image_scanner_set_config(s, zbar::ZBAR_NONE, zbar::ZBAR_CFG_ENABLE, 0);
    for (auto symbology :
         {zbar::ZBAR_EAN13, zbar::ZBAR_EAN8, zbar::ZBAR_UPCA, zbar::ZBAR_UPCE, zbar::ZBAR_CODE128, zbar::ZBAR_QRCODE}) {
      zbar::zbar_image_scanner_set_config(s, symbology, zbar::ZBAR_CFG_ENABLE, 1);
    }
    return s;
  }();
  return scanner;
}

// UPC-E (8 digits) expanded to UPC-A (12).
std::string expand_upce(const std::string& upce)
{
  const std::string d = upce.substr(1, 6);
  std::string body;
  if (d[5] <= '2') {
    body = d.substr(0, 2) + d[5] + "0000" + d.substr(2, 3);
  } else if (d[5] == '3') {
    body = d.substr(0, 3) + "00000" + d.substr(3, 2);
  } else if (d[5] == '4') {
    body = d.substr(0, 4) + "00000" + d[4];
  } else {
    body = d.substr(0, 5) + "0000" + d[5];
  }
  return upce.substr(0, 1) + body + upce.substr(7, 1);
}

} // namespace

std::vector<std::string> read_pipeline(const cv::Mat& grey, DecodeEffort effort)
{
  const FrameView frame{grey.data, grey.cols, grey.rows, static_cast<int>(grey.step[0]), PixelFormat::lum8};
  std::vector<std::string> texts;
  if (auto symbols = decode(frame, DecodeOptions{}.effort(effort))) {
    for (const auto& symbol : *symbols) {
      texts.push_back(symbol.text);
    }
  }
  return texts;
}

std::vector<std::string> read_zxing(const cv::Mat& grey)
{
  using ZXing::BarcodeFormat;
  ZXing::DecodeHints hints;
  hints.setFormats(BarcodeFormat::EAN13 | BarcodeFormat::EAN8 | BarcodeFormat::UPCA | BarcodeFormat::UPCE |
                   BarcodeFormat::Code128 | BarcodeFormat::DataMatrix | BarcodeFormat::QRCode);
  const ZXing::ImageView image(grey.data, grey.cols, grey.rows, ZXing::ImageFormat::Lum,
                               static_cast<int>(grey.step[0]));
  std::vector<std::string> texts;
  for (const auto& result : ZXing::ReadBarcodes(image, hints)) {
    texts.push_back(result.text());
  }
  return texts;
}

std::vector<std::string> read_zbar(const cv::Mat& grey)
{
  const cv::Mat continuous = grey.isContinuous() ? grey : grey.clone();
  auto* image = zbar::zbar_image_create();
  zbar::zbar_image_set_format(image, zbar_fourcc('Y', '8', '0', '0'));
  zbar::zbar_image_set_size(image, static_cast<unsigned>(continuous.cols), static_cast<unsigned>(continuous.rows));
  zbar::zbar_image_set_data(image, continuous.data, continuous.total(), nullptr);
  zbar::zbar_scan_image(zbar_scanner(), image);
  std::vector<std::string> texts;
  for (const auto* symbol = zbar::zbar_image_first_symbol(image); symbol != nullptr;
       symbol = zbar::zbar_symbol_next(symbol)) {
    std::string text = zbar::zbar_symbol_get_data(symbol);
    if (!text.empty() && text.front() == '\x1d') {
      text.erase(0, 1); // zbar keeps GS1-128's leading FNC1
    }
    texts.push_back(text);
  }
  zbar::zbar_image_destroy(image);
  return texts;
}

std::vector<std::string> same_numbers(std::vector<std::string> read, const std::vector<std::string>& expected)
{
  for (auto& text : read) {
    if (text.size() != 13 || text.front() != '0') {
      continue;
    }
    for (const auto& want : expected) {
      if (want == text.substr(1) || (want.size() == 8 && want[0] <= '1' && expand_upce(want) == text.substr(1))) {
        text = want;
      }
    }
  }
  return read;
}

std::optional<std::vector<std::string>> read_in_child(const Reader& reader, const cv::Mat& grey)
{
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) {
    return std::nullopt;
  }
  const pid_t child = fork();
  if (child == 0) {
    close(pipe_fds[0]);
    std::string out;
    for (const auto& text : reader(grey)) {
      out += text;
      out += '\n';
    }
    const char* p = out.data();
    std::size_t left = out.size();
    while (left > 0) {
      const auto n = write(pipe_fds[1], p, left);
      if (n <= 0) {
        break;
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    _exit(0);
  }
  close(pipe_fds[1]);
  std::string in;
  char buffer[4096];
  for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
    in.append(buffer, static_cast<std::size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return std::nullopt;
  }
  std::vector<std::string> texts;
  std::size_t start = 0;
  for (std::size_t end; (end = in.find('\n', start)) != std::string::npos; start = end + 1) {
    texts.push_back(in.substr(start, end - start));
  }
  return texts;
}

double thread_cpu_ms()
{
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

} // namespace pickverify::bench
