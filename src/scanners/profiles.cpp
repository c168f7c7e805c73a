// Device profiles: one TOML file per scanner family in devices/, parsed strictly so that a typo in a
// profile is an error naming file and line, never a silently ignored setting.
#include <pickverify/device_profile.hpp>
#include <pickverify/device_state.hpp>
#include <pickverify/expected.hpp>
#include <pickverify/serial_line.hpp>
#include <pickverify/shipped_data.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace pickverify {

std::string_view to_string(ScannerMode mode)
{
  switch (mode) {
  case ScannerMode::hid_keyboard:
    return "hid_keyboard";
  case ScannerMode::hid_pos:
    return "hid_pos";
  case ScannerMode::serial:
    return "serial";
  }
  return "unknown";
}

std::string_view to_string(KeyboardLayout layout)
{
  switch (layout) {
  case KeyboardLayout::us:
    return "us";
  case KeyboardLayout::de:
    return "de";
  case KeyboardLayout::fr:
    return "fr";
  }
  return "unknown";
}

std::string_view to_string(Terminator terminator)
{
  switch (terminator) {
  case Terminator::enter:
    return "enter";
  case Terminator::tab:
    return "tab";
  case Terminator::none:
    return "none";
  }
  return "unknown";
}

std::string_view to_string(AimSource aim)
{
  switch (aim) {
  case AimSource::none:
    return "none";
  case AimSource::prefix:
    return "prefix";
  case AimSource::report:
    return "report";
  }
  return "unknown";
}

std::string_view to_string(DeviceState state)
{
  return state == DeviceState::online ? "online" : "offline";
}

namespace {

constexpr int k_max_inter_key_timeout_ms = 5000;
constexpr std::size_t k_max_affix_bytes = 16;

const std::set<std::string_view> k_top_level_keys = {"vendor", "scanner"};
const std::set<std::string_view> k_known_quirks = {"no_kernel_driver", "hidpos_output_redirection"};

class ProfileParser;

// What reading one [[scanner]] table gathers: the profile, and which keys were there (for the checks
// across keys once all are read).
struct ScannerFields {
  DeviceProfile profile;
  bool has_name = false, has_usb = false, has_mode = false;
  std::optional<toml::source_region> serial_key_at, keyboard_key_at;
};

// A key of [[scanner]] and how its value is read.
struct ScannerKey {
  std::string_view name;
  Result<void> (*read)(const ProfileParser& parser, const toml::node& node, std::string_view key,
                       ScannerFields& fields);
};

const std::vector<ScannerKey>& scanner_keys();

class ProfileParser {
public:
  explicit ProfileParser(std::string_view file_name) : m_file(file_name) {}

  Error error_at(const toml::source_region& where, std::string_view message) const
  {
    return Error{ErrorType::invalid_input, fmt::format("{}:{}: {}", m_file, where.begin.line, message)};
  }

  Result<std::string> string_value(const toml::node& node, std::string_view key) const
  {
    auto value = node.value<std::string>();
    if (!node.is_string() || !value)
      return tl::unexpected(error_at(node.source(), fmt::format("'{}' must be a string", key)));
    return *value;
  }

  template <typename Enum>
  Result<Enum> enum_value(const toml::node& node, std::string_view key,
                          std::initializer_list<std::pair<std::string_view, Enum>> choices) const
  {
    PV_TRY_ASSIGN(auto text, string_value(node, key));
    std::string allowed;
    for (const auto& [name, value] : choices) {
      if (name == text)
        return value;
      allowed += allowed.empty() ? "" : ", ";
      allowed += name;
    }
    return tl::unexpected(error_at(node.source(), fmt::format("'{}' = \"{}\" is not one of: {}", key, text, allowed)));
  }

  Result<std::int64_t> int_value(const toml::node& node, std::string_view key, std::int64_t min, std::int64_t max) const
  {
    if (!node.is_integer())
      return tl::unexpected(error_at(node.source(), fmt::format("'{}' must be an integer", key)));
    std::int64_t value = *node.value<std::int64_t>();
    if (value < min || value > max)
      return tl::unexpected(
          error_at(node.source(), fmt::format("'{}' = {} is out of range {}..{}", key, value, min, max)));
    return value;
  }

  // prefix, suffix: at most k_max_affix_bytes.
  Result<void> affix(const toml::node& node, std::string_view key, std::string& target) const
  {
    PV_TRY_ASSIGN(auto v, string_value(node, key));
    if (v.size() > k_max_affix_bytes)
      return tl::unexpected(
          error_at(node.source(), fmt::format("'{}' is longer than {} bytes", key, k_max_affix_bytes)));
    target = v;
    return {};
  }

