#include "image_files.hpp"

#include <algorithm>

#include <pickverify/text.hpp>

namespace pickverify::vision {

bool is_image_file(const std::filesystem::path& path)
{
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), text::to_lower_ascii);
  return std::find(k_image_extensions.begin(), k_image_extensions.end(), ext) != k_image_extensions.end();
}

std::string image_extensions_text()
{
  std::string out;
  for (const auto ext : k_image_extensions)
    out += (out.empty() ? "" : ", ") + std::string(ext);
  return out;
}

std::vector<std::filesystem::path> list_image_files(const std::filesystem::path& folder, std::error_code& ec)
{
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec) && is_image_file(it->path()))
      files.push_back(it->path());
  std::sort(files.begin(), files.end());
  return files;
}

} // namespace pickverify::vision
