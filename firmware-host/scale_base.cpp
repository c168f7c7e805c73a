#include "scale_base.hpp"

#include <fmt/format.h>

namespace pickverify::fw {

void ScaleBase::publish(const ScaleReading& reading)
{
  {
    std::lock_guard lock(m_mutex);
    m_latest = reading;
    ++m_readings;
  }
  m_changed.notify_all();
  if (m_options.on_reading)
    call([this, reading] { m_options.on_reading(reading); });
}

void ScaleBase::call(std::function<void()> callback)
{
  if (m_post)
    m_post(std::move(callback));
  else
    callback();
}

void ScaleBase::set_online(bool online, const std::string& message)
{
  {
    std::lock_guard lock(m_mutex);
    if (m_online == online)
      return;
    m_online = online;
    if (!online)
      m_latest.reset();
  }
  m_changed.notify_all();
  if (m_options.on_state)
    call([this, online, text = fmt::format("{}: {}", m_options.name, message)] {
      m_options.on_state(online ? ScaleState::online : ScaleState::offline, text);
    });
}

void ScaleBase::report(const std::string& message)
{
  if (m_options.on_state)
    call([this, text = fmt::format("{}: {}", m_options.name, message)] {
      m_options.on_state(ScaleState::online, text);
    });
}

Result<Weight> ScaleBase::wait_stable(std::chrono::milliseconds timeout)
{
  std::unique_lock lock(m_mutex);
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + timeout;
  while (true) {
    // Offline: wait the timeout out anyway (a scale just plugged in gets its chance), then refuse.
    if (m_online && m_latest && m_latest->usable())
      return *m_latest->weight;
    if (m_changed.wait_until(lock, deadline) == std::cv_status::timeout) {
      if (m_online && m_latest && m_latest->usable())
        return *m_latest->weight;
      if (!m_online)
        return make_error(ErrorType::device_offline, fmt::format("{} is offline", m_options.name));
      if (m_latest)
        return make_error(ErrorType::conflict,
                          fmt::format("{} gave no stable reading within {} ms (last: {})", m_options.name,
                                      timeout.count(), pickverify::describe(*m_latest)));
      return make_error(ErrorType::conflict,
                        fmt::format("{} gave no reading within {} ms", m_options.name, timeout.count()));
    }
  }
}

void ScaleBase::put(const Weight& weight)
{
  ScaleReading reading;
  reading.status = weight.mantissa == 0 ? ScaleStatus::zero : ScaleStatus::stable;
  reading.weight = weight;
  reading.at = std::chrono::steady_clock::now();
  publish(reading);
}

namespace {

class Virtual final : public ScaleBase {
public:
  explicit Virtual(ScaleOptions options) : ScaleBase(std::move(options)) { set_online(true, "virtual scale ready"); }
  std::string describe() const override
  {
    return fmt::format("{}: virtual (weights typed at the station)", m_options.name);
  }
  void stop() override {}
};

} // namespace

} // namespace pickverify::fw

namespace pickverify {

std::unique_ptr<VirtualScale> start_virtual_scale(ScaleOptions options)
{
  return std::make_unique<fw::Virtual>(std::move(options));
}

} // namespace pickverify
