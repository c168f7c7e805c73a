// What every scale driver shares: the latest reading, waiting for a stable one, online state.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>

#include <pickverify/scale.hpp>

namespace pickverify::fw {

class ScaleBase : public VirtualScale {
public:
  explicit ScaleBase(ScaleOptions options) : m_options(std::move(options)) {}

  bool online() const override
  {
    std::lock_guard lock(m_mutex);
    return m_online;
  }

  std::optional<ScaleReading> latest() const override
  {
    std::lock_guard lock(m_mutex);
    return m_latest;
  }

  Result<Weight> wait_stable(std::chrono::milliseconds timeout) override;
  void put(const Weight& weight) override; // virtual scales only

protected:
  // Drivers call these from their own thread.
  void publish(const ScaleReading& reading);
  void set_online(bool online, const std::string& message);
  void report(const std::string& message); // a bad line or report, named; the scale stays online

  // Where on_state / on_reading run: directly on the driver's thread (serial, virtual), or posted to
  // the USB hub's callback thread (a USB scale, whose driver thread is the hub's event thread).
  void call(std::function<void()> callback);
  std::function<void(std::function<void()>)> m_post;

  ScaleOptions m_options;
  mutable std::mutex m_mutex;
  std::condition_variable m_changed;
  bool m_online = false;
  std::optional<ScaleReading> m_latest;
  std::uint64_t m_readings = 0;
};

} // namespace pickverify::fw
