// A folder as one POSIX ustar archive in memory: how the service hands out an evidence pack as a
// single download (`tar -xf` unpacks it anywhere).
#pragma once

#include <filesystem>
#include <string>

#include <pickverify/error.hpp>

namespace pickverify::server {

// Every regular file under `folder` (sorted, recursively), named "<top>/<path inside folder>".
// A name longer than ustar holds (100 bytes, or 155 + 100 split at a '/') is an error naming it.
Result<std::string> tar_folder(const std::filesystem::path& folder, const std::string& top);

} // namespace pickverify::server
