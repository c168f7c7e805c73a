// The station's gate, light and buzzer during `pickverify run` ([controller], --controller): every
// station reply sets the outputs its state calls for; the controller offline (when required) is a
// device offline, so nothing is released; the pack-confirm button asks to pack.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <pickverify/error.hpp>
#include <pickverify/station.hpp>

namespace pickverify::app {

struct Context;

class StationController {
public:
  using Show = std::function<void(const Result<StationReply>&)>;
  using Print = std::function<void(const std::string& line)>;

  // Nothing to start (and no error) when the kind is "none".
  static Result<std::unique_ptr<StationController>> start(const Context& context, Station& station, Show show,
                                                          Print print);
  virtual ~StationController() = default;
  virtual std::string describe() const = 0;
};

} // namespace pickverify::app
