#include "hands_free_input.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "commands.hpp"

#include <pickverify/camera.hpp>
#include <pickverify/hands_free_scanner.hpp>

#include "camera_location.hpp"

namespace pickverify::app {

namespace {

constexpr auto k_offline_retry = std::chrono::milliseconds(1000);

class CameraHandsFree final : public HandsFreeInput {
public:
  CameraHandsFree(const Context& context, Station& station, Show show)
      : m_station(station), m_show(std::move(show)), m_location(context.config.camera.hands_free_source),
        m_frame_interval(std::chrono::milliseconds(1000 / std::max(1, context.config.camera.fps)))
  {
    CameraConfig config = camera_config_from(m_location);
    config.fps = context.config.camera.fps;
    m_camera = make_camera(config);
    HandsFreeSettings settings;
    settings.station = station.id();
    m_scanner = std::make_unique<HandsFreeScanner>(m_camera->device_id(), settings);
    m_thread = std::thread([this] { loop(); });
  }

  ~CameraHandsFree() override
  {
    m_stop = true;
    if (m_thread.joinable()) {
      m_thread.join();
    }
    m_camera->close();
  }

  std::string describe() const override
  {
    return fmt::format("hands-free camera: {} ({})", m_location, m_camera->device_id());
  }

private:
  void loop()
  {
    bool online = true;
    while (!m_stop) {
      const auto started = std::chrono::steady_clock::now();
      auto scans = m_scanner->poll(*m_camera);
      if (!scans) {
        if (online) {
          online = false;
          m_show(m_station.set_device_online(m_camera->device_id(), false, scans.error().message));
        }
        std::this_thread::sleep_for(k_offline_retry);
        continue;
      }
      if (!online) {
        online = true;
        m_show(m_station.set_device_online(m_camera->device_id(), true, "frames again"));
      }
      for (auto& scan : *scans) {
        scan.station = m_station.id();
        m_show(m_station.handle_scan(scan));
      }
      // A file or folder delivers frames as fast as it is asked: pace it like the camera it stands for.
      const auto elapsed = std::chrono::steady_clock::now() - started;
      if (elapsed < m_frame_interval) {
        std::this_thread::sleep_for(m_frame_interval - elapsed);
      }
    }
  }

  Station& m_station;
  Show m_show;
  std::string m_location;
  std::chrono::steady_clock::duration m_frame_interval;
  std::unique_ptr<CameraSource> m_camera;
  std::unique_ptr<HandsFreeScanner> m_scanner;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

} // namespace

Result<std::unique_ptr<HandsFreeInput>> HandsFreeInput::start(const Context& context, Station& station, Show show)
{
  if (context.config.camera.hands_free_source.empty()) {
    return std::unique_ptr<HandsFreeInput>{};
  }
  return std::unique_ptr<HandsFreeInput>(std::make_unique<CameraHandsFree>(context, station, std::move(show)));
}

} // namespace pickverify::app
