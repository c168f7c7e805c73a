// The USB and HID protocol constants every libusb driver here uses (scanners, the HID POS scale), in
// one place: USB 2.0 §9, HID 1.11 (§6.2.2 item tags, §7 class requests, appendix B boot keyboard) and
// the HID Usage Tables / HID Point of Sale Usage Tables 1.02. Plain numbers only: no libusb type.
// A device family's own vendor protocol lives beside its driver (firmware-host/protocol.hpp).
#pragma once

#include <cstdint>

namespace pickverify::usb {

// --- USB 2.0 §9 ------------------------------------------------------------------------------
constexpr std::uint8_t k_class_hid = 0x03;
constexpr std::uint8_t k_endpoint_direction_in = 0x80;       // bEndpointAddress bit 7
constexpr std::uint8_t k_endpoint_transfer_type_mask = 0x03; // bmAttributes bits 1..0
constexpr std::uint8_t k_request_get_descriptor = 0x06;
// bmRequestType values.
constexpr std::uint8_t k_request_in_standard_interface = 0x81;
constexpr std::uint8_t k_request_out_class_interface = 0x21;
constexpr std::uint8_t k_request_in_class_interface = 0xa1;

// --- HID 1.11 ---------------------------------------------------------------------------------
constexpr std::uint8_t k_hid_subclass_boot = 0x01;
constexpr std::uint8_t k_hid_protocol_keyboard = 0x01;
constexpr std::uint8_t k_descriptor_type_hid = 0x21;
constexpr std::uint8_t k_descriptor_type_report = 0x22;
constexpr std::uint8_t k_hid_request_get_report = 0x01;
constexpr std::uint8_t k_hid_request_set_report = 0x09;
constexpr std::uint8_t k_hid_request_set_idle = 0x0a;
constexpr std::uint8_t k_hid_request_set_protocol = 0x0b;
constexpr std::uint8_t k_hid_report_type_output = 0x02;
constexpr std::uint8_t k_hid_report_type_feature = 0x03;
constexpr std::uint16_t k_hid_protocol_boot = 0; // SET_PROTOCOL wValue

// Report-descriptor item tags (HID 1.11 §6.2.2.4–6.2.2.8) as (tag << 2 | type), size bits cleared.
namespace hid_item {
constexpr std::uint8_t k_main_input = 0x80;
constexpr std::uint8_t k_main_output = 0x90;
constexpr std::uint8_t k_main_feature = 0xb0;
constexpr std::uint8_t k_main_collection = 0xa0;
constexpr std::uint8_t k_main_end_collection = 0xc0;
constexpr std::uint8_t k_global_usage_page = 0x04;
constexpr std::uint8_t k_global_logical_minimum = 0x14;
constexpr std::uint8_t k_global_logical_maximum = 0x24;
constexpr std::uint8_t k_global_physical_minimum = 0x34;
constexpr std::uint8_t k_global_physical_maximum = 0x44;
constexpr std::uint8_t k_global_unit_exponent = 0x54;
constexpr std::uint8_t k_global_unit = 0x64;
constexpr std::uint8_t k_global_report_size = 0x74;
constexpr std::uint8_t k_global_report_id = 0x84;
constexpr std::uint8_t k_global_report_count = 0x94;
constexpr std::uint8_t k_global_push = 0xa4;
constexpr std::uint8_t k_global_pop = 0xb4;
constexpr std::uint8_t k_local_usage = 0x08;
constexpr std::uint8_t k_local_usage_minimum = 0x18;
constexpr std::uint8_t k_local_usage_maximum = 0x28;
constexpr std::uint8_t k_long_item = 0xfe;
constexpr std::uint8_t k_collection_application = 0x01;
} // namespace hid_item

// --- HID Usage Tables -------------------------------------------------------------------------
constexpr std::uint16_t k_page_generic_desktop = 0x01;
constexpr std::uint16_t k_page_keyboard = 0x07;
constexpr std::uint16_t k_page_barcode_scanner = 0x8c;

constexpr std::uint16_t k_usage_gd_byte_count = 0x3b;
// Usages on the Barcode Scanner page (HID Point of Sale Usage Tables 1.02).
constexpr std::uint16_t k_usage_bcs_barcode_scanner = 0x02;
constexpr std::uint16_t k_usage_bcs_scanned_data_report = 0x12;
constexpr std::uint16_t k_usage_bcs_sound_error_beep = 0x85;
constexpr std::uint16_t k_usage_bcs_sound_good_read_beep = 0x86;
constexpr std::uint16_t k_usage_bcs_symbology_identifier_1 = 0xfb;
constexpr std::uint16_t k_usage_bcs_symbology_identifier_2 = 0xfc;
constexpr std::uint16_t k_usage_bcs_symbology_identifier_3 = 0xfd;
constexpr std::uint16_t k_usage_bcs_decoded_data = 0xfe;
constexpr std::uint16_t k_usage_bcs_decode_data_continued = 0xff;

constexpr std::uint32_t usage_id(std::uint16_t page, std::uint16_t usage)
{
  return (std::uint32_t(page) << 16) | usage;
}

// The boot keyboard report (HID 1.11 appendix B.1): modifier bits of byte 0, then key usages.
constexpr std::uint8_t k_modifier_left_ctrl = 0x01;
constexpr std::uint8_t k_modifier_left_shift = 0x02;
constexpr std::uint8_t k_modifier_left_alt = 0x04;
constexpr std::uint8_t k_modifier_right_ctrl = 0x10;
constexpr std::uint8_t k_modifier_right_shift = 0x20;
constexpr std::uint8_t k_modifier_right_alt = 0x40; // AltGr on European layouts
constexpr std::uint8_t k_key_error_rollover = 0x01;
constexpr std::uint8_t k_key_enter = 0x28;
constexpr std::uint8_t k_key_tab = 0x2b;
constexpr std::uint8_t k_key_keypad_enter = 0x58;
constexpr std::uint8_t k_key_keypad_1 = 0x59;
constexpr std::uint8_t k_key_keypad_0 = 0x62;

// --- Vendor reports that HID POS scanners need ------------------------------------------------
// Honeywell's vendor feature report (page 0xFF66, usage 3 "Output Redirection") in their HID POS descriptor.
constexpr std::uint8_t k_honeywell_output_redirection_report = 0xfe;

} // namespace pickverify::usb
