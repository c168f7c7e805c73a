#include "station_controller.hpp"

#include <atomic>
#include <chrono>

#include <fmt/format.h>

#include "commands.hpp"

#include <pickverify/controller.hpp>
#include <pickverify/expected.hpp>

namespace pickverify::app {

namespace {

constexpr const char* k_device_id = "controller";

class RunningController final : public StationController {
public:
  RunningController(const Context& context, Station& station, Show show, Print print)
      : m_context(context), m_station(station), m_show(std::move(show)), m_print(std::move(print)),
        m_follower(std::make_shared<Follower>(station, m_print))
  {
  }

  ~RunningController() override
  {
    m_stopping = true;
    m_follower->stopped = true;
    if (m_controller)
      m_controller->stop();
  }

  Result<void> start()
  {
    const auto& config = m_context.config.controller;
    ControllerOptions options;
    options.watchdog_timeout = std::chrono::milliseconds(config.watchdog_timeout_ms);
    options.serial = config.serial;
    options.on_state = [this](ControllerState state, const std::string& message) {
      if (m_stopping)
        return;
      const bool online = state == ControllerState::online;
      if (online == m_online) {
        m_print(fmt::format("[controller] {}", message)); // a refusal or a malformed answer, named
        return;
      }
      m_online = online;
      if (m_context.config.controller.required)
        m_show(m_station.set_device_online(k_device_id, online, message));
      else
        m_print(fmt::format("[controller] {}", message));
    };
    options.on_inputs = [this](const ControllerInputs& inputs) {
      if (m_stopping)
        return;
      if (inputs.emergency_stop)
        m_print("[controller] EMERGENCY STOP pressed: the gate is locked");
      if (inputs.pack_button && !m_button_down)
        m_show(m_station.request_pack());
      m_button_down = inputs.pack_button;
    };
    if (config.kind == "virtual") {
      m_controller = start_virtual_controller(std::move(options), m_print);
      m_online = true;
    } else {
      if (config.required) // fail closed until the device is seen
        m_show(m_station.set_device_online(k_device_id, false, "configured, not connected yet"));
      PV_TRY_ASSIGN(auto started, is_commodity_controller_kind(config.kind)
                                      ? start_commodity_controller(config.kind, std::move(options))
                                      : start_usb_controller(std::move(options)));
      m_controller = std::move(started);
    }
    // The station outlives this object and keeps its listeners: they hold the controller by a
    // shared pointer and fall silent once this object is gone.
    auto follower = m_follower;
    follower->controller = m_controller;
    m_station.add_listener([follower](const StationReply& reply) {
      follower->follow(reply.state, reply.tone == StationReply::Tone::error);
    });
    follower->follow(m_station.session() ? m_station.session()->state() : SessionState::idle, false);
    return {};
  }

  std::string describe() const override { return m_controller->describe(); }

private:
  struct Follower {
    Follower(Station& s, Print p) : station(s), print(std::move(p)) {}
    Station& station;
    Print print;
    std::shared_ptr<Controller> controller;
    std::atomic<bool> stopped{false};

    void follow(SessionState state, bool error_tone)
    {
      if (stopped || !controller)
        return;
      auto outputs = outputs_for(state, station.any_device_offline(), error_tone);
      if (auto set = controller->set_outputs(outputs); !set)
        print(fmt::format("[controller] {}", set.error().message));
    }
  };

  const Context& m_context;
  Station& m_station;
  Show m_show;
  Print m_print;
  std::shared_ptr<Follower> m_follower;
  std::shared_ptr<Controller> m_controller;
  std::atomic<bool> m_online{false};
  std::atomic<bool> m_stopping{false};
  bool m_button_down = false;
};

} // namespace

Result<std::unique_ptr<StationController>> StationController::start(const Context& context, Station& station, Show show,
                                                                    Print print)
{
  if (context.config.controller.kind == "none")
    return std::unique_ptr<StationController>{};
  auto controller = std::make_unique<RunningController>(context, station, std::move(show), std::move(print));
  if (auto started = controller->start(); !started)
    return tl::unexpected(started.error().with_context("controller"));
  return std::unique_ptr<StationController>(std::move(controller));
}

} // namespace pickverify::app
