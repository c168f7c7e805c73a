// The web pages' files, embedded in the binary at build time (embed_assets.cmake): nothing is read
// from disk or downloaded at run time.
#pragma once

#include <string_view>

namespace pickverify::server {

struct Asset {
  std::string_view path; // "/assets/station.js"
  std::string_view content_type;
  std::string_view data;
};

// nullptr when there is no such file.
const Asset* find_asset(std::string_view path);

} // namespace pickverify::server