  // One [[scanner]] table: each key read by its entry of scanner_keys(), then the checks across keys.
  Result<DeviceProfile> scanner(const toml::table& table, std::string_view vendor) const
  {
    ScannerFields fields;
    DeviceProfile& profile = fields.profile;
    profile.vendor = vendor;
    profile.source_file = m_file;
    profile.source_line = static_cast<int>(table.source().begin.line);
    for (const auto& [key_node, node] : table) {
      const std::string_view key = key_node.str();
      const auto& keys = scanner_keys();
      const auto known = std::find_if(keys.begin(), keys.end(), [key](const ScannerKey& k) { return k.name == key; });
      if (known == keys.end())
        return tl::unexpected(error_at(key_node.source(), fmt::format("unknown key '{}'", key)));
      PV_TRY(known->read(*this, node, key, fields));
    }

    const auto& where = table.source();
    if (!fields.has_name)
      return tl::unexpected(error_at(where, "scanner without 'name'"));
    if (!fields.has_usb)
      return tl::unexpected(error_at(where, fmt::format("scanner '{}' without 'usb'", profile.name)));
    if (!fields.has_mode)
      return tl::unexpected(error_at(where, fmt::format("scanner '{}' without 'mode'", profile.name)));
    if (fields.serial_key_at && profile.mode != ScannerMode::serial)
      return tl::unexpected(error_at(*fields.serial_key_at, "serial settings on a scanner whose mode is not serial"));
    if (fields.keyboard_key_at && profile.mode != ScannerMode::hid_keyboard)
      return tl::unexpected(error_at(*fields.keyboard_key_at, "'layout' on a scanner whose mode is not hid_keyboard"));
    if (profile.aim == AimSource::report && profile.mode != ScannerMode::hid_pos)
      return tl::unexpected(error_at(where, "aim = \"report\" needs mode = \"hid_pos\""));
    if (profile.beep && profile.mode != ScannerMode::hid_pos)
      return tl::unexpected(error_at(where, "beep = true needs mode = \"hid_pos\""));
    return std::move(profile);
  }

