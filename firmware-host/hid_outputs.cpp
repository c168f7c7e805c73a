// Output-device profiles (devices/outputs/*.toml) and the feature reports of the USB HID relay
// board and the Delcom visual indicator: what goes out for a set of station outputs, and the
// strict decoding of what the devices answer.
#include "hid_outputs.hpp"
#include "profile_files.hpp"
#include "protocol.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include <pickverify/device_profile.hpp>
#include <pickverify/expected.hpp>
#include <pickverify/scale.hpp>

namespace pickverify::fw {

std::string_view to_string(OutputProtocol protocol)
{
  return protocol == OutputProtocol::usb_relay ? "usb_relay" : "delcom_indicator";
}

namespace {

const std::set<std::string_view> k_output_keys = {"name",      "model",    "usb",          "protocol",
                                                  "product",   "channels", "lock_channel", "unlock_energised",
                                                  "green_pin", "red_pin",  "amber_pin"};

Result<OutputProfile> parse_output(const toml::table& table, std::string_view file)
{
  OutputProfile p;
  p.source = fmt::format("{}:{}", file, table.source().begin.line);
  bool have_usb = false, have_protocol = false;
  for (const auto& [key, node] : table) {
    const std::string_view k = key.str();
    if (!k_output_keys.contains(k))
      return tl::unexpected(profile_error_at(file, node.source(), fmt::format("unknown key '{}' in [[output]]", k)));
    auto text = [&]() -> Result<std::string> {
      if (!node.is_string())
        return tl::unexpected(profile_error_at(file, node.source(), fmt::format("'{}' must be a string", k)));
      return *node.value<std::string>();
    };
    auto integer = [&](std::int64_t min, std::int64_t max) -> Result<std::int64_t> {
      if (!node.is_integer())
        return tl::unexpected(profile_error_at(file, node.source(), fmt::format("'{}' must be an integer", k)));
      const auto v = *node.value<std::int64_t>();
      if (v < min || v > max)
        return tl::unexpected(
            profile_error_at(file, node.source(), fmt::format("'{}' = {} is out of range {}..{}", k, v, min, max)));
      return v;
    };
    if (k == "name" || k == "model" || k == "product") {
      PV_TRY_ASSIGN(auto v, text());
      (k == "name" ? p.name : k == "model" ? p.model : p.product_prefix) = v;
    } else if (k == "usb") {
      PV_TRY_ASSIGN(auto v, text());
      const auto id = parse_usb_id(v);
      if (!id)
        return tl::unexpected(profile_error_at(
            file, node.source(), fmt::format("'usb' = \"{}\" is not a VID:PID such as \"16c0:05df\"", v)));
      p.vendor = id->vendor;
      p.product = id->product;
      have_usb = true;
    } else if (k == "protocol") {
      PV_TRY_ASSIGN(auto v, text());
      if (v == "usb_relay")
        p.protocol = OutputProtocol::usb_relay;
      else if (v == "delcom_indicator")
        p.protocol = OutputProtocol::delcom_indicator;
      else
        return tl::unexpected(profile_error_at(
            file, node.source(), fmt::format("'protocol' = \"{}\" is not one of: usb_relay, delcom_indicator", v)));
      have_protocol = true;
    } else if (k == "channels") {
      PV_TRY_ASSIGN(auto v, integer(1, 8));
      p.channels = static_cast<int>(v);
    } else if (k == "lock_channel") {
      PV_TRY_ASSIGN(auto v, integer(1, 8));
      p.lock_channel = static_cast<int>(v);
    } else if (k == "unlock_energised") {
      if (!node.is_boolean())
        return tl::unexpected(profile_error_at(file, node.source(), "'unlock_energised' must be true or false"));
      p.unlock_energised = *node.value<bool>();
    } else {
      PV_TRY_ASSIGN(auto v, integer(0, 7));
      (k == "green_pin" ? p.green_pin : k == "red_pin" ? p.red_pin : p.amber_pin) = static_cast<std::uint8_t>(v);
    }
  }
  const auto line = table.source();
  if (p.name.empty())
    return tl::unexpected(profile_error_at(file, line, "[[output]] needs a 'name'"));
  if (!have_usb)
    return tl::unexpected(profile_error_at(file, line, fmt::format("output '{}' needs 'usb'", p.name)));
  if (!have_protocol)
    return tl::unexpected(profile_error_at(file, line, fmt::format("output '{}' needs 'protocol'", p.name)));
  if (p.protocol == OutputProtocol::usb_relay && p.lock_channel > p.channels)
    return tl::unexpected(profile_error_at(
        file, line,
        fmt::format("output '{}': lock_channel {} but the board has {} relays", p.name, p.lock_channel, p.channels)));
  if (p.protocol == OutputProtocol::delcom_indicator &&
      (p.green_pin == p.red_pin || p.green_pin == p.amber_pin || p.red_pin == p.amber_pin))
    return tl::unexpected(
        profile_error_at(file, line, fmt::format("output '{}': green_pin, red_pin and amber_pin must differ", p.name)));
  return p;
}

} // namespace

Result<std::vector<OutputProfile>> parse_output_profiles(std::string_view text, std::string_view file_name)
{
  toml::table root;
  PV_TRY_ASSIGN(auto tables, profile_tables(text, file_name, "output", root));
  std::vector<OutputProfile> out;
  for (const toml::table* table : tables) {
    PV_TRY_ASSIGN(auto profile, parse_output(*table, file_name));
    for (const auto& seen : out)
      if (seen.name == profile.name)
        return make_error(ErrorType::invalid_input,
                          fmt::format("{}: output '{}' already defined at {}", profile.source, seen.name, seen.source));
    out.push_back(std::move(profile));
  }
  return out;
}

Result<std::vector<OutputProfile>> load_output_profiles(const std::filesystem::path& dir)
{
  PV_TRY_ASSIGN(auto files, read_profile_files(dir, "output profiles"));
  std::vector<OutputProfile> all;
  for (const auto& file : files) {
    PV_TRY_ASSIGN(auto profiles, parse_output_profiles(file.text, file.name));
    for (auto& p : profiles) {
      for (const auto& seen : all)
        if (seen.name == p.name)
          return make_error(ErrorType::invalid_input,
                            fmt::format("{}: output '{}' already defined at {}", p.source, p.name, seen.source));
      all.push_back(std::move(p));
    }
  }
  return all;
}

std::filesystem::path default_output_profiles_dir()
{
  return default_profiles_dir() / "outputs";
}

} // namespace pickverify::fw

