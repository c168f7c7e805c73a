// Scale profiles (devices/scales/*.toml): the shipped ones load, each mistake is an error naming file
// and line, and the USB scales get udev rules.
#include <catch2/catch.hpp>

#include <fstream>
#include <unistd.h>

#include <fmt/format.h>

#include <pickverify/controller.hpp>
#include <pickverify/scale.hpp>

using namespace pickverify;
using Catch::Matchers::Contains;

namespace {

const ScaleProfile* find(const std::vector<ScaleProfile>& profiles, std::string_view name)
{
  for (const auto& profile : profiles) {
    if (profile.name == name) {
      return &profile;
    }
  }
  return nullptr;
}

std::string parse_error(const std::string& text)
{
  auto parsed = parse_scale_profiles(text, "s.toml");
  REQUIRE_FALSE(parsed);
  return parsed.error().message;
}

} // namespace

TEST_CASE("load_scale_profiles reads the shipped USB HID POS and MT-SICS scales", "[scale][profiles]")
{
  auto profiles = load_scale_profiles();
  REQUIRE(profiles);
  const ScaleProfile* m25 = find(*profiles, "dymo-m25");
  REQUIRE(m25);
  CHECK(m25->protocol == ScaleProtocol::hid_pos);
  CHECK(m25->usb == UsbId{0x0922, 0x8004});
  CHECK_THAT(m25->source, Contains("usb-hid-pos.toml:"));
  const ScaleProfile* sics = find(*profiles, "mt-sics-9600");
  REQUIRE(sics);
  CHECK(sics->protocol == ScaleProtocol::mt_sics);
  CHECK(sics->baud == 9600);
  CHECK(find(*profiles, "mt-sics-19200")->baud == 19200);
  // A folder that does not exist holds none.
  auto none = load_scale_profiles("/nonexistent/pickverify/scales");
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("parse_scale_profiles: every mistake is an error naming file and line", "[scale][profiles]")
{
  CHECK(parse_error("[[scale]]\nname = \"a\"\nprotocol = \"hid_pos\"\nusb = \"0922:8004\"\ncolor = 1\n") ==
        "s.toml:5: unknown key 'color' in [[scale]]");
  CHECK(parse_error("[[scale]]\nname = \"a\"\nprotocol = \"hid_pos\"\nusb = \"0922-8004\"\n") ==
        "s.toml:4: 'usb' = \"0922-8004\" is not a VID:PID such as \"0922:8004\"");
  CHECK(parse_error("[[scale]]\nname = \"a\"\nprotocol = \"hid_pos\"\n") ==
        "s.toml:1: scale 'a' (hid_pos) needs 'usb' and has no 'baud'");
  CHECK(parse_error("[[scale]]\nname = \"a\"\nprotocol = \"mt_sics\"\nusb = \"0922:8004\"\n") ==
        "s.toml:1: scale 'a' (mt_sics) is a serial scale: 'usb' does not apply");
  CHECK(parse_error("[[scale]]\nname = \"a\"\nprotocol = \"mt_sics\"\nbaud = 9601\n") ==
        "s.toml:4: 'baud' must be a standard speed (1200 … 230400)");
  CHECK(parse_error("[[scale]]\nname = \"a\"\nprotocol = \"ascii\"\n") ==
        "s.toml:3: 'protocol' = \"ascii\" is not one of: hid_pos, mt_sics");
  CHECK(parse_error("[[scale]]\nname = \"a:b\"\nprotocol = \"mt_sics\"\n") ==
        "s.toml:1: [[scale]] needs a 'name' without ':'");
  CHECK(parse_error("[[scale]]\nname = \"a\"\nprotocol = \"mt_sics\"\n[[scale]]\nname = \"a\"\nprotocol = "
                    "\"mt_sics\"\n") == "s.toml:4: scale 'a' already defined at s.toml:1");
  CHECK(parse_error("[scanner]\nname = \"a\"\n") == "s.toml:1: unknown top-level key 'scanner'");
  CHECK_THAT(parse_error("[[scale]\n"), Contains("s.toml:1:"));
}

TEST_CASE("output_udev_devices: the USB scales of devices/scales/ get udev rules, serial ones none", "[scale][udev]")
{
  const auto root = std::filesystem::temp_directory_path() / fmt::format("pv-scales-{}", ::getpid());
  std::filesystem::create_directories(root / "scales");
  std::ofstream(root / "scales" / "bench.toml")
      << "[[scale]]\nname = \"shipping\"\nmodel = \"Bench scale\"\nusb = \"1234:abcd\"\nprotocol = \"hid_pos\"\n"
         "[[scale]]\nname = \"serial\"\nprotocol = \"mt_sics\"\n";
  auto devices = output_udev_devices(root / "outputs"); // no outputs/ folder: the controller and the scale
  std::filesystem::remove_all(root);
  REQUIRE(devices);
  REQUIRE(devices->size() == 2);
  CHECK(devices->back().usb == UsbId{0x1234, 0xabcd});
  CHECK(devices->back().name == "shipping");
  CHECK(devices->back().description == "Bench scale (devices/scales/bench.toml)");
}
