// The station's outputs on commodity USB HID devices, chosen by controller kind: "relay" (the gate
// lock on a USB HID relay board), "delcom" (the stack light on a Delcom indicator) or
// "relay+delcom" (both, one Controller to the station: online only when both are).
#include <atomic>
#include <mutex>

#include <fmt/format.h>

#include "hid_outputs.hpp"

#include <pickverify/expected.hpp>

namespace pickverify {

namespace {

class CombinedController final : public Controller {
public:
  explicit CombinedController(std::function<void(ControllerState, const std::string&)> on_state)
      : m_on_state(std::move(on_state))
  {
  }
  ~CombinedController() override { stop(); }

  // Called from each part's thread.
  void part_state(std::size_t part, ControllerState state, const std::string& message)
  {
    ControllerState combined;
    {
      std::lock_guard lock(m_mutex);
      m_part_online[part] = state == ControllerState::online;
      combined = m_part_online[0] && m_part_online[1] ? ControllerState::online : ControllerState::offline;
    }
    if (m_on_state)
      m_on_state(combined, message);
  }

  std::unique_ptr<Controller> parts[2];

  Result<void> set_outputs(const ControllerOutputs& outputs) override
  {
    for (auto& p : parts)
      if (auto set = p->set_outputs(outputs); !set)
        return set;
    return {};
  }
  ControllerOutputs wanted_outputs() const override { return parts[0]->wanted_outputs(); }
  bool online() const override { return parts[0]->online() && parts[1]->online(); }
  Result<ControllerInputs> read_inputs() override
  {
    auto lock = parts[0]->read_inputs();
    if (!lock)
      return lock;
    auto light = parts[1]->read_inputs();
    if (!light)
      return light;
    lock->outputs.colour = light->outputs.colour;
    lock->outputs.pattern = light->outputs.pattern;
    return lock;
  }
  Result<ControllerInfo> info() override
  {
    auto lock = parts[0]->info();
    if (!lock)
      return lock;
    auto light = parts[1]->info();
    if (!light)
      return light;
    lock->device_id += " + " + light->device_id;
    lock->serial += " + " + light->serial;
    lock->firmware_version = light->firmware_version;
    return lock;
  }
  std::string describe() const override { return fmt::format("{}; {}", parts[0]->describe(), parts[1]->describe()); }
  void stop() override
  {
    if (m_stopped.exchange(true))
      return;
    for (auto& p : parts)
      if (p)
        p->stop();
  }

private:
  std::function<void(ControllerState, const std::string&)> m_on_state;
  std::mutex m_mutex;
  bool m_part_online[2] = {false, false};
  std::atomic<bool> m_stopped{false};
};

Result<fw::OutputProfile> profile_for(const std::vector<fw::OutputProfile>& profiles, fw::OutputProtocol protocol,
                                      const std::filesystem::path& dir)
{
  for (const auto& p : profiles)
    if (p.protocol == protocol)
      return p;
  return make_error(ErrorType::not_found, fmt::format("no {} profile in {}", fw::to_string(protocol), dir.string()));
}

} // namespace

bool is_commodity_controller_kind(std::string_view kind)
{
  return kind == "relay" || kind == "delcom" || kind == "relay+delcom";
}

Result<std::unique_ptr<Controller>> start_commodity_controller(std::string_view kind, ControllerOptions options,
                                                               const std::filesystem::path& profiles_dir)
{
  if (!is_commodity_controller_kind(kind))
    return make_error(ErrorType::invalid_input,
                      fmt::format("controller kind '{}' is not relay, delcom or relay+delcom", kind));
  const auto dir = profiles_dir.empty() ? fw::default_output_profiles_dir() : profiles_dir;
  PV_TRY_ASSIGN(auto profiles, fw::load_output_profiles(dir));
  auto relay = profile_for(profiles, fw::OutputProtocol::usb_relay, dir);
  auto delcom = profile_for(profiles, fw::OutputProtocol::delcom_indicator, dir);
  if (kind == "relay" || kind == "delcom") {
    auto& profile = kind == "relay" ? relay : delcom;
    PV_TRY(profile, fmt::format("controller {}", kind));
    return fw::start_hid_output_controller(std::move(*profile), std::move(options));
  }
  PV_TRY(relay, "controller relay");
  PV_TRY(delcom, "controller delcom");
  auto combined = std::make_unique<CombinedController>(options.on_state);
  auto* raw = combined.get();
  for (std::size_t part = 0; part < 2; ++part) {
    ControllerOptions part_options = options;
    part_options.serial.clear(); // one serial cannot name both devices
    part_options.on_state = [raw, part](ControllerState state, const std::string& message) {
      raw->part_state(part, state, message);
    };
    PV_TRY_ASSIGN(auto started, fw::start_hid_output_controller(part == 0 ? *relay : *delcom, std::move(part_options)));
    combined->parts[part] = std::move(started);
  }
  return std::unique_ptr<Controller>(std::move(combined));
}

} // namespace pickverify
