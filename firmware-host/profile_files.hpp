// What the bench-device profile files (devices/outputs/*.toml, devices/scales/*.toml) share: strict
// TOML with one kind of [[table]], errors naming file and line, every *.toml of a folder in order.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include <pickverify/error.hpp>

namespace pickverify::fw {

Error profile_error_at(std::string_view file, const toml::source_region& where, std::string_view message);

// The [[kind]] tables of one file's text; any other top-level key, or none of them, is an error.
// `root` keeps the parsed document the returned tables point into.
Result<std::vector<const toml::table*>> profile_tables(std::string_view text, std::string_view file_name,
                                                       std::string_view kind, toml::table& root);

struct ProfileFile {
  std::string name; // "usb-relay.toml"
  std::string text;
};
// Every *.toml in `dir`, sorted by name; `what` names them in errors ("output profiles").
Result<std::vector<ProfileFile>> read_profile_files(const std::filesystem::path& dir, std::string_view what);

} // namespace pickverify::fw
