// The station's controller callbacks, as the USB station controller and the HID output boards post
// them: on the hub's callback thread, never on the event thread (a callback may wait on the station).
#pragma once

#include <atomic>
#include <string>

#include <pickverify/controller.hpp>

#include "usb_hub.hpp"

namespace pickverify::fw {

// on_state(state, message), if the station asked for it.
inline void post_state(scanners::UsbHub& hub, const ControllerOptions& options, ControllerState state,
                       std::string message)
{
  if (options.on_state) {
    hub.post([&options, state, message = std::move(message)] { options.on_state(state, message); });
  }
}

// `online` changes on the callback thread, right after on_state said so: whoever sees it online has
// been told why.
inline void post_online(scanners::UsbHub& hub, const ControllerOptions& options, std::atomic<bool>& online,
                        bool now_online, std::string message)
{
  hub.post([&options, &online, now_online, message = std::move(message)] {
    if (options.on_state) {
      options.on_state(now_online ? ControllerState::online : ControllerState::offline, message);
    }
    online = now_online;
  });
}

} // namespace pickverify::fw
