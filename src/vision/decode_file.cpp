// decode_image_file(): an image file read as grey, then decode().
#include <pickverify/decode.hpp>
#include <pickverify/expected.hpp>

#include <exception>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>

#include "frame_mat.hpp"

namespace pickverify {

namespace {

Result<cv::Mat> load_image(const std::string& path)
{
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return make_error(ErrorType::not_found, "no such file");
  }
  cv::Mat image;
  try {
    image = cv::imread(path, cv::IMREAD_GRAYSCALE);
  } catch (const std::exception& e) {
    return make_error(ErrorType::invalid_input, std::string("cannot read the image: ") + e.what());
  }
  if (image.empty()) {
    return make_error(ErrorType::invalid_input, "not an image this build can read (PNG, JPEG, BMP, TIFF, PGM ...)");
  }
  return image;
}

} // namespace

Result<std::vector<Symbol>> decode_image_file(const std::string& path, const DecodeOptions& options)
{
  PV_TRY_ASSIGN(auto image, load_image(path));
  return decode(vision::view_of(image), options);
}

} // namespace pickverify
