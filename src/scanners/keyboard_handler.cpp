// Keyboard-mode scanners: a HID boot keyboard whose key presses the KeyboardDecoder turns back into
// the scanned text, using the layout the scanner types in.
#include <fmt/format.h>

#include <pickverify/usb_protocol.hpp>

#include "keyboard_decoder.hpp"
#include "scanner_handler.hpp"
#include "usb_device.hpp"

namespace pickverify::scanners {

namespace {

// SET_PROTOCOL is answered within this long by any device that answers it at all.
constexpr auto k_control_timeout = std::chrono::milliseconds(1000);

class KeyboardHandler final : public ScannerHandler {
public:
  explicit KeyboardHandler(ScanSink& sink) : m_sink(sink) {}

  tl::expected<Claimed, ClaimFailure> claim(const ClaimRequest& request) override
  {
    auto interfaces = hid_interfaces(request.device);
    if (!interfaces)
      return tl::unexpected(ClaimFailure{interfaces.error().message});
    const HidInterface& chosen = interfaces->front();
    if (auto claimed = m_interface.claim(request.handle, chosen.number, *request.profile); !claimed)
      return tl::unexpected(ClaimFailure{claimed.error().message});
    if (chosen.boot_keyboard) {
      // Boot protocol makes every report the fixed 8-byte layout the decoder reads. Devices that
      // refuse the request already send boot-compatible reports, so failure is not an error.
      libusb_control_transfer(request.handle, usb::k_request_out_class_interface, usb::k_hid_request_set_protocol,
                              usb::k_hid_protocol_boot, static_cast<std::uint16_t>(chosen.number), nullptr, 0,
                              static_cast<unsigned>(k_control_timeout.count()));
    }
    m_decoder.emplace(KeyboardDecoderSettings::from(*request.profile));
    return Claimed{InterruptEndpoint{chosen.number, chosen.endpoint_in, chosen.packet_size},
                   fmt::format("{} interface {}, layout {}", to_string(request.profile->mode), chosen.number,
                               to_string(request.profile->layout))};
  }

  void on_report(std::span<const std::uint8_t> report, Clock::time_point now) override
  {
    std::vector<std::string> scans;
    auto fed = m_decoder->feed(report, now, scans);
    for (auto& text : scans)
      m_sink.scan(make_scan(std::move(text), std::nullopt, SourceKind::hid_keyboard));
    if (!fed)
      m_sink.notice(DeviceState::online, fed.error().message + ", ignored");
  }

  std::optional<Clock::time_point> deadline() const override
  {
    return m_decoder ? m_decoder->deadline() : std::nullopt;
  }

  void on_timer(Clock::time_point now) override
  {
    if (auto text = m_decoder->expire(now))
      m_sink.scan(make_scan(std::move(*text), std::nullopt, SourceKind::hid_keyboard));
    if (m_decoder->take_dropped_oversized())
      m_sink.notice(DeviceState::online, "scan too long, dropped");
  }

  std::size_t stop() override { return m_decoder ? m_decoder->reset() : 0; }
  void release() override { m_interface.release(); }

private:
  ScanSink& m_sink;
  ClaimedInterface m_interface;
  std::optional<KeyboardDecoder> m_decoder;
};

} // namespace

std::unique_ptr<ScannerHandler> make_keyboard_handler(ScanSink& sink)
{
  return std::make_unique<KeyboardHandler>(sink);
}

} // namespace pickverify::scanners
