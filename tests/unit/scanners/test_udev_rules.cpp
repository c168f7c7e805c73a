#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <pickverify/device_profile.hpp>

using namespace pickverify;

TEST_CASE("generate_udev_rules matches the committed devices/70-pickverify-scanners.rules", "[udev]")
{
  auto profiles = load_profiles(default_profiles_dir());
  REQUIRE(profiles);
  const std::string generated = generate_udev_rules(*profiles);
  const auto path = default_profiles_dir() / "70-pickverify-scanners.rules";
  // PICKVERIFY_UPDATE_UDEV_RULES=1 rewrites the file after a profile change (see docs/DEVICES.md).
  if (std::getenv("PICKVERIFY_UPDATE_UDEV_RULES"))
    std::ofstream(path, std::ios::binary) << generated;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream committed;
  committed << in.rdbuf();
  INFO("devices/70-pickverify-scanners.rules is stale: run the test with PICKVERIFY_UPDATE_UDEV_RULES=1");
  CHECK(committed.str() == generated);
}

TEST_CASE("generate_udev_rules writes one rule per profile, usb nodes for HID, tty nodes for serial", "[udev]")
{
  DeviceProfile hid;
  hid.name = "a-hid";
  hid.vendor = "V";
  hid.model = "M";
  hid.usb = UsbId{0x0c2e, 0x0b8f};
  hid.mode = ScannerMode::hid_pos;
  DeviceProfile serial = hid;
  serial.name = "a-serial";
  serial.usb = UsbId{0x05e0, 0x1701};
  serial.mode = ScannerMode::serial;
  const std::string rules = generate_udev_rules({hid, serial});
  CHECK(rules.find(
            "SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", ATTR{idVendor}==\"0c2e\", ATTR{idProduct}==\"0b8f\", "
            "GROUP=\"pickverify\", MODE=\"0660\"") != std::string::npos);
  CHECK(rules.find("SUBSYSTEM==\"tty\", ATTRS{idVendor}==\"05e0\", ATTRS{idProduct}==\"1701\"") != std::string::npos);
  // Sorted by id, so the file does not change when profiles move between files.
  CHECK(rules.find("05e0") < rules.find("0c2e"));
}
