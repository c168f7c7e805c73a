// HID POS scanners (usage page 0x8C): the interface whose report descriptor describes a barcode
// scanner, read by the HidPosDecoder at the positions the descriptor gives; beeps on request.
#include <fmt/format.h>

#include <pickverify/expected.hpp>
#include <pickverify/usb_protocol.hpp>

#include "hid_descriptor.hpp"
#include "hid_pos_decoder.hpp"
#include "scanner_handler.hpp"
#include "usb_device.hpp"

namespace pickverify::scanners {

namespace {

constexpr auto k_control_timeout = std::chrono::milliseconds(1000);

Result<HidPosLayout> read_hid_pos_layout(libusb_device_handle* handle, const HidInterface& choice)
{
  std::vector<std::uint8_t> descriptor(choice.report_descriptor_length ? choice.report_descriptor_length
                                                                       : k_max_descriptor_bytes);
  const int n = libusb_control_transfer(handle, usb::k_request_in_standard_interface, usb::k_request_get_descriptor,
                                        static_cast<std::uint16_t>(usb::k_descriptor_type_report << 8),
                                        static_cast<std::uint16_t>(choice.number), descriptor.data(),
                                        static_cast<std::uint16_t>(descriptor.size()),
                                        static_cast<unsigned>(k_control_timeout.count()));
  if (n < 0)
    return make_error(ErrorType::io, fmt::format("cannot read the report descriptor of interface {}: {}", choice.number,
                                                 usb_error(n)));
  descriptor.resize(static_cast<std::size_t>(n));
  PV_TRY_ASSIGN(auto parsed, parse_hid_report_descriptor(descriptor));
  return find_hid_pos_layout(parsed);
}

class HidPosHandler final : public ScannerHandler {
public:
  explicit HidPosHandler(ScanSink& sink) : m_sink(sink) {}

  tl::expected<Claimed, ClaimFailure> claim(const ClaimRequest& request) override
  {
    auto interfaces = hid_interfaces(request.device);
    if (!interfaces)
      return tl::unexpected(ClaimFailure{interfaces.error().message});
    // A HID POS scanner may also expose a keyboard interface: take the one whose report
    // descriptor has the Barcode Scanner usage page.
    std::string why = "no HID interface describes a barcode scanner (usage page 0x8C)";
    std::optional<HidInterface> chosen;
    for (const auto& candidate : *interfaces) {
      auto found = read_hid_pos_layout(request.handle, candidate);
      if (found) {
        chosen = candidate;
        m_decoder.emplace(*found);
        break;
      }
      why = found.error().message;
    }
    if (!chosen)
      return tl::unexpected(ClaimFailure{why});
    if (auto claimed = m_interface.claim(request.handle, chosen->number, *request.profile); !claimed)
      return tl::unexpected(ClaimFailure{claimed.error().message});
    if (has_quirk(*request.profile, "hidpos_output_redirection")) {
      // Honeywell scanners send their scans to the HID POS interface only once the host sets the
      // vendor feature report 0xFE ("Output Redirection") to 1; without it they may stay silent.
      unsigned char redirect[2] = {usb::k_honeywell_output_redirection_report, 1};
      const int r =
          libusb_control_transfer(request.handle, usb::k_request_out_class_interface, usb::k_hid_request_set_report,
                                  static_cast<std::uint16_t>((usb::k_hid_report_type_feature << 8) | redirect[0]),
                                  static_cast<std::uint16_t>(chosen->number), redirect, sizeof(redirect),
                                  static_cast<unsigned>(k_control_timeout.count()));
      if (r < 0)
        return tl::unexpected(ClaimFailure{"cannot switch the scanner's output to HID POS: " + usb_error(r)});
    }
    return Claimed{InterruptEndpoint{chosen->number, chosen->endpoint_in, chosen->packet_size},
                   fmt::format("{} interface {}", to_string(request.profile->mode), chosen->number)};
  }

  void on_report(std::span<const std::uint8_t> report, Clock::time_point /*now*/) override
  {
    auto fed = m_decoder->feed(report);
    if (!fed) {
      m_sink.notice(DeviceState::online, fed.error().message + ", ignored");
      return;
    }
    if (*fed)
      m_sink.scan(make_scan(std::move((*fed)->data), std::move((*fed)->aim), SourceKind::hid_pos));
  }

  std::size_t stop() override { return m_decoder ? m_decoder->reset() : 0; }
  void release() override { m_interface.release(); }

  bool has_beeper() const override { return m_decoder.has_value(); }

  std::optional<OutputReport> beep_report(BeepKind kind) const override
  {
    const bool good_read = kind == BeepKind::good_read;
    auto bytes = HidPosDecoder::beep_report(m_decoder->layout(), good_read);
    if (!bytes)
      return std::nullopt;
    const auto& position = good_read ? m_decoder->layout().good_read_beep : m_decoder->layout().error_beep;
    return OutputReport{m_interface.number(), position->report_id, std::move(*bytes)};
  }

private:
  ScanSink& m_sink;
  ClaimedInterface m_interface;
  std::optional<HidPosDecoder> m_decoder;
};

} // namespace

std::unique_ptr<ScannerHandler> make_hid_pos_handler(ScanSink& sink)
{
  return std::make_unique<HidPosHandler>(sink);
}

} // namespace pickverify::scanners
