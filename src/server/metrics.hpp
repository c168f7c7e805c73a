// Prometheus text exposition of the service's counters (names prefixed pickverify_).
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace pickverify::server {

class Metrics {
public:
  void count_scan(const std::string& verdict);
  // The time from the scan request to its journaled verdict (the journal append dominates it).
  void observe_scan_seconds(double seconds);
  std::string render(std::size_t open_alerts, std::size_t open_streams,
                     const std::vector<std::pair<std::string, std::string>>& station_states) const;

private:
  static constexpr std::array<double, 10> k_buckets = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1.0};
  mutable std::mutex m_mutex;
  std::map<std::string, std::uint64_t> m_scans_by_verdict;
  std::array<std::uint64_t, k_buckets.size()> m_bucket_counts{};
  std::uint64_t m_count = 0;
  double m_sum = 0;
};

} // namespace pickverify::server
