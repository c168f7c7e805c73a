// A camera over the bench as a hands-free scanner during `pickverify run` ([camera] hands_free_source):
// an item held under it is one scan, however many frames show it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <pickverify/error.hpp>
#include <pickverify/station.hpp>

namespace pickverify::app {

struct Context;

class HandsFreeInput {
public:
  using Show = std::function<void(const Result<StationReply>&)>;

  // Nothing to start (and no error) when no hands-free camera is configured.
  static Result<std::unique_ptr<HandsFreeInput>> start(const Context& context, Station& station, Show show);
  virtual ~HandsFreeInput() = default;
  virtual std::string describe() const = 0;
};

} // namespace pickverify::app
