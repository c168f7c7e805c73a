#include "replay_folder.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include <pickverify/device_profile.hpp>
#include <pickverify/device_state.hpp>
#include <pickverify/scan_text.hpp>

namespace pickverify::test {

namespace {

std::string read_text(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string trim(std::string s)
{
  const auto begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos)
    return {};
  const auto end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

// Lines without comments and blank lines, with their numbers.
std::vector<std::pair<int, std::string>> lines_of(const std::filesystem::path& path)
{
  std::vector<std::pair<int, std::string>> out;
  std::istringstream in(read_text(path));
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (auto hash = line.find('#'); hash != std::string::npos && line.rfind("scan ", 0) != 0)
      line.erase(hash);
    line = trim(line);
    if (!line.empty())
      out.emplace_back(number, line);
  }
  return out;
}

} // namespace

ReplayFolder read_replay_folder(const std::filesystem::path& dir, const std::vector<DeviceProfile>& profiles)
{
  ReplayFolder folder;
  folder.name = dir.filename().string();
  auto fail = [&](const std::string& file, int line, const std::string& what) {
    throw std::runtime_error(fmt::format("{}/{}:{}: {}", folder.name, file, line, what));
  };

  std::string profile_name;
  for (const auto& [number, line] : lines_of(dir / "device.txt")) {
    const auto eq = line.find('=');
    if (eq == std::string::npos)
      fail("device.txt", number, "expected key = value");
    const std::string key = trim(line.substr(0, eq));
    const std::string value = trim(line.substr(eq + 1));
    if (key == "usb") {
      folder.spec.vendor = static_cast<std::uint16_t>(std::stoi(value.substr(0, 4), nullptr, 16));
      folder.spec.product = static_cast<std::uint16_t>(std::stoi(value.substr(5, 4), nullptr, 16));
    } else if (key == "profile") {
      profile_name = value;
    } else if (key == "interface") {
      if (value != "boot_keyboard" && value != "hid")
        fail("device.txt", number, "interface is boot_keyboard or hid");
      folder.spec.boot_keyboard = value == "boot_keyboard";
    } else if (key == "packet_size") {
      folder.spec.packet_size = static_cast<std::uint16_t>(std::stoi(value));
    } else if (key == "serial") {
      folder.spec.serial = value;
    } else if (key == "port") {
      folder.spec.port = std::stoi(value);
    } else if (key == "beeps") {
      folder.output_reports = static_cast<std::size_t>(std::stoi(value));
    } else {
      fail("device.txt", number, "unknown key " + key);
    }
  }

  if (std::filesystem::exists(dir / "profile.toml")) {
    auto local = parse_profiles(read_text(dir / "profile.toml"), folder.name + "/profile.toml");
    if (!local)
      throw std::runtime_error(local.error().message);
    profile_name = profile_name.empty() ? local->front().name : profile_name;
    for (const auto& p : *local)
      if (p.name == profile_name)
        folder.profile = p;
  } else {
    for (const auto& p : profiles)
      if (p.name == profile_name)
        folder.profile = p;
  }
  if (folder.profile.name.empty())
    throw std::runtime_error(folder.name + ": no profile named '" + profile_name + "'");
  if (!(folder.profile.usb == UsbId{folder.spec.vendor, folder.spec.product}))
    throw std::runtime_error(folder.name + ": device.txt usb differs from the profile's");

  if (std::filesystem::exists(dir / "report_descriptor.hex"))
    folder.spec.report_descriptor = parse_hex(read_text(dir / "report_descriptor.hex"));
  else // the standard boot keyboard descriptor (HID 1.11 appendix B.1)
    folder.spec.report_descriptor =
        parse_hex("05 01 09 06 a1 01 05 07 19 e0 29 e7 15 00 25 01 75 01 95 08 81 02 95 01 75 08 81 01"
                  " 95 05 75 01 05 08 19 01 29 05 91 02 95 01 75 03 91 01 95 06 75 08 15 00 25 65 05 07"
                  " 19 00 29 65 81 00 c0");

  for (const auto& [number, line] : lines_of(dir / "reports.txt")) {
    ReplayStep step;
    if (line.rfind("wait ", 0) == 0) {
      step.kind = ReplayStep::Kind::wait;
      step.wait = std::chrono::milliseconds(std::stoi(line.substr(5)));
    } else if (line == "unplug") {
      step.kind = ReplayStep::Kind::unplug;
    } else if (line == "plug") {
      step.kind = ReplayStep::Kind::plug;
    } else {
      try {
        step.report = parse_hex(line);
      } catch (const std::exception& e) {
        fail("reports.txt", number, e.what());
      }
    }
    folder.steps.push_back(std::move(step));
  }

  for (const auto& [number, line] : lines_of(dir / "expected.txt")) {
    if (line.rfind("scan ", 0) == 0) {
      const auto rest = line.substr(5);
      const auto space = rest.find(' ');
      if (space == std::string::npos)
        fail("expected.txt", number, "expected: scan <aim or -> <text>");
      ExpectedScan scan;
      const std::string aim = rest.substr(0, space);
      if (aim != "-")
        scan.aim = aim;
      auto raw = unescape_scan_text(rest.substr(space + 1));
      if (!raw)
        fail("expected.txt", number, "bad escape");
      scan.raw = *raw;
      folder.scans.push_back(scan);
    } else if (line.rfind("online ", 0) == 0) {
      folder.states.emplace_back(DeviceState::online, line.substr(7));
    } else if (line.rfind("offline ", 0) == 0) {
      folder.states.emplace_back(DeviceState::offline, line.substr(8));
    } else {
      fail("expected.txt", number, "expected 'scan ...', 'online ...' or 'offline ...'");
    }
  }
  return folder;
}

} // namespace pickverify::test
