#include <catch2/catch.hpp>

#include <fstream>

#include <pickverify/device_profile.hpp>
#include <temp_dir.hpp>

using namespace pickverify;

namespace {

const char* k_valid = R"toml(vendor = "Honeywell"

[[scanner]]
name = "hw-kbd"
model = "Voyager (keyboard)"
usb = "0c2e:0b81"
mode = "hid_keyboard"
layout = "de"
terminator = "tab"
prefix = "*"
suffix = "#"
inter_key_timeout_ms = 80

[[scanner]]
name = "hw-serial"
usb = "0C2E:0720"
mode = "serial"
baud = 115200
data_bits = 7
parity = "even"
stop_bits = 2
)toml";

void write_file(const std::filesystem::path& path, const std::string& text)
{
  std::ofstream(path) << text;
}

} // namespace

TEST_CASE("parse_profiles reads every setting of a profile file", "[profiles]")
{
  auto profiles = parse_profiles(k_valid, "honeywell.toml");
  REQUIRE(profiles);
  REQUIRE(profiles->size() == 2);
  const auto& kbd = (*profiles)[0];
  CHECK(kbd.name == "hw-kbd");
  CHECK(kbd.vendor == "Honeywell");
  CHECK(kbd.usb == UsbId{0x0c2e, 0x0b81});
  CHECK(kbd.mode == ScannerMode::hid_keyboard);
  CHECK(kbd.layout == KeyboardLayout::de);
  CHECK(kbd.terminator == Terminator::tab);
  CHECK(kbd.prefix == "*");
  CHECK(kbd.suffix == "#");
  CHECK(kbd.inter_key_timeout == std::chrono::milliseconds(80));
  CHECK(kbd.source_file == "honeywell.toml");
  CHECK(kbd.source_line == 3);
  const auto& serial = (*profiles)[1];
  CHECK(serial.usb == UsbId{0x0c2e, 0x0720});
  CHECK(serial.serial.baud == 115200);
  CHECK(serial.serial.data_bits == 7);
  CHECK(serial.serial.parity == Parity::even);
  CHECK(serial.serial.stop_bits == 2);
}

TEST_CASE("parse_profiles names file and line of an unknown key", "[profiles]")
{
  auto profiles = parse_profiles(
      "vendor = \"X\"\n[[scanner]]\nname = \"a\"\nusb = \"0c2e:0001\"\nmode = \"hid_pos\"\nbeeep = true\n", "x.toml");
  REQUIRE_FALSE(profiles);
  CHECK(profiles.error().type == ErrorType::invalid_input);
  CHECK(profiles.error().message == "x.toml:6: unknown key 'beeep'");
}

TEST_CASE("parse_profiles rejects bad values with file and line", "[profiles]")
{
  const std::string head = "vendor = \"X\"\n[[scanner]]\nname = \"a\"\n";
  auto check = [&](const std::string& body, const std::string& message) {
    auto profiles = parse_profiles(head + body, "x.toml");
    REQUIRE_FALSE(profiles);
    CHECK(profiles.error().message == message);
  };
  check("usb = \"0c2e-0001\"\nmode = \"hid_pos\"\n",
        "x.toml:4: 'usb' = \"0c2e-0001\" is not VID:PID in hex, like \"0c2e:0b61\"");
  check("usb = \"0c2e:0001\"\nmode = \"keyboard\"\n",
        "x.toml:5: 'mode' = \"keyboard\" is not one of: hid_keyboard, hid_pos, serial");
  check("usb = \"0c2e:0001\"\nmode = \"hid_keyboard\"\nlayout = \"uk\"\n",
        "x.toml:6: 'layout' = \"uk\" is not one of: us, de, fr");
  check("usb = \"0c2e:0001\"\nmode = \"hid_keyboard\"\ninter_key_timeout_ms = 0\n",
        "x.toml:6: 'inter_key_timeout_ms' = 0 is out of range 5..5000");
  check("usb = \"0c2e:0001\"\nmode = \"serial\"\nbaud = 1000\n",
        "x.toml:6: 'baud' = 1000 is out of range 1200..230400");
  check("usb = \"0c2e:0001\"\nmode = \"serial\"\nbaud = 14400\n", "x.toml:6: 'baud' = 14400 is not a standard speed");
  check("usb = \"0c2e:0001\"\nmode = \"hid_keyboard\"\nbaud = 9600\n",
        "x.toml:6: serial settings on a scanner whose mode is not serial");
  check("usb = \"0c2e:0001\"\nmode = \"hid_keyboard\"\nbeep = \"yes\"\n", "x.toml:6: 'beep' must be true or false");
  check("usb = \"0c2e:0001\"\nmode = \"hid_keyboard\"\nquirks = [\"fast\"]\n", "x.toml:6: unknown quirk 'fast'");
  check("mode = \"hid_pos\"\n", "x.toml:2: scanner 'a' without 'usb'");
  check("usb = \"0c2e:0001\"\nmode = \"hid_keyboard\"\nmode = \"hid_pos\"\n",
        "x.toml:6: Error while parsing key-value pair: cannot redefine existing string 'mode'");
}

