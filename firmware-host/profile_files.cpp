#include "profile_files.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace pickverify::fw {

Error profile_error_at(std::string_view file, const toml::source_region& where, std::string_view message)
{
  return Error{ErrorType::invalid_input, fmt::format("{}:{}: {}", file, where.begin.line, message)};
}

Result<std::vector<const toml::table*>> profile_tables(std::string_view text, std::string_view file_name,
                                                       std::string_view kind, toml::table& root)
{
  try {
    root = toml::parse(text, std::string(file_name));
  } catch (const toml::parse_error& e) {
    return tl::unexpected(profile_error_at(file_name, e.source(), e.description()));
  }
  for (const auto& [key, node] : root) {
    if (key.str() != kind) {
      return tl::unexpected(
          profile_error_at(file_name, node.source(), fmt::format("unknown top-level key '{}'", key.str())));
    }
  }
  const auto* array = root[kind].as_array();
  if (!array) {
    return make_error(ErrorType::invalid_input, fmt::format("{}:1: expected [[{}]] tables", file_name, kind));
  }
  std::vector<const toml::table*> tables;
  for (const auto& node : *array) {
    const auto* table = node.as_table();
    if (!table) {
      return tl::unexpected(profile_error_at(file_name, node.source(), fmt::format("[[{}]] must be a table", kind)));
    }
    tables.push_back(table);
  }
  return tables;
}

Result<std::vector<ProfileFile>> read_profile_files(const std::filesystem::path& dir, std::string_view what)
{
  std::error_code ec;
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".toml") {
      paths.push_back(entry.path());
    }
  }
  if (ec) {
    return make_error(ErrorType::not_found, fmt::format("{}: cannot read {}: {}", what, dir.string(), ec.message()));
  }
  std::sort(paths.begin(), paths.end());
  std::vector<ProfileFile> files;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      return make_error(ErrorType::io, fmt::format("{}: cannot read {}", what, path.string()));
    }
    files.push_back({path.filename().string(), text.str()});
  }
  return files;
}

} // namespace pickverify::fw