namespace pickverify {

Result<std::vector<UdevUsbDevice>> output_udev_devices(const std::filesystem::path& outputs_dir)
{
  const auto dir = outputs_dir.empty() ? fw::default_output_profiles_dir() : outputs_dir;
  std::vector<UdevUsbDevice> devices{
      {UsbId{fw::k_usb_vendor, fw::k_usb_product}, "pickverify-controller",
       "pickverify station controller, gate lock, stack light and buzzer (firmware-host/PROTOCOL.md)"}};
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) { // a profiles folder without outputs/: no output boards
    PV_TRY_ASSIGN(auto profiles, fw::load_output_profiles(dir));
    for (const auto& profile : profiles)
      devices.push_back(
          {UsbId{profile.vendor, profile.product}, profile.name,
           fmt::format("{} (devices/outputs/{})", profile.model, profile.source.substr(0, profile.source.rfind(':')))});
  }
  // The USB scales of the sibling scales/ folder: the service opens them through libusb too.
  PV_TRY_ASSIGN(auto scales, load_scale_profiles(dir.parent_path() / "scales"));
  for (const auto& scale : scales)
    if (scale.protocol == ScaleProtocol::hid_pos)
      devices.push_back(
          {scale.usb, scale.name,
           fmt::format("{} (devices/scales/{})", scale.model, scale.source.substr(0, scale.source.rfind(':')))});
  return devices;
}

} // namespace pickverify

