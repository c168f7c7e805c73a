#include "metrics.hpp"

#include <fmt/format.h>

#include <pickverify/policy.hpp>

namespace pickverify::server {

void Metrics::count_scan(const std::string& verdict)
{
  std::lock_guard lock(m_mutex);
  ++m_scans_by_verdict[verdict];
}

void Metrics::observe_scan_seconds(double seconds)
{
  std::lock_guard lock(m_mutex);
  for (std::size_t i = 0; i < k_buckets.size(); ++i) {
    if (seconds <= k_buckets[i]) {
      ++m_bucket_counts[i];
    }
  }
  ++m_count;
  m_sum += seconds;
}

std::string Metrics::render(std::size_t open_alerts, std::size_t open_streams,
                            const std::vector<std::pair<std::string, std::string>>& station_states) const
{
  std::lock_guard lock(m_mutex);
  std::string out;
  out += "# HELP pickverify_scans_total Scans journaled, by verdict.\n# TYPE pickverify_scans_total counter\n";
  for (const Verdict v : k_all_verdicts) {
    const std::string verdict(to_string(v));
    const auto found = m_scans_by_verdict.find(verdict);
    out += fmt::format("pickverify_scans_total{{verdict=\"{}\"}} {}\n", verdict,
                       found == m_scans_by_verdict.end() ? 0 : found->second);
  }
  out += "# HELP pickverify_alerts_open Alerts open across stations.\n# TYPE pickverify_alerts_open gauge\n";
  out += fmt::format("pickverify_alerts_open {}\n", open_alerts);
  out += "# HELP pickverify_event_streams_open Open server-sent-event streams (screens).\n"
         "# TYPE pickverify_event_streams_open gauge\n";
  out += fmt::format("pickverify_event_streams_open {}\n", open_streams);
  out += "# HELP pickverify_scan_journal_seconds From an HTTP scan to its journaled verdict.\n"
         "# TYPE pickverify_scan_journal_seconds histogram\n";
  for (std::size_t i = 0; i < k_buckets.size(); ++i) {
    out += fmt::format("pickverify_scan_journal_seconds_bucket{{le=\"{}\"}} {}\n", k_buckets[i], m_bucket_counts[i]);
  }
  out += fmt::format("pickverify_scan_journal_seconds_bucket{{le=\"+Inf\"}} {}\n", m_count);
  out +=
      fmt::format("pickverify_scan_journal_seconds_sum {}\npickverify_scan_journal_seconds_count {}\n", m_sum, m_count);
  out += "# HELP pickverify_station_state 1 for the state each station is in.\n"
         "# TYPE pickverify_station_state gauge\n";
  for (const auto& [station, state] : station_states) {
    out += fmt::format("pickverify_station_state{{station=\"{}\",state=\"{}\"}} 1\n", station, state);
  }
  return out;
}

} // namespace pickverify::server