  Result<std::vector<DeviceProfile>> parse(std::string_view text) const
  {
    toml::table root;
    try {
      root = toml::parse(text, std::string(m_file));
    } catch (const toml::parse_error& e) {
      return tl::unexpected(error_at(e.source(), std::string(e.description())));
    }

    std::string vendor;
    std::vector<DeviceProfile> profiles;
    for (const auto& [key_node, node] : root) {
      const std::string_view key = key_node.str();
      if (!k_top_level_keys.contains(key))
        return tl::unexpected(error_at(key_node.source(), fmt::format("unknown key '{}'", key)));
      if (key == "vendor") {
        PV_TRY_ASSIGN(auto v, string_value(node, key));
        vendor = v;
      }
    }
    if (vendor.empty())
      return tl::unexpected(Error{ErrorType::invalid_input, fmt::format("{}:1: missing 'vendor'", m_file)});

    const auto* scanners = root["scanner"].as_array();
    if (!scanners || !scanners->is_array_of_tables())
      return tl::unexpected(Error{ErrorType::invalid_input, fmt::format("{}:1: expected [[scanner]] tables", m_file)});
    for (const auto& element : *scanners) {
      PV_TRY_ASSIGN(auto profile, scanner(*element.as_table(), vendor));
      profiles.push_back(std::move(profile));
    }
    return profiles;
  }

private:
  std::string m_file;
};

const std::vector<ScannerKey>& scanner_keys()
{
  using P = const ProfileParser&;
  using F = ScannerFields&;
  static const std::vector<ScannerKey> keys{
      {"name",
       [](P p, const toml::node& node, std::string_view key, F f) -> Result<void> {
         PV_TRY_ASSIGN(auto v, p.string_value(node, key));
         if (v.empty() || v.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
           return tl::unexpected(p.error_at(node.source(), "'name' must be lower-case letters, digits and '-'"));
         f.profile.name = v;
         f.has_name = true;
         return {};
       }},
      {"model",
       [](P p, const toml::node& node, std::string_view key, F f) -> Result<void> {
         PV_TRY_ASSIGN(f.profile.model, p.string_value(node, key));
         return {};
       }},
      {"usb",
       [](P p, const toml::node& node, std::string_view key, F f) -> Result<void> {
         PV_TRY_ASSIGN(auto v, p.string_value(node, key));
         const auto id = parse_usb_id(v);
         if (!id)
           return tl::unexpected(
               p.error_at(node.source(), fmt::format("'usb' = \"{}\" is not VID:PID in hex, like \"0c2e:0b61\"", v)));
         if (id->vendor == 0)
           return tl::unexpected(p.error_at(node.source(), "'usb' vendor id 0000 is not a real vendor"));
         f.profile.usb = *id;
         f.has_usb = true;
         return {};
       }},
      {"mode",
       [](P p, const toml::node& node, std::string_view key, F f) -> Result<void> {
         PV_TRY_ASSIGN(f.profile.mode, p.enum_value<ScannerMode>(node, key,
                                                                 {{"hid_keyboard", ScannerMode::hid_keyboard},
                                                                  {"hid_pos", ScannerMode::hid_pos},
                                                                  {"serial", ScannerMode::serial}}));
         f.has_mode = true;
         return {};
       }},
      {"layout",
       [](P p, const toml::node& node, std::string_view key, F f) -> Result<void> {
         PV_TRY_ASSIGN(
             f.profile.layout,
             p.enum_value<KeyboardLayout>(
                 node, key, {{"us", KeyboardLayout::us}, {"de", KeyboardLayout::de}, {"fr", KeyboardLayout::fr}}));
         f.keyboard_key_at = node.source();
         return {};
       }},
      {"terminator",
       [](P p, const toml::node& node, std::string_view key, F f) -> Result<void> {
         PV_TRY_ASSIGN(
             f.profile.terminator,
             p.enum_value<Terminator>(
                 node, key, {{"enter", Terminator::enter}, {"tab", Terminator::tab}, {"none", Terminator::none}}));
         return {};
       }},
      {"prefix",
       [](P p, const toml::node& node, std::string_view key, F f) { return p.affix(node, key, f.profile.prefix); }},
      {"suffix",
       [](P p, const toml::node& node, std::string_view key, F f) { return p.affix(node, key, f.profile.suffix); }},
      {"inter_key_timeout_ms",
       [](P p, const toml::node& node, std::string_view key, F f) -> Result<void> {
         PV_TRY_ASSIGN(auto v, p.int_value(node, key, 5, k_max_inter_key_timeout_ms));
         f.profile.inter_key_timeout = std::chrono::milliseconds(v);
         return {};
       }},
      {"aim",
       [](P p, const toml::node& node, std::string_view key, F f) -> Result<void> {
         PV_TRY_ASSIGN(
             f.profile.aim,
             p.enum_value<AimSource>(
                 node, key, {{"none", AimSource::none}, {"prefix", AimSource::prefix}, {"report", AimSource::report}}));
         return {};
       }},
      {"beep",
       [](P p, const toml::node& node, std::string_view, F f) -> Result<void> {
         if (!node.is_boolean())
           return tl::unexpected(p.error_at(node.source(), "'beep' must be true or false"));
         f.profile.beep = *node.value<bool>();
         return {};
       }},
      {"baud",
       [](P p, const toml::node& node, std::string_view key, F f) -> Result<void> {
         PV_TRY_ASSIGN(auto v, p.int_value(node, key, 1200, 230400));
         if (!is_standard_baud(static_cast<int>(v)))
           return tl::unexpected(p.error_at(node.source(), fmt::format("'baud' = {} is not a standard speed", v)));
         f.profile.serial.baud = static_cast<int>(v);
         f.serial_key_at = node.source();
         return {};
       }},
      {"data_bits",
       [](P p, const toml::node& node, std::string_view key, F f) -> Result<void> {
         PV_TRY_ASSIGN(auto v, p.int_value(node, key, 7, 8));
         f.profile.serial.data_bits = static_cast<int>(v);
         f.serial_key_at = node.source();
         return {};
       }},
      {"stop_bits",
       [](P p, const toml::node& node, std::string_view key, F f) -> Result<void> {
         PV_TRY_ASSIGN(auto v, p.int_value(node, key, 1, 2));
         f.profile.serial.stop_bits = static_cast<int>(v);
         f.serial_key_at = node.source();
         return {};
       }},
      {"parity",
       [](P p, const toml::node& node, std::string_view key, F f) -> Result<void> {
         PV_TRY_ASSIGN(
             f.profile.serial.parity,
             p.enum_value<Parity>(node, key, {{"none", Parity::none}, {"even", Parity::even}, {"odd", Parity::odd}}));
         f.serial_key_at = node.source();
         return {};
       }},
      {"quirks",
       [](P p, const toml::node& node, std::string_view key, F f) -> Result<void> {
         const auto* array = node.as_array();
         if (!array)
           return tl::unexpected(p.error_at(node.source(), "'quirks' must be an array of strings"));
         for (const auto& element : *array) {
           PV_TRY_ASSIGN(auto v, p.string_value(element, key));
           if (!k_known_quirks.contains(v))
             return tl::unexpected(p.error_at(element.source(), fmt::format("unknown quirk '{}'", v)));
           f.profile.quirks.push_back(v);
         }
         return {};
       }},
  };
  return keys;
}

Result<void> check_unique(const std::vector<DeviceProfile>& profiles)
{
  std::map<std::string, const DeviceProfile*> by_name;
  std::map<std::pair<std::uint16_t, std::uint16_t>, const DeviceProfile*> by_id;
  for (const auto& profile : profiles) {
    auto [name_it, name_new] = by_name.emplace(profile.name, &profile);
    if (!name_new)
      return make_error(ErrorType::invalid_input,
                        fmt::format("{}:{}: duplicate profile name '{}' (first at {}:{})", profile.source_file,
                                    profile.source_line, profile.name, name_it->second->source_file,
                                    name_it->second->source_line));
    auto [id_it, id_new] = by_id.emplace(std::pair{profile.usb.vendor, profile.usb.product}, &profile);
    if (!id_new)
      return make_error(ErrorType::invalid_input,
                        fmt::format("{}:{}: duplicate USB id {} in '{}' (first at {}:{} in '{}')", profile.source_file,
                                    profile.source_line, to_string(profile.usb), profile.name,
                                    id_it->second->source_file, id_it->second->source_line, id_it->second->name));
  }
  return {};
}

} // namespace

Result<std::vector<DeviceProfile>> parse_profiles(std::string_view text, std::string_view file_name)
{
  auto profiles = ProfileParser(file_name).parse(text);
  if (!profiles)
    return profiles;
  PV_TRY(check_unique(*profiles));
  return profiles;
}

Result<std::vector<DeviceProfile>> load_profiles(const std::filesystem::path& dir)
{
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return make_error(ErrorType::not_found, fmt::format("profiles folder '{}' does not exist", dir.string()));
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".toml")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());

  std::vector<DeviceProfile> all;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
      return make_error(ErrorType::io, fmt::format("cannot read '{}'", file.string()));
    std::ostringstream text;
    text << in.rdbuf();
    PV_TRY_ASSIGN(auto profiles, parse_profiles(text.str(), file.filename().string()));
    all.insert(all.end(), profiles.begin(), profiles.end());
  }
  PV_TRY(check_unique(all));
  return all;
}

