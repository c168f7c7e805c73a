// The readers the decode figures compare, behind one signature: grey image in, texts out.
//   pipeline (hands-free or still effort) : pickverify::decode
//   zxing                                 : ZXing 1.4's own ReadBarcodes, default options, station formats
//   zbar                                  : zbar's image scanner (EAN/UPC, Code 128, QR; no DataMatrix)
// Debian's ReadBarcodes can abort() the process (PLATFORM.md): run it through read_in_child().
#pragma once

#include <pickverify/decode.hpp>

#include <opencv2/core.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pickverify::bench {

using Reader = std::function<std::vector<std::string>(const cv::Mat&)>;

std::vector<std::string> read_pipeline(const cv::Mat& grey, DecodeEffort effort = DecodeEffort::hands_free);
std::vector<std::string> read_zxing(const cv::Mat& grey);
std::vector<std::string> read_zbar(const cv::Mat& grey);

// Writes zbar's and ReadBarcodes' forms of one number the way expected lists it: UPC-A as 12 digits
// (zbar gives 13), UPC-E as 8 (zbar gives its 13-digit expansion).
std::vector<std::string> same_numbers(std::vector<std::string> read, const std::vector<std::string>& expected);

// Runs reader in a forked child so an abort() costs one image, not the run. Empty optional: it died.
std::optional<std::vector<std::string>> read_in_child(const Reader& reader, const cv::Mat& grey);

// CPU time of the calling thread in milliseconds: on a shared machine, what one core spent.
double thread_cpu_ms();

} // namespace pickverify::bench
