#include "tar_archive.hpp"

#include <pickverify/expected.hpp>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace pickverify::server {

namespace {

constexpr std::size_t k_block = 512;

// An octal field of `width` bytes: digits, then NUL.
void put_octal(std::array<char, k_block>& header, std::size_t offset, std::size_t width, std::uint64_t value)
{
  const std::string digits = fmt::format("{:0{}o}", value, width - 1);
  std::copy(digits.begin(), digits.end(), header.begin() + static_cast<std::ptrdiff_t>(offset));
}

void put_text(std::array<char, k_block>& header, std::size_t offset, const std::string& text)
{
  std::copy(text.begin(), text.end(), header.begin() + static_cast<std::ptrdiff_t>(offset));
}

Result<std::array<char, k_block>> file_header(const std::string& name, std::uint64_t size)
{
  std::array<char, k_block> header{};
  std::string prefix;
  std::string rest = name;
  if (rest.size() > 100) {
    // ustar: prefix (155) + '/' + name (100).
    const std::size_t cut = name.rfind('/', 155);
    if (cut == std::string::npos || name.size() - cut - 1 > 100 || cut == 0) {
      return make_error(ErrorType::invalid_input, fmt::format("{}: the name is too long for a tar archive", name));
    }
    prefix = name.substr(0, cut);
    rest = name.substr(cut + 1);
  }
  put_text(header, 0, rest);
  put_octal(header, 100, 8, 0644);
  put_octal(header, 108, 8, 0);
  put_octal(header, 116, 8, 0);
  put_octal(header, 124, 12, size);
  put_octal(header, 136, 12, 0); // mtime: the archive of one pack is the same bytes every time
  header[156] = '0';
  constexpr std::array<char, 8> k_magic{'u', 's', 't', 'a', 'r', '\0', '0', '0'}; // "ustar", NUL, version "00"
  std::copy(k_magic.begin(), k_magic.end(), header.begin() + 257);
  put_text(header, 265, "pickverify");
  put_text(header, 297, "pickverify");
  put_text(header, 345, prefix);
  // The checksum is taken with its own field as spaces.
  std::fill(header.begin() + 148, header.begin() + 156, ' ');
  unsigned sum = 0;
  for (const char c : header) {
    sum += static_cast<unsigned char>(c);
  }
  const std::string checksum = fmt::format("{:06o}", sum);
  put_text(header, 148, checksum);
  header[154] = '\0';
  header[155] = ' ';
  return header;
}

} // namespace

Result<std::string> tar_folder(const std::filesystem::path& folder, const std::string& top)
{
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (std::filesystem::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) {
      files.push_back(it->path());
    }
  }
  if (ec) {
    return make_error(ErrorType::io, fmt::format("{}: {}", folder.string(), ec.message()));
  }
  std::sort(files.begin(), files.end());
  std::string archive;
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in) {
      return make_error(ErrorType::io, fmt::format("{}: cannot be read", path.string()));
    }
    const std::string data = bytes.str();
    const std::string name = top + "/" + path.lexically_relative(folder).generic_string();
    PV_TRY_ASSIGN(auto header, file_header(name, data.size()));
    archive.append(header.data(), header.size());
    archive += data;
    archive.append((k_block - data.size() % k_block) % k_block, '\0');
  }
  archive.append(2 * k_block, '\0');
  return archive;
}

} // namespace pickverify::server
