// Scale profiles (devices/scales/*.toml): which USB HID POS scales the station knows by name, and
// the line speed of serial MT-SICS scales. Parsed as strictly as the scanner and output profiles.
#include "profile_files.hpp"

#include <set>

#include <fmt/format.h>

#include <pickverify/expected.hpp>
#include <pickverify/scale.hpp>
#include <pickverify/serial_line.hpp>

namespace pickverify {

std::string_view to_string(ScaleProtocol protocol)
{
  return protocol == ScaleProtocol::hid_pos ? "hid_pos" : "mt_sics";
}

namespace {

using fw::profile_error_at;

const std::set<std::string_view> k_scale_keys = {"name", "model", "usb", "protocol", "baud"};

Result<ScaleProfile> parse_scale(const toml::table& table, std::string_view file)
{
  ScaleProfile p;
  p.source = fmt::format("{}:{}", file, table.source().begin.line);
  bool have_usb = false, have_protocol = false, have_baud = false;
  for (const auto& [key, node] : table) {
    const std::string_view k = key.str();
    if (!k_scale_keys.contains(k)) {
      return tl::unexpected(profile_error_at(file, node.source(), fmt::format("unknown key '{}' in [[scale]]", k)));
    }
    if (k == "baud") {
      const auto baud = node.value<std::int64_t>();
      if (!node.is_integer() || !is_standard_baud(static_cast<int>(*baud))) {
        return tl::unexpected(profile_error_at(file, node.source(), "'baud' must be a standard speed (1200 … 230400)"));
      }
      p.baud = static_cast<int>(*baud);
      have_baud = true;
      continue;
    }
    if (!node.is_string()) {
      return tl::unexpected(profile_error_at(file, node.source(), fmt::format("'{}' must be a string", k)));
    }
    const std::string text = *node.value<std::string>();
    if (k == "name") {
      p.name = text;
    } else if (k == "model") {
      p.model = text;
    } else if (k == "usb") {
      const auto id = parse_usb_id(text);
      if (!id || id->vendor == 0) {
        return tl::unexpected(profile_error_at(
            file, node.source(), fmt::format("'usb' = \"{}\" is not a VID:PID such as \"0922:8004\"", text)));
      }
      p.usb = *id;
      have_usb = true;
    } else if (text == "hid_pos" || text == "mt_sics") {
      p.protocol = text == "hid_pos" ? ScaleProtocol::hid_pos : ScaleProtocol::mt_sics;
      have_protocol = true;
    } else {
      return tl::unexpected(profile_error_at(file, node.source(),
                                             fmt::format("'protocol' = \"{}\" is not one of: hid_pos, mt_sics", text)));
    }
  }
  const auto where = table.source();
  if (p.name.empty() || p.name.find(':') != std::string::npos) {
    return tl::unexpected(profile_error_at(file, where, "[[scale]] needs a 'name' without ':'"));
  }
  if (!have_protocol) {
    return tl::unexpected(profile_error_at(file, where, fmt::format("scale '{}' needs 'protocol'", p.name)));
  }
  if (p.protocol == ScaleProtocol::hid_pos && (!have_usb || have_baud)) {
    return tl::unexpected(
        profile_error_at(file, where, fmt::format("scale '{}' (hid_pos) needs 'usb' and has no 'baud'", p.name)));
  }
  if (p.protocol == ScaleProtocol::mt_sics && have_usb) {
    return tl::unexpected(profile_error_at(
        file, where, fmt::format("scale '{}' (mt_sics) is a serial scale: 'usb' does not apply", p.name)));
  }
  return p;
}

Result<void> check_new(const std::vector<ScaleProfile>& seen, const ScaleProfile& profile)
{
  for (const auto& other : seen) {
    if (other.name == profile.name) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("{}: scale '{}' already defined at {}", profile.source, other.name, other.source));
    }
  }
  return {};
}

} // namespace

Result<std::vector<ScaleProfile>> parse_scale_profiles(std::string_view text, std::string_view file_name)
{
  toml::table root;
  PV_TRY_ASSIGN(auto tables, fw::profile_tables(text, file_name, "scale", root));
  std::vector<ScaleProfile> out;
  for (const toml::table* table : tables) {
    PV_TRY_ASSIGN(auto profile, parse_scale(*table, file_name));
    PV_TRY(check_new(out, profile));
    out.push_back(std::move(profile));
  }
  return out;
}

Result<std::vector<ScaleProfile>> load_scale_profiles(const std::filesystem::path& dir)
{
  const auto folder = dir.empty() ? default_profiles_dir() / "scales" : dir;
  std::error_code ec;
  if (!std::filesystem::exists(folder, ec)) {
    return std::vector<ScaleProfile>{};
  }
  PV_TRY_ASSIGN(auto files, fw::read_profile_files(folder, "scale profiles"));
  std::vector<ScaleProfile> all;
  for (const auto& file : files) {
    PV_TRY_ASSIGN(auto profiles, parse_scale_profiles(file.text, file.name));
    for (auto& profile : profiles) {
      PV_TRY(check_new(all, profile));
      all.push_back(std::move(profile));
    }
  }
  return all;
}

} // namespace pickverify
