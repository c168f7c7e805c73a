// The commodity outputs emulated from their public protocols (devices/outputs/*.toml names the
// sources) for umockdev: a USBRelay2 HID relay board, a Delcom visual indicator and a Dymo HID POS scale. The replay
// tests (test_hid_outputs.cpp) and the controller benchmark attach them.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "usb_emulator.hpp"

namespace pickverify::test {

inline std::vector<std::uint8_t> string_descriptor(const std::string& text)
{
  std::vector<std::uint8_t> d{static_cast<std::uint8_t>(2 + 2 * text.size()), 3};
  for (char c : text)
    d.insert(d.end(), {static_cast<std::uint8_t>(c), 0});
  return d;
}

// A vendor-defined HID collection with one 8-byte feature report and no report ids (the V-USB
// descriptor of the relay boards; the Delcom one differs only in report ids, which the host does
// not parse).
inline const std::vector<std::uint8_t> k_feature_descriptor = {0x06, 0x00, 0xff, 0x09, 0x01, 0xa1, 0x01, 0x15,
                                                               0x00, 0x26, 0xff, 0x00, 0x75, 0x08, 0x95, 0x08,
                                                               0x09, 0x00, 0xb2, 0x02, 0x01, 0xc0};

// A board that speaks through k_feature_descriptor's feature report, answering control requests with
// `answer`.
inline EmulatedDeviceSpec feature_board_spec(int port, std::uint16_t vendor, std::uint16_t product,
                                             std::function<ControlAnswer(const ControlRequest&)> answer)
{
  EmulatedDeviceSpec spec;
  spec.port = port;
  spec.vendor = vendor;
  spec.product = product;
  spec.boot_keyboard = false;
  spec.report_descriptor = k_feature_descriptor;
  spec.on_control = std::move(answer);
  return spec;
}

// A Dymo M10 postal scale (usb.ids: 0922:8003) on `port`. Report descriptor: usage page 0x8D (scale),
// report 3: status, unit, exponent (signed), weight (16 bits) — the layout of the HID POS scale data report.
inline EmulatedDeviceSpec dymo_scale_spec(int port)
{
  EmulatedDeviceSpec spec;
  spec.port = port;
  spec.vendor = 0x0922;
  spec.product = 0x8003;
  spec.boot_keyboard = false;
  spec.packet_size = 8;
  spec.report_descriptor = {0x05, 0x8d, 0x09, 0x20, 0xa1, 0x01, 0x85, 0x03, 0x09, 0x70, 0x15, 0x00, 0x25, 0x08, 0x75,
                            0x08, 0x95, 0x01, 0x81, 0x02, 0x09, 0x50, 0x81, 0x02, 0x09, 0x21, 0x15, 0x80, 0x25, 0x7f,
                            0x81, 0x02, 0x09, 0x40, 0x15, 0x00, 0x26, 0xff, 0x00, 0x95, 0x02, 0x81, 0x02, 0xc0};
  return spec;
}

// The relay board, from its protocol: feature report 0; SET [0xFF|0xFD, n], GET → serial, state.
struct RelayBoard {
  std::mutex mutex;
  std::uint8_t state = 0;
  std::string product = "USBRelay2";
  std::vector<std::array<std::uint8_t, 2>> commands; // (command, relay) as received
  std::atomic<int> short_replies{0};                 // the next GET answers this many times 3 bytes

  EmulatedDeviceSpec spec(int port)
  {
    return feature_board_spec(port, 0x16c0, 0x05df, [this](const ControlRequest& r) { return answer(r); });
  }

  ControlAnswer answer(const ControlRequest& r)
  {
    std::lock_guard lock(mutex);
    if (r.request_type == 0x80 && r.request == 6 && r.value == 0x0302)
      return ControlAnswer::reply(string_descriptor(product));
    if (r.request_type == 0x21 && r.request == 0x09 && r.value == 0x0300) {
      if (r.data_out.size() != 8)
        return ControlAnswer::stall();
      const std::uint8_t cmd = r.data_out[0], n = r.data_out[1];
      commands.push_back({cmd, n});
      if ((cmd == 0xff || cmd == 0xfd) && n >= 1 && n <= 2)
        state = cmd == 0xff ? static_cast<std::uint8_t>(state | 1u << (n - 1))
                            : static_cast<std::uint8_t>(state & ~(1u << (n - 1)));
      else if (cmd == 0xfe || cmd == 0xfc)
        state = cmd == 0xfe ? 0x03 : 0x00;
      else
        return ControlAnswer::stall();
      return ControlAnswer::reply({});
    }
    if (r.request_type == 0xa1 && r.request == 0x01 && r.value == 0x0300) {
      if (short_replies > 0) {
        --short_replies;
        return ControlAnswer::reply({'P', 'V', '0'});
      }
      return ControlAnswer::reply({'P', 'V', '0', '0', '1', 0, 0, state});
    }
    return {};
  }

  std::uint8_t relays()
  {
    std::lock_guard lock(mutex);
    return state;
  }
  std::vector<std::array<std::uint8_t, 2>> received()
  {
    std::lock_guard lock(mutex);
    return commands;
  }
};

// The Delcom indicator, from its datasheet: SET feature 101 [101, 12, reset, set]; GET 100 → ports,
// GET 10 → firmware. Port 1 LEDs are active low (0xff: all dark).
struct DelcomIndicator {
  std::mutex mutex;
  std::uint8_t port1 = 0xff;
  std::vector<std::vector<std::uint8_t>> writes;
  std::uint8_t firmware_month = 6;
  std::atomic<int> short_replies{0};

  EmulatedDeviceSpec spec(int port)
  {
    return feature_board_spec(port, 0x0fc5, 0xb080, [this](const ControlRequest& r) { return answer(r); });
  }

  ControlAnswer answer(const ControlRequest& r)
  {
    std::lock_guard lock(mutex);
    if (r.request_type == 0x21 && r.request == 0x09 && r.value == 0x0365) {
      if (r.data_out.size() != 8 || r.data_out[0] != 101 || r.data_out[1] != 12)
        return ControlAnswer::stall();
      writes.push_back(r.data_out);
      port1 = static_cast<std::uint8_t>((port1 | r.data_out[3]) & ~r.data_out[2]); // reset wins
      return ControlAnswer::reply({});
    }
    if (r.request_type == 0xa1 && r.request == 0x01 && r.value == 0x0364) {
      if (short_replies > 0) {
        --short_replies;
        return ControlAnswer::reply({0xff});
      }
      return ControlAnswer::reply({0xff, port1, 0, 0xff, 0, 0, 0, 0});
    }
    if (r.request_type == 0xa1 && r.request == 0x01 && r.value == 0x030a)
      return ControlAnswer::reply({0x87, 0xd6, 0x12, 0x00, 58, 15, firmware_month, 21}); // serial 1234567
    return {};
  }

  std::uint8_t leds()
  {
    std::lock_guard lock(mutex);
    return static_cast<std::uint8_t>(~port1 & 0x07); // lit: bit 0 green, 1 red, 2 amber
  }
};

} // namespace pickverify::test
