// `pickverify decode [--json] IMAGE...`: every symbol in each image file.
#include "decode_command.hpp"

#include <ostream>

#include <nlohmann/json.hpp>

#include <pickverify/decode.hpp>

namespace pickverify::app {

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

} // namespace

int run_decode_command(const std::vector<std::string>& images, bool json, std::ostream& out, std::ostream& err)
{
  if (images.empty()) {
    err << "decode: no image given\n";
    return 1;
  }
  int status = 0;
  for (const auto& path : images) {
    auto symbols = decode_image_file(path);
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

} // namespace pickverify::app
