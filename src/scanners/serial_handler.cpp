// USB serial scanners (CDC-ACM, USB-serial adapters): found through the tty the kernel made for the
// USB device and read by a SerialScanner on its own thread. The manager never opens them through libusb.
#include <filesystem>

#include <fmt/format.h>

#include <pickverify/serial_scanner.hpp>

#include "scanner_handler.hpp"

namespace pickverify::scanners {

namespace {

// The tty the kernel made for a USB device's interface, e.g. /dev/ttyACM0 for bus path 1-5.
std::optional<std::string> find_tty(const std::string& bus_path)
{
  const std::string needle = "/" + bus_path + ":";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/class/tty", ec)) {
    std::error_code link_ec;
    const auto real = std::filesystem::canonical(entry.path(), link_ec);
    if (!link_ec && real.string().find(needle) != std::string::npos)
      return "/dev/" + entry.path().filename().string();
  }
  return std::nullopt;
}

class SerialHandler final : public ScannerHandler {
public:
  explicit SerialHandler(ScanSink& sink) : m_sink(sink) {}

  tl::expected<Claimed, ClaimFailure> claim(const ClaimRequest& request) override
  {
    // The kernel's tty appears a moment after the USB device: the manager retries within its budget.
    auto tty = find_tty(request.bus_path);
    if (!tty)
      return tl::unexpected(
          ClaimFailure{"no tty appeared for this serial scanner (is cdc_acm or the USB-serial driver loaded?)", true});
    auto opened = SerialScanner::open(
        *tty, *request.profile, request.station, [this](const ScanEvent& event) { m_sink.scan(event); },
        [this](DeviceState state, const std::string& message) { m_sink.notice(state, message); });
    if (!opened)
      return tl::unexpected(ClaimFailure{opened.error().message, opened.error().type == ErrorType::io ||
                                                                     opened.error().type == ErrorType::device_offline});
    m_scanner = std::move(*opened);
    return Claimed{std::nullopt, fmt::format("serial {} at {} baud", *tty, request.profile->serial.baud)};
  }

  void on_report(std::span<const std::uint8_t> /*report*/, Clock::time_point /*now*/) override
  {
    // Lines arrive on the SerialScanner's reader thread, not as USB reports.
  }

  std::size_t stop() override
  {
    if (m_scanner)
      m_scanner->stop(); // its own hang-up report, if any, has run by now
    return 0;
  }

  void release() override { stop(); }

private:
  ScanSink& m_sink;
  std::unique_ptr<SerialScanner> m_scanner;
};

} // namespace

std::unique_ptr<ScannerHandler> make_serial_handler(ScanSink& sink)
{
  return std::make_unique<SerialHandler>(sink);
}

} // namespace pickverify::scanners
