// The image files the vision room reads from a folder (the virtual camera, calibration photos): one
// list of extensions, so that a folder that works for one works for the other.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace pickverify::vision {

// Lower case, with the dot; compared ignoring case. Every one is read by cv::imread on Debian 12.
constexpr std::array<std::string_view, 8> k_image_extensions = {".png", ".jpg",  ".jpeg", ".bmp",
                                                                ".tif", ".tiff", ".pgm",  ".ppm"};

bool is_image_file(const std::filesystem::path& path);
// ".png, .jpg, ..." for messages.
std::string image_extensions_text();
// The image files directly in `folder`, sorted by name; `ec` says why the folder could not be read.
std::vector<std::filesystem::path> list_image_files(const std::filesystem::path& folder, std::error_code& ec);

} // namespace pickverify::vision
