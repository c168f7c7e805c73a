#include <pickverify/shipped_data.hpp>

#include <system_error>

namespace pickverify {

std::filesystem::path shipped_data_dir_for(const std::filesystem::path& executable)
{
  // PICKVERIFY_DATA_FROM_BIN is the install layout's data folder relative to its bin folder
  // ("../share/pickverify"), from GNUInstallDirs in the top CMakeLists.txt.
  std::error_code ec;
  if (!executable.empty()) {
    const auto installed = (executable.parent_path() / PICKVERIFY_DATA_FROM_BIN).lexically_normal();
    if (std::filesystem::is_directory(installed, ec)) {
      return installed;
    }
  }
  return std::filesystem::path(PICKVERIFY_SOURCE_DIR);
}

std::filesystem::path shipped_data_dir()
{
  std::error_code ec;
  const auto executable = std::filesystem::read_symlink("/proc/self/exe", ec);
  return shipped_data_dir_for(ec ? std::filesystem::path() : executable);
}

} // namespace pickverify