std::filesystem::path default_profiles_dir()
{
  // An explicit folder wins; then the one shipped beside this program (installed, or the source tree).
  if (const char* dir = std::getenv("PICKVERIFY_DEVICES_DIR"); dir && *dir)
    return dir;
  return shipped_data_dir() / "devices";
}

const DeviceProfile* find_profile(const std::vector<DeviceProfile>& profiles, UsbId id)
{
  for (const auto& profile : profiles)
    if (profile.usb == id)
      return &profile;
  return nullptr;
}

std::string generate_udev_rules(const std::vector<DeviceProfile>& profiles, const std::vector<UdevUsbDevice>& others)
{
  struct Rule {
    UsbId usb;
    std::string comment;
    std::string name;
    bool serial = false;
  };
  std::vector<Rule> rules;
  for (const auto& profile : profiles)
    rules.push_back(
        {profile.usb,
         fmt::format("{} {} ({}, {})", profile.vendor, profile.model, profile.name, to_string(profile.mode)),
         profile.name, profile.mode == ScannerMode::serial});
  for (const auto& other : others) {
    const bool known = std::any_of(rules.begin(), rules.end(), [&](const Rule& r) { return r.usb == other.usb; });
    if (!known)
      rules.push_back({other.usb, fmt::format("{} ({})", other.description, other.name), other.name, false});
  }
  std::stable_sort(rules.begin(), rules.end(), [](const Rule& a, const Rule& b) {
    return std::pair{a.usb.vendor, a.usb.product} < std::pair{b.usb.vendor, b.usb.product};
  });

  std::string out = "# Generated from devices/*.toml and devices/outputs/*.toml by pickverify (generate_udev_rules)"
                    " - do not edit by hand.\n"
                    "# Lets members of group 'pickverify' open the profiled barcode scanners, the station controller\n"
                    "# and the output boards without root: USB devices through /dev/bus/usb (libusb), serial\n"
                    "# scanners through /dev/ttyACM*.\n"
                    "# Install: cp 70-pickverify-scanners.rules /etc/udev/rules.d/ && udevadm control --reload\n\n";
  for (const auto& rule : rules) {
    const auto vid = fmt::format("{:04x}", rule.usb.vendor);
    const auto pid = fmt::format("{:04x}", rule.usb.product);
    out += fmt::format("# {}\n", rule.comment);
    if (rule.serial)
      out += fmt::format("SUBSYSTEM==\"tty\", ATTRS{{idVendor}}==\"{}\", ATTRS{{idProduct}}==\"{}\", "
                         "GROUP=\"pickverify\", MODE=\"0660\", SYMLINK+=\"pickverify/{}-%n\"\n",
                         vid, pid, rule.name);
    else
      out += fmt::format("SUBSYSTEM==\"usb\", ENV{{DEVTYPE}}==\"usb_device\", ATTR{{idVendor}}==\"{}\", "
                         "ATTR{{idProduct}}==\"{}\", GROUP=\"pickverify\", MODE=\"0660\"\n",
                         vid, pid);
  }
  return out;
}

} // namespace pickverify
