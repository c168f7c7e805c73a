#include <pickverify/decode.hpp>
#include <pickverify/decode_command.hpp>

#include "frame_mat.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <exception>
#include <filesystem>

namespace pickverify {

namespace {

std::string show_separators(const std::string& text)
{
  std::string shown;
  for (const char c : text) {
    if (c == '\x1d') {
      shown += "<GS>";
    } else {
      shown += c;
    }
  }
  return shown;
}

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

int run_decode_command(const std::vector<std::string>& images, bool json, std::ostream& out, std::ostream& err)
{
  if (images.empty()) {
    err << "decode: no image given\n";
    return 1;
  }
  int status = 0;
  for (const auto& path : images) {
    auto image = load_image(path);
    if (!image) {
      err << "decode: " << path << ": " << image.error().message << "\n";
      status = 2;
      continue;
    }
    auto symbols = decode(vision::view_of(*image));
    if (!symbols) {
      err << "decode: " << path << ": " << symbols.error().message << "\n";
      status = 2;
      continue;
    }
    for (const auto& symbol : *symbols) {
      if (json) {
        nlohmann::json line;
        line["image"] = path;
        line["text"] = symbol.text;
        line["format"] = std::string(to_string(symbol.format));
        line["aim"] = symbol.aim;
        auto corners = nlohmann::json::array();
        for (const auto& corner : symbol.corners) {
          corners.push_back({corner.x, corner.y});
        }
        line["corners"] = std::move(corners);
        out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      } else {
        out << path << "\t" << to_string(symbol.format) << "\t" << symbol.aim << "\t" << show_separators(symbol.text)
            << "\n";
      }
    }
  }
  return status;
}

} // namespace pickverify
