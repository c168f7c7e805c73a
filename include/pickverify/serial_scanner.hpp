// Serial scanners (CDC-ACM /dev/ttyACM*, USB-serial) read through termios. No termios type appears here.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <pickverify/device_profile.hpp>
#include <pickverify/device_state.hpp>
#include <pickverify/error.hpp>
#include <pickverify/scan_event.hpp>

namespace pickverify {

class SerialScanner {
public:
  // Opens and configures the tty (raw mode, the profile's speed/framing). The reader thread
  // delivers one ScanEvent per terminated line; the inter-key timeout ends an unterminated one.
  static Result<std::unique_ptr<SerialScanner>>
  open(const std::filesystem::path& tty, const DeviceProfile& profile, std::string station,
       std::function<void(const ScanEvent&)> on_scan,
       std::function<void(DeviceState, const std::string& message)> on_state = {});
  virtual ~SerialScanner() = default;
  virtual void stop() = 0;
  virtual const std::string& source_id() const = 0; // "serial:/dev/ttyACM0"
};

} // namespace pickverify
