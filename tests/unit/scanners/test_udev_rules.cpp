#include <catch2/catch.hpp>

#include <pickverify/device_profile.hpp>

using namespace pickverify;

// The committed devices/70-pickverify-scanners.rules also holds the station's output devices: its
// test is in tests/unit/firmware-host/test_udev_rules.cpp, which sees both kinds of profile.

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

TEST_CASE("generate_udev_rules adds a usb rule for each other device, once per VID:PID", "[udev]")
{
  DeviceProfile scanner;
  scanner.name = "a-hid";
  scanner.vendor = "V";
  scanner.model = "M";
  scanner.usb = UsbId{0x0c2e, 0x0b8f};
  scanner.mode = ScannerMode::hid_pos;
  const std::vector<UdevUsbDevice> others{{UsbId{0x16c0, 0x05df}, "usbrelay", "USBRelay2"},
                                          {UsbId{0x0c2e, 0x0b8f}, "same-id", "already a scanner"},
                                          {UsbId{0x1209, 0x0001}, "pickverify-controller", "controller"}};
  const std::string rules = generate_udev_rules({scanner}, others);
  CHECK(rules.find("# USBRelay2 (usbrelay)\nSUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", "
                   "ATTR{idVendor}==\"16c0\", ATTR{idProduct}==\"05df\", GROUP=\"pickverify\", MODE=\"0660\"") !=
        std::string::npos);
  CHECK(rules.find("same-id") == std::string::npos);
  CHECK(rules.find("\"1209\"") < rules.find("\"16c0\""));
  CHECK(rules.find("\"0c2e\"") < rules.find("\"1209\""));
}
