// `--controller virtual`: the firmware model in-process, reached through the same ControllerLink
// (requests built and answers checked exactly as over USB), with the same heartbeat and watchdog.
#include <pickverify/controller.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "controller_link.hpp"
#include "firmware_model.hpp"

namespace pickverify {

namespace {

class VirtualController final : public Controller {
public:
  VirtualController(ControllerOptions options, std::function<void(const std::string&)> show)
      : m_options(std::move(options)), m_show(std::move(show)), m_model("VIRTUAL-0001"),
        m_link([this](std::uint8_t request, std::uint16_t value, std::uint16_t index,
                      std::uint16_t length) -> Result<std::vector<std::uint8_t>> {
          auto answer = m_model.answer(request, value, index, length);
          if (answer.empty())
            return make_error(ErrorType::io, "the virtual device stalled");
          return answer;
        })
  {
    std::lock_guard lock(m_mutex);
    if (auto beat = m_link.heartbeat(m_options.watchdog_timeout); !beat)
      report(beat.error().message);
    show_in_force();
    m_thread = std::thread([this] { run(); });
  }

  ~VirtualController() override { stop(); }

  Result<void> set_outputs(const ControllerOutputs& outputs) override
  {
    std::lock_guard lock(m_mutex);
    m_wanted = outputs;
    auto sent = m_link.set_outputs(outputs);
    m_wanted.buzzer = outputs.buzzer == BuzzerPattern::alarm ? outputs.buzzer : BuzzerPattern::silent;
    show_in_force(outputs.buzzer);
    if (!sent)
      return tl::unexpected(sent.error().with_context("controller virtual"));
    return {};
  }

  ControllerOutputs wanted_outputs() const override
  {
    std::lock_guard lock(m_mutex);
    return m_wanted;
  }

  bool online() const override { return true; }

  Result<ControllerInputs> read_inputs() override
  {
    std::lock_guard lock(m_mutex);
    return m_link.get_inputs();
  }

  Result<ControllerInfo> info() override
  {
    std::lock_guard lock(m_mutex);
    auto info = m_link.get_info();
    if (info)
      info->device_id = "virtual";
    return info;
  }

  std::string describe() const override { return "controller: virtual (firmware model in-process)"; }

  void stop() override
  {
    {
      std::lock_guard lock(m_mutex);
      if (m_stopping)
        return;
      m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
      m_thread.join();
  }

private:
  void run()
  {
    std::unique_lock lock(m_mutex);
    const auto interval = m_options.watchdog_timeout / 3;
    while (!m_wake.wait_for(lock, interval, [this] { return m_stopping; })) {
      if (auto beat = m_link.heartbeat(m_options.watchdog_timeout); !beat)
        report(beat.error().message);
    }
  }

  // Prints the outputs in force when they change, as a real light would show them.
  void show_in_force(BuzzerPattern sounded = BuzzerPattern::silent)
  {
    auto in_force = fw::from_wire(m_model.outputs());
    in_force.buzzer = BuzzerPattern::silent; // a tone is an event, not a state: shown when sounded
    if (m_show && (!m_last_shown || !(*m_last_shown == in_force) || sounded != BuzzerPattern::silent)) {
      auto shown = in_force;
      shown.buzzer = sounded;
      m_show(fmt::format("[controller] {}", pickverify::describe(shown)));
    }
    m_last_shown = in_force;
  }

  void report(const std::string& message)
  {
    if (m_options.on_state)
      m_options.on_state(ControllerState::online, message);
  }

  ControllerOptions m_options;
  std::function<void(const std::string&)> m_show;
  fw::FirmwareModel m_model;
  fw::ControllerLink m_link;
  mutable std::mutex m_mutex;
  ControllerOutputs m_wanted;
  std::optional<ControllerOutputs> m_last_shown;
  std::condition_variable m_wake;
  bool m_stopping = false;
  std::thread m_thread;
};

} // namespace

std::unique_ptr<Controller> start_virtual_controller(ControllerOptions options,
                                                     std::function<void(const std::string& line)> show)
{
  return std::make_unique<VirtualController>(std::move(options), std::move(show));
}

} // namespace pickverify
