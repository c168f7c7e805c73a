#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

#include <pickverify/controller.hpp>
#include <pickverify/device_profile.hpp>

#include "hid_outputs.hpp"
#include "protocol.hpp"

using namespace pickverify;

namespace {

std::string committed_rules()
{
  std::ifstream in(default_profiles_dir() / "70-pickverify-scanners.rules", std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool has_usb_rule(const std::string& rules, std::uint16_t vendor, std::uint16_t product)
{
  return rules.find(fmt::format("SUBSYSTEM==\"usb\", ENV{{DEVTYPE}}==\"usb_device\", ATTR{{idVendor}}==\"{:04x}\", "
                                "ATTR{{idProduct}}==\"{:04x}\", GROUP=\"pickverify\", MODE=\"0660\"",
                                vendor, product)) != std::string::npos;
}

} // namespace

TEST_CASE("generate_udev_rules matches the committed devices/70-pickverify-scanners.rules", "[udev]")
{
  auto profiles = load_profiles(default_profiles_dir());
  REQUIRE(profiles);
  auto outputs = output_udev_devices();
  REQUIRE(outputs);
  const std::string generated = generate_udev_rules(*profiles, *outputs);
  // PICKVERIFY_UPDATE_UDEV_RULES=1 rewrites the file after a profile change (see docs/DEVICES.md).
  if (std::getenv("PICKVERIFY_UPDATE_UDEV_RULES"))
    std::ofstream(default_profiles_dir() / "70-pickverify-scanners.rules", std::ios::binary) << generated;
  INFO("devices/70-pickverify-scanners.rules is stale: run the test with PICKVERIFY_UPDATE_UDEV_RULES=1");
  CHECK(committed_rules() == generated);
}

TEST_CASE("output_udev_devices: the committed rules open every output profile and the station controller", "[udev]")
{
  const std::string rules = committed_rules();
  CHECK(has_usb_rule(rules, fw::k_usb_vendor, fw::k_usb_product));
  auto profiles = fw::load_output_profiles(fw::default_output_profiles_dir());
  REQUIRE(profiles);
  REQUIRE(profiles->size() >= 2);
  for (const auto& profile : *profiles) {
    INFO(profile.name);
    CHECK(has_usb_rule(rules, profile.vendor, profile.product));
  }
  // The two boards the issue names, by their public ids.
  CHECK(has_usb_rule(rules, 0x16c0, 0x05df));
  CHECK(has_usb_rule(rules, 0x0fc5, 0xb080));
  auto scanners = load_profiles(default_profiles_dir());
  REQUIRE(scanners);
  for (const auto& scanner : *scanners) {
    INFO(scanner.name);
    CHECK(rules.find(fmt::format("\"{:04x}\", ATTR{}{{idProduct}}==\"{:04x}\"", scanner.usb.vendor,
                                 scanner.mode == ScannerMode::serial ? "S" : "", scanner.usb.product)) !=
          std::string::npos);
  }
}

TEST_CASE("output_udev_devices: a folder without outputs lists the controller, a bad profile is an error", "[udev]")
{
  auto none = output_udev_devices("/nonexistent/pickverify/outputs");
  REQUIRE(none);
  REQUIRE(none->size() == 1);
  CHECK(none->front().usb == UsbId{fw::k_usb_vendor, fw::k_usb_product});

  const auto dir = std::filesystem::temp_directory_path() / fmt::format("pv-udev-{}", ::getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bad.toml") << "[[output]]\nname = \"x\"\nusb = \"zz:1\"\n";
  auto bad = output_udev_devices(dir);
  std::filesystem::remove_all(dir);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("bad.toml") != std::string::npos);
}
