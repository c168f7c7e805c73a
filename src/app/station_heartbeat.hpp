#pragma once
// Keeps a station's registration (Store::register_station) alive while `run` or `serve` drives it:
// renews it every k_station_heartbeat and frees it when the process ends, so a second process with
// the same station id is refused and a crashed one's claim expires on the documented lease.

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include <pickverify/store.hpp>

namespace pickverify::app {

class StationHeartbeat {
public:
  StationHeartbeat(Store& store, std::string station) : m_store(store), m_station(std::move(station))
  {
    m_thread = std::thread([this] {
      std::unique_lock lock(m_mutex);
      while (!m_wake.wait_for(lock, k_station_heartbeat, [this] { return m_stop; })) {
        (void)m_store.heartbeat_station(m_station);
      }
    });
  }
  ~StationHeartbeat()
  {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
    (void)m_store.unregister_station(m_station);
  }
  StationHeartbeat(const StationHeartbeat&) = delete;
  StationHeartbeat& operator=(const StationHeartbeat&) = delete;

private:
  Store& m_store;
  std::string m_station;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop = false;
  std::thread m_thread;
};

} // namespace pickverify::app
