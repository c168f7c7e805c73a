// The station's USB and serial scanners during `pickverify run`: scans go to the station in
// arrival order, and an assigned scanner that is missing or unplugged keeps packing blocked.
#pragma once

#include <functional>
#include <memory>

#include <pickverify/error.hpp>
#include <pickverify/station.hpp>

namespace pickverify::app {

struct Context;

class StationScanners {
public:
  using Show = std::function<void(const Result<StationReply>&)>;

  // Nothing to start (and no error) when the configuration assigns no scanner to the station.
  static Result<std::unique_ptr<StationScanners>> start(const Context& context, Station& station, Show show);
  virtual ~StationScanners() = default;
  virtual std::string describe() const = 0;
};

} // namespace pickverify::app
