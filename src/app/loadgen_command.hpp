// `pickverify loadgen`: simulated stations driving the real station code (Station, the session,
// the configured store) at a fixed scan rate; prints scan-to-verdict latency, throughput and errors.
#pragma once

#include "commands.hpp"

namespace pickverify::app {

struct LoadgenOptions {
  int stations = 10;
  double rate = 2.0; // scans per second per station
  int duration_s = 10;
  int connections = 0; // store connections shared by the stations; 0 = one each, as station processes have
};

// Exit 0 when every scan got its expected verdict, 1 when any failed, 2 for bad options.
int cmd_loadgen(const Context& context, const LoadgenOptions& options);

} // namespace pickverify::app
