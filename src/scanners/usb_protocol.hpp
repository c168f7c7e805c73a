// USB and HID class constants the drivers use, in one place (USB 2.0 §9, HID 1.11 §7).
#pragma once

#include <chrono>
#include <cstdint>

namespace pickverify::scanners {

constexpr std::uint8_t k_usb_class_hid = 0x03;
constexpr std::uint8_t k_hid_subclass_boot = 0x01;
constexpr std::uint8_t k_hid_protocol_keyboard = 0x01;
constexpr std::uint8_t k_descriptor_type_hid = 0x21;
constexpr std::uint8_t k_descriptor_type_report = 0x22;

constexpr std::uint8_t k_request_get_descriptor = 0x06;
constexpr std::uint8_t k_hid_request_set_report = 0x09;
constexpr std::uint8_t k_hid_request_set_idle = 0x0a;
constexpr std::uint8_t k_hid_request_set_protocol = 0x0b;
constexpr std::uint8_t k_hid_report_type_output = 0x02;
constexpr std::uint8_t k_hid_report_type_feature = 0x03;
// Honeywell's vendor feature report (page 0xFF66, usage 3 "Output Redirection") in their HID POS descriptor.
constexpr std::uint8_t k_honeywell_output_redirection_report = 0xfe;
constexpr std::uint16_t k_hid_protocol_boot = 0;

// bmRequestType values.
constexpr std::uint8_t k_request_in_standard_interface = 0x81;
constexpr std::uint8_t k_request_out_class_interface = 0x21;

constexpr auto k_control_timeout = std::chrono::milliseconds(1000);
// Interrupt IN transfers kept in flight per device, so a report is never waiting on a resubmit.
constexpr int k_transfers_in_flight = 2;
// After this many failed transfers in a row the device is reported offline.
constexpr int k_max_consecutive_transfer_errors = 8;
// A scanner just plugged in may not be openable yet (udev still applying permissions).
constexpr int k_open_attempts = 8;
constexpr auto k_open_retry_interval = std::chrono::milliseconds(200);
// Without libusb hotplug support the manager rescans the bus this often.
constexpr auto k_rescan_interval = std::chrono::milliseconds(1000);
// The event thread sleeps in libusb at most this long when nothing is due (it is woken for work).
constexpr auto k_idle_wait = std::chrono::seconds(60);

} // namespace pickverify::scanners