TEST_CASE("parse_profiles refuses a duplicate VID:PID in one file", "[profiles]")
{
  auto profiles = parse_profiles("vendor = \"X\"\n[[scanner]]\nname = \"a\"\nusb = \"0c2e:0001\"\nmode = \"hid_pos\"\n"
                                 "[[scanner]]\nname = \"b\"\nusb = \"0C2E:0001\"\nmode = \"hid_keyboard\"\n",
                                 "x.toml");
  REQUIRE_FALSE(profiles);
  CHECK(profiles.error().message == "x.toml:6: duplicate USB id 0c2e:0001 in 'b' (first at x.toml:2 in 'a')");
}

TEST_CASE("load_profiles refuses a VID:PID claimed by two files, naming both", "[profiles]")
{
  test::TempDir dir;
  write_file(dir / "a.toml",
             "vendor = \"A\"\n[[scanner]]\nname = \"a\"\nusb = \"05e0:1200\"\nmode = \"hid_keyboard\"\n");
  write_file(dir / "b.toml",
             "vendor = \"B\"\n\n[[scanner]]\nname = \"b\"\nusb = \"05e0:1200\"\nmode = \"hid_keyboard\"\n");
  write_file(dir / "notes.txt", "not a profile");
  auto profiles = load_profiles(dir.path());
  REQUIRE_FALSE(profiles);
  CHECK(profiles.error().message == "b.toml:3: duplicate USB id 05e0:1200 in 'b' (first at a.toml:2 in 'a')");
}

TEST_CASE("load_profiles loads the shipped devices/ profiles", "[profiles]")
{
  auto profiles = load_profiles(default_profiles_dir());
  REQUIRE(profiles);
  CHECK(profiles->size() >= 15);
  const auto* zebra = find_profile(*profiles, UsbId{0x05e0, 0x1200});
  REQUIRE(zebra);
  CHECK(zebra->mode == ScannerMode::hid_keyboard);
  const auto* honeywell = find_profile(*profiles, UsbId{0x0c2e, 0x0b8f});
  REQUIRE(honeywell);
  CHECK(honeywell->mode == ScannerMode::hid_pos);
  CHECK(honeywell->beep);
  CHECK(find_profile(*profiles, UsbId{0x1d6b, 0x0002}) == nullptr);
  for (const auto& vendor : {"Honeywell", "Zebra", "Datalogic", "Generic"})
    CHECK(std::any_of(profiles->begin(), profiles->end(), [&](const auto& p) { return p.vendor == vendor; }));
}

TEST_CASE("load_profiles reports a missing folder", "[profiles]")
{
  auto profiles = load_profiles("/nonexistent/devices");
  REQUIRE_FALSE(profiles);
  CHECK(profiles.error().type == ErrorType::not_found);
}