namespace pickverify::fw {

// --- relay board ----------------------------------------------------------------------------------

namespace {

bool lock_relay_on(const OutputProfile& profile, bool locked)
{
  // unlock_energised: the relay pulls the lock open; off (or a dead board) keeps the gate locked.
  return profile.unlock_energised ? !locked : locked;
}

} // namespace

std::vector<FeatureReport> relay_reports(const OutputProfile& profile, const ControllerOutputs& outputs)
{
  FeatureReport report;
  report.report_id = k_relay_report_id;
  report.data[0] = lock_relay_on(profile, outputs.locked) ? k_relay_cmd_on : k_relay_cmd_off;
  report.data[1] = static_cast<std::uint8_t>(profile.lock_channel);
  return {report};
}

Result<RelayState> decode_relay_state(std::span<const std::uint8_t> answer)
{
  if (answer.size() < k_relay_report_size)
    return make_error(ErrorType::invalid_input, fmt::format("relay board: state report is {} bytes, expected {}",
                                                            answer.size(), k_relay_report_size));
  RelayState state;
  for (std::size_t i = 0; i < 5 && answer[i] != 0; ++i) {
    if (answer[i] < 0x20 || answer[i] > 0x7e)
      return make_error(ErrorType::invalid_input,
                        fmt::format("relay board: serial byte {} is 0x{:02x}, not printable ASCII", i, answer[i]));
    state.serial.push_back(static_cast<char>(answer[i]));
  }
  state.on_mask = answer[k_relay_state_byte];
  return state;
}

bool relay_locked(const OutputProfile& profile, const RelayState& state)
{
  const bool on = (state.on_mask >> (profile.lock_channel - 1)) & 1;
  return profile.unlock_energised ? !on : on;
}

bool relay_shows(const OutputProfile& profile, const RelayState& state, const ControllerOutputs& outputs)
{
  return relay_locked(profile, state) == outputs.locked;
}

// --- Delcom indicator -----------------------------------------------------------------------------

namespace {

std::uint8_t delcom_mask(const OutputProfile& p, LightColour colour)
{
  switch (colour) {
  case LightColour::green:
    return static_cast<std::uint8_t>(1u << p.green_pin);
  case LightColour::red:
    return static_cast<std::uint8_t>(1u << p.red_pin);
  case LightColour::amber:
    return static_cast<std::uint8_t>(1u << p.amber_pin);
  case LightColour::off:
    break;
  }
  return 0;
}

} // namespace

std::vector<FeatureReport> delcom_reports(const OutputProfile& profile, const ControllerOutputs& outputs)
{
  const auto all =
      static_cast<std::uint8_t>(delcom_mask(profile, LightColour::green) | delcom_mask(profile, LightColour::red) |
                                delcom_mask(profile, LightColour::amber));
  const std::uint8_t on = delcom_mask(profile, outputs.colour);
  FeatureReport report;
  report.report_id = k_delcom_write_report;
  report.data[0] = k_delcom_write_report;
  report.data[1] = k_delcom_minor_set_reset_port1;
  report.data[2] = on;                                   // reset = LED on
  report.data[3] = static_cast<std::uint8_t>(all & ~on); // set = LED off
  return {report};
}

Result<std::uint8_t> decode_delcom_port1(std::span<const std::uint8_t> answer)
{
  if (answer.size() < k_delcom_report_size)
    return make_error(ErrorType::invalid_input, fmt::format("indicator: port report is {} bytes, expected {}",
                                                            answer.size(), k_delcom_report_size));
  return answer[1];
}

Result<DelcomFirmware> decode_delcom_firmware(std::span<const std::uint8_t> answer)
{
  if (answer.size() < k_delcom_report_size)
    return make_error(ErrorType::invalid_input, fmt::format("indicator: firmware report is {} bytes, expected {}",
                                                            answer.size(), k_delcom_report_size));
  DelcomFirmware fw;
  fw.serial = std::uint32_t(answer[0]) | std::uint32_t(answer[1]) << 8 | std::uint32_t(answer[2]) << 16 |
              std::uint32_t(answer[3]) << 24;
  fw.version = answer[4];
  fw.day = answer[5];
  fw.month = answer[6];
  fw.year = 2000 + answer[7];
  if (fw.month < 1 || fw.month > 12 || fw.day < 1 || fw.day > 31)
    return make_error(
        ErrorType::invalid_input,
        fmt::format("indicator: firmware report dates it {}-{:02}-{:02}, not a date", fw.year, fw.month, fw.day));
  return fw;
}

Result<LightColour> delcom_colour(const OutputProfile& profile, std::uint8_t port1)
{
  LightColour shown = LightColour::off;
  int lit = 0;
  for (auto colour : {LightColour::green, LightColour::red, LightColour::amber})
    if ((port1 & delcom_mask(profile, colour)) == 0) { // active low
      shown = colour;
      ++lit;
    }
  if (lit > 1)
    return make_error(ErrorType::invalid_input,
                      fmt::format("indicator: port 1 = 0x{:02x} lights {} LEDs at once", port1, lit));
  return shown;
}

} // namespace pickverify::fw
